/**
 * Writing WFDB records: format 16 `.hea` + `.dat`, plus an MIT annotation file.
 *
 * WfdbStreamWriter appends as data comes, with synchronous writes, so a killed process loses
 * nothing it already wrote: the header is written at create() without a sample count (WFDB
 * readers then read the `.dat` to its end; initial values and checksums are 0 there) and
 * rewritten, atomically, with the count, initial values and checksums on close(). The
 * annotation file gets each annotation as it comes; its end-of-file word is added on close(),
 * and readers accept the file without it.
 *
 * Scale: 200 adu/mV by default (5 µV per unit, ±163 mV in int16), the MIT-BIH convention.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { AnnotationEncoder, type AnnotationInput } from './annotations.js';
import { formatHeader, signalChecksum, type WfdbHeader, type WfdbSignalSpec } from './wfdb.js';

export const DEFAULT_WRITE_GAIN_ADU_PER_MV = 200;
const MAX_SAMPLE = 32767;
/** Format 16's "no data" value; NaN input is stored as this. */
export const INVALID_SAMPLE_16 = -32768;

export interface WriteSignal {
  name: string;
  /** ADC units per mV (default 200: 5 µV per unit). */
  gainAduPerMv?: number;
  /** Physical units written to the header (default "mV"). */
  units?: string;
}

export interface StreamWriterOptions {
  fsHz: number;
  signals: WriteSignal[];
  /** Annotation file extension (default "atr"); null for none. */
  annotator?: string | null;
  /** Header comment lines (without `#`). */
  comments?: string[];
  /** Start time, written to the header as `HH:MM:SS DD/MM/YYYY` (UTC). */
  startedAt?: Date;
}

export class WfdbStreamWriter {
  readonly headerPath: string;
  readonly datPath: string;
  readonly annotationPath: string | null;
  private readonly datFd: number;
  private readonly annotationFd: number | null;
  private readonly encoder = new AnnotationEncoder();
  private readonly checksums: number[];
  private readonly initialValues: (number | null)[];
  private readonly aduPerUv: number[];
  private written = 0;
  private closed = false;

  private constructor(
    private readonly directory: string,
    private readonly recordName: string,
    private readonly options: StreamWriterOptions,
  ) {
    if (!(options.fsHz > 0)) throw new RangeError('fsHz must be positive');
    if (options.signals.length === 0) throw new RangeError('a record needs at least one signal');
    if (!/^[A-Za-z0-9_-]+$/.test(recordName)) throw new RangeError(`record name "${recordName}" may only use letters, digits, _ and -`);
    mkdirSync(directory, { recursive: true });
    const base = join(directory, recordName);
    this.headerPath = `${base}.hea`;
    this.datPath = `${base}.dat`;
    const annotator = options.annotator === undefined ? 'atr' : options.annotator;
    this.annotationPath = annotator === null ? null : `${base}.${annotator}`;
    this.checksums = options.signals.map(() => 0);
    this.initialValues = options.signals.map(() => null);
    this.aduPerUv = options.signals.map((signal) => (signal.gainAduPerMv ?? DEFAULT_WRITE_GAIN_ADU_PER_MV) / 1000);
    this.datFd = openSync(this.datPath, 'w');
    this.annotationFd = this.annotationPath === null ? null : openSync(this.annotationPath, 'w');
    this.writeHeader(false);
  }

  /** Creates `<dir>/<recordName>.hea`, `.dat` and (unless annotator is null) `.atr`. */
  static create(directory: string, recordName: string, options: StreamWriterOptions): WfdbStreamWriter {
    return new WfdbStreamWriter(directory, recordName, options);
  }

  get sampleCount(): number {
    return this.written;
  }

  /** Appends samples in µV, one array per signal (the first `count` of each); NaN = no data. */
  appendSamples(channels: readonly ArrayLike<number>[], count = channels[0]?.length ?? 0): void {
    const signals = this.options.signals.length;
    const digital = new Int32Array(count * signals);
    for (let c = 0; c < signals; c += 1) {
      const source = channels[c];
      if (!source || source.length < count) throw new RangeError(`signal ${c} has fewer than ${count} samples`);
      for (let s = 0; s < count; s += 1) {
        const uV = source[s]!;
        digital[s * signals + c] = Number.isFinite(uV) ? Math.max(-MAX_SAMPLE, Math.min(MAX_SAMPLE, Math.round(uV * this.aduPerUv[c]!))) : INVALID_SAMPLE_16;
      }
    }
    this.appendDigital(digital);
  }

