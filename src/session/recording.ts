/**
 * The session's WFDB recording (CONTRACTS section 5): `<id>.hea`, `<id>.dat` (format 16, frames
 * interleaved) and `<id>.atr` (beats). Samples and beats are appended with synchronous writes as
 * they arrive, so a killed process leaves everything already handed to the kernel readable: the
 * header is written first without a sample count (readers then read to the end of the file) and
 * rewritten with the count, checksums and start time on close.
 */
import { closeSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ANN, encodeAnnotations } from '../formats/annotations.js';

/** 200 ADC units per mV (5 µV per unit) fits ±163 mV in int16, the WFDB default gain. */
export const RECORD_GAIN_ADU_PER_MV = 200;
const INVALID_SAMPLE = -32768;
const MAX_SAMPLE = 32767;

export interface RecordingOptions {
  dir: string;
  recordName: string;
  fsHz: number;
  leads: readonly string[];
  startedAt: Date;
}

/** Writes one annotation at `sample`, coded relative to the previous one, without the file terminator. */
function encodeOne(deltaSamples: number, code: number, aux: string | null): Uint8Array {
  const bytes = encodeAnnotations([{ sample: deltaSamples, code, aux }]);
  return bytes.subarray(0, bytes.length - 2);
}

export class WfdbRecording {
  readonly headerPath: string;
  readonly datPath: string;
  readonly atrPath: string;
  private readonly datFd: number;
  private readonly atrFd: number;
  private readonly uvPerUnit: number;
  private readonly checksums: number[];
  private readonly firstValues: (number | null)[];
  private written = 0;
  private lastAnnotationSample = 0;
  private closed = false;
  private readonly pendingNotes: { sample: number; text: string }[] = [];

  constructor(private readonly options: RecordingOptions) {
    const base = join(options.dir, options.recordName);
    this.headerPath = `${base}.hea`;
    this.datPath = `${base}.dat`;
    this.atrPath = `${base}.atr`;
    this.uvPerUnit = 1000 / RECORD_GAIN_ADU_PER_MV;
    this.checksums = options.leads.map(() => 0);
    this.firstValues = options.leads.map(() => null);
    this.writeHeader(false);
    this.datFd = openSync(this.datPath, 'w');
    this.atrFd = openSync(this.atrPath, 'w');
  }

  /** Samples written so far (per lead). */
  get sampleCount(): number {
    return this.written;
  }

  /** Appends `count` frames of µV, one array per lead; NaN is stored as "no data". */
  appendSamples(channels: readonly Float32Array[], count: number): void {
    if (this.closed || count <= 0) return;
    const leadCount = this.options.leads.length;
    const frame = Buffer.allocUnsafe(count * leadCount * 2);
    for (let i = 0; i < count; i += 1) {
      for (let l = 0; l < leadCount; l += 1) {
        const uV = channels[l]![i]!;
        let value = Number.isFinite(uV) ? Math.round(uV / this.uvPerUnit) : INVALID_SAMPLE;
        if (value !== INVALID_SAMPLE) value = Math.max(-MAX_SAMPLE, Math.min(MAX_SAMPLE, value));
        frame.writeInt16LE(value, (i * leadCount + l) * 2);
        this.checksums[l] = (this.checksums[l]! + value) & 0xffff;
        if (this.firstValues[l] === null) this.firstValues[l] = value;
      }
    }
    writeSync(this.datFd, frame);
    this.written += count;
  }

  /** Appends `count` frames of "no data" (the device was gone), keeping the record in real time. */
  appendGap(count: number): void {
    if (count <= 0) return;
    const chunk = Math.min(count, 4096);
    const empty = this.options.leads.map(() => new Float32Array(chunk).fill(Number.NaN));
    for (let done = 0; done < count; done += chunk) this.appendSamples(empty, Math.min(chunk, count - done));
  }

  /** A beat at the R peak (`sample` counts from the record's first sample). */
  appendBeat(sample: number, code: number = ANN.NORMAL): void {
    this.writeNotesBefore(sample);
    this.appendAnnotation(sample, code, null);
  }

  /**
   * A note such as "device disconnected" at `sample`. Beats are reported a little late, so the
   * note waits until a later beat (or close) to keep the file in time order.
   */
  appendNote(sample: number, text: string): void {
    this.pendingNotes.push({ sample, text });
  }

  private writeNotesBefore(sample: number): void {
    while (this.pendingNotes.length > 0 && this.pendingNotes[0]!.sample <= sample) {
      const note = this.pendingNotes.shift()!;
      this.appendAnnotation(note.sample, ANN.NOTE, note.text);
    }
  }

  private appendAnnotation(sample: number, code: number, aux: string | null): void {
    if (this.closed) return;
    // Annotations must be in time order; a late one is placed at the latest time written.
    const at = Math.max(sample, this.lastAnnotationSample);
    writeSync(this.atrFd, encodeOne(at - this.lastAnnotationSample, code, aux));
    this.lastAnnotationSample = at;
  }

  /** Ends the annotation file and rewrites the header with the sample count and checksums. */
  close(): void {
    if (this.closed) return;
    this.writeNotesBefore(Number.POSITIVE_INFINITY);
    this.closed = true;
    writeSync(this.atrFd, new Uint8Array(2));
    closeSync(this.atrFd);
    closeSync(this.datFd);
    this.writeHeader(true);
  }

  private writeHeader(final: boolean): void {
    const { recordName, fsHz, leads, startedAt } = this.options;
    const fs = Number(fsHz.toFixed(6));
    const pad = (n: number) => String(n).padStart(2, '0');
    const time = `${pad(startedAt.getUTCHours())}:${pad(startedAt.getUTCMinutes())}:${pad(startedAt.getUTCSeconds())}`;
    const date = `${pad(startedAt.getUTCDate())}/${pad(startedAt.getUTCMonth() + 1)}/${startedAt.getUTCFullYear()}`;
    const recordLine = final ? `${recordName} ${leads.length} ${fs} ${this.written} ${time} ${date}` : `${recordName} ${leads.length} ${fs}`;
    const lines = [recordLine];
    leads.forEach((lead, l) => {
      const initial = final ? this.firstValues[l] ?? 0 : 0;
      const checksum = final ? (this.checksums[l]! << 16) >> 16 : 0;
      lines.push(`${recordName}.dat 16 ${RECORD_GAIN_ADU_PER_MV}/mV 16 0 ${initial} ${checksum} 0 ${lead}`);
    });
    lines.push(`# ecg-monitor session started ${startedAt.toISOString()} (UTC)`);
    const temporary = `${this.headerPath}.tmp`;
    writeFileSync(temporary, lines.join('\n') + '\n');
    renameSync(temporary, this.headerPath);
  }
}
