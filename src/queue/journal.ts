import { closeSync, fstatSync, ftruncateSync, openSync, readSync } from 'node:fs';
import { errorCode, fdatasyncAsync, FILE_MODE, writeAll } from './durable-adapter.js';
import { checkSummary, type JournalOp, type Summary } from './index-state.js';

/**
 * The append-only journal of one snapshot generation: one JSON op per line, fsynced before the
 * operation resolves. Only complete lines count: a line cut short by a crash has no final
 * newline and is ignored (and cut off by the next writer, who holds the lock, before it appends).
 */
export function journalFileName(generation: number): string {
  return `journal-${generation}.ndjson`;
}

export const JOURNAL_NAME = /^journal-(\d+)\.ndjson$/;

export interface JournalRead {
  ops: JournalOp[];
  /** Byte offset just past the last complete line. */
  endOffset: number;
  /** Bytes after endOffset: a torn tail (or a write in progress, without the lock). */
  tornBytes: number;
  /** Complete lines that were not valid ops (skipped). */
  badLines: number;
  missing: boolean;
}

const NEWLINE = 0x0a;

export function encodeOps(ops: readonly JournalOp[]): string {
  return ops.map((op) => JSON.stringify(op)).join('\n') + '\n';
}

export class Journal {
  constructor(readonly path: string) {}

  /** Complete lines from `offset` on. Synchronous reads: the new tail is usually one line (see durable-adapter). */
  async readFrom(offset: number): Promise<JournalRead> {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return { ops: [], endOffset: 0, tornBytes: 0, badLines: 0, missing: true };
      throw error;
    }
    try {
      const { size } = fstatSync(fd);
      // Shorter than what was applied: a failed write was cut back after a reader saw it; report it as missing.
      if (size < offset) return { ops: [], endOffset: 0, tornBytes: 0, badLines: 0, missing: true };
      if (size === offset) return { ops: [], endOffset: offset, tornBytes: 0, badLines: 0, missing: false };
      const buffer = Buffer.allocUnsafe(size - offset);
      let filled = 0;
      while (filled < buffer.length) {
        const bytesRead = readSync(fd, buffer, filled, buffer.length - filled, offset + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      const complete = buffer.lastIndexOf(NEWLINE, filled - 1) + 1;
      const { ops, badLines } = parseLines(buffer.toString('utf8', 0, complete));
      return { ops, endOffset: offset + complete, tornBytes: filled - complete, badLines, missing: false };
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Appends `text` (whole lines) at `validEnd`, the end of the last complete line; the caller
   * holds the lock. Cuts a torn tail first; on a failed write cuts back to `validEnd` so no half
   * line stays. Returns the new end offset.
   */
  async append(text: string, validEnd: number): Promise<number> {
    const fd = openSync(this.path, 'a', FILE_MODE);
    try {
      const { size } = fstatSync(fd);
      if (size < validEnd) throw new Error(`${this.path} shrank under the lock (${size} < ${validEnd} bytes)`);
      if (size > validEnd) ftruncateSync(fd, validEnd);
      const bytes = Buffer.from(text, 'utf8');
      try {
        writeAll(fd, bytes);
        await fdatasyncAsync(fd);
      } catch (error) {
        try {
          ftruncateSync(fd, validEnd);
        } catch {
          // The torn tail stays; readers ignore it and the next writer cuts it.
        }
        throw error;
      }
      return validEnd + bytes.length;
    } finally {
      closeSync(fd);
    }
  }
}

/**
 * The summary on the journal's last complete line that has one: 'empty' when the journal has
 * no complete line, null when its tail has none readable (the caller then loads the index).
 */
export function readLastSummary(path: string): Summary | 'empty' | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return 'empty';
    throw error;
  }
  try {
    const { size } = fstatSync(fd);
    const start = Math.max(0, size - TAIL_BYTES);
    const buffer = Buffer.allocUnsafe(size - start);
    const length = readSync(fd, buffer, 0, buffer.length, start);
    const lines = buffer.toString('utf8', 0, length).split('\n');
    lines.pop(); // after the last newline: empty, or a torn line
    if (start > 0) lines.shift(); // cut through by the window
    if (lines.length === 0) return start === 0 ? 'empty' : null;
    for (let index = lines.length - 1; index >= 0; index -= 1) {
      try {
        const summary = checkSummary((JSON.parse(lines[index]!) as { sum?: unknown }).sum);
        if (summary) return summary;
      } catch {
        // A garbled line: look further back.
      }
    }
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Enough for any write's last line but the largest bulk drop. */
const TAIL_BYTES = 256 * 1024;

function parseLines(text: string): { ops: JournalOp[]; badLines: number } {
  const ops: JournalOp[] = [];
  let badLines = 0;
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    try {
      const op = JSON.parse(line) as JournalOp;
      if (typeof op === 'object' && op !== null && typeof op.op === 'string') ops.push(op);
      else badLines += 1;
    } catch {
      badLines += 1;
    }
  }
  return { ops, badLines };
}