  /** Appends interleaved digital samples (frame by frame, signals in order). */
  appendDigital(interleaved: Int32Array): void {
    if (this.closed) throw new Error('writer is closed');
    const signals = this.options.signals.length;
    if (interleaved.length % signals !== 0) throw new RangeError('interleaved samples must be whole frames');
    const bytes = Buffer.allocUnsafe(interleaved.length * 2);
    for (let i = 0; i < interleaved.length; i += 1) {
      const value = interleaved[i]!;
      const c = i % signals;
      bytes.writeInt16LE(value, 2 * i);
      this.checksums[c] = (this.checksums[c]! + value) & 0xffff;
      if (this.initialValues[c] === null) this.initialValues[c] = value;
    }
    writeSync(this.datFd, bytes);
    this.written += interleaved.length / signals;
  }

  /** Appends one annotation (e.g. a detected beat); samples must not go backwards. */
  appendAnnotation(annotation: AnnotationInput): void {
    if (this.closed) throw new Error('writer is closed');
    if (this.annotationFd === null) throw new Error('this writer has no annotation file');
    writeSync(this.annotationFd, this.encoder.encode(annotation));
  }

  appendBeat(sample: number, code: number): void {
    this.appendAnnotation({ sample, code });
  }

  /** Forces what was written to disk (survives power loss, not just a killed process). */
  flush(): void {
    if (this.closed) return;
    fsyncSync(this.datFd);
    if (this.annotationFd !== null) fsyncSync(this.annotationFd);
  }

  /** Ends the annotation file and rewrites the header with count, initial values and checksums. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.annotationFd !== null) {
      writeSync(this.annotationFd, this.encoder.end());
      fsyncSync(this.annotationFd);
      closeSync(this.annotationFd);
    }
    fsyncSync(this.datFd);
    closeSync(this.datFd);
    this.writeHeader(true);
  }

  private writeHeader(final: boolean): void {
    const signals: WfdbSignalSpec[] = this.options.signals.map((signal, index) => ({
      fileName: `${this.recordName}.dat`,
      format: 16,
      samplesPerFrame: 1,
      skew: 0,
      byteOffset: 0,
      gain: signal.gainAduPerMv ?? DEFAULT_WRITE_GAIN_ADU_PER_MV,
      baseline: 0,
      units: signal.units ?? 'mV',
      adcResolution: 16,
      adcZero: 0,
      initialValue: final ? this.initialValues[index] ?? 0 : 0,
      checksum: final ? signalChecksum([this.checksums[index]!]) : 0,
      blockSize: 0,
      description: signal.name,
    }));
    const started = this.options.startedAt;
    const header: WfdbHeader = {
      recordName: this.recordName,
      signalCount: signals.length,
      fsHz: this.options.fsHz,
      counterFsHz: this.options.fsHz,
      baseCounter: 0,
      sampleCount: final ? this.written : null,
      baseTime: started ? started.toISOString().slice(11, 19) : null,
      baseDate: started ? `${started.toISOString().slice(8, 10)}/${started.toISOString().slice(5, 7)}/${started.toISOString().slice(0, 4)}` : null,
      signals,
      comments: this.options.comments ?? [],
    };
    // Write-then-rename: a crash leaves the old header or the new one, never half of one.
    const temporary = `${this.headerPath}.tmp`;
    writeFileSync(temporary, formatHeader(header));
    renameSync(temporary, this.headerPath);
  }
}

export interface WholeRecord {
  fsHz: number;
  signals: WriteSignal[];
  /** One array per signal, in µV. */
  microvolts: readonly ArrayLike<number>[];
  annotations?: readonly AnnotationInput[];
  annotator?: string;
  comments?: string[];
  startedAt?: Date;
}

/** Writes a whole record at once; returns the header path. */
export function writeRecord(directory: string, recordName: string, record: WholeRecord): string {
  const writer = WfdbStreamWriter.create(directory, recordName, {
    fsHz: record.fsHz,
    signals: record.signals,
    annotator: record.annotations ? (record.annotator ?? 'atr') : null,
    comments: record.comments,
    startedAt: record.startedAt,
  });
  writer.appendSamples(record.microvolts);
  for (const annotation of record.annotations ?? []) writer.appendAnnotation(annotation);
  writer.close();
  return writer.headerPath;
}
