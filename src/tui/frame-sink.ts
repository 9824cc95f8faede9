import { Writable } from 'node:stream';

/**
 * The stream Ink renders into instead of the terminal. Ink (in debug mode) writes each frame
 * whole; the sink keeps the latest one for the compositor, which alone writes to the terminal.
 */
export class InkFrameSink extends Writable {
  columns: number;
  rows: number;
  readonly isTTY = false;
  /** Latest complete frame from Ink. */
  frame = '';
  /** Bumped for every new frame. */
  version = 0;

  constructor(columns: number, rows: number) {
    super({ decodeStrings: false });
    this.columns = columns;
    this.rows = rows;
  }

  override _write(chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const text = typeof chunk === 'string' ? chunk : String(chunk);
    // Ink also writes an empty string as a flush barrier, and a bare newline on exit in CI.
    if (text.trim() !== '') {
      this.frame = text;
      this.version++;
    }
    callback();
  }

  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
}
