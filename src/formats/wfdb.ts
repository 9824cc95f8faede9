import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SampleDecoder } from './wfdb-decoder.js';

/** One signal line of a WFDB header. */
export interface WfdbSignalSpec {
  fileName: string;
  format: number;
  samplesPerFrame: number;
  skew: number;
  byteOffset: number;
  /** ADC units per physical unit (200 when the header gives 0 or nothing). */
  gain: number;
  baseline: number;
  units: string;
  adcResolution: number;
  adcZero: number;
  initialValue: number | null;
  checksum: number | null;
  blockSize: number;
  description: string;
}

export interface WfdbHeader {
  recordName: string;
  signalCount: number;
  fsHz: number;
  /** Counter frequency (e.g. 360 in `250/360`); equals fsHz when not given. */
  counterFsHz: number;
  baseCounter: number;
  /** Samples per signal, or null when the header leaves it out. */
  sampleCount: number | null;
  baseTime: string | null;
  baseDate: string | null;
  signals: WfdbSignalSpec[];
  comments: string[];
}

export interface WfdbRecord {
  header: WfdbHeader;
  /** Digital (ADC) samples, one array per signal. */
  digital: Int32Array[];
  /** Sample value the format uses for "no data". */
  invalidValue: number[];
}

export const DEFAULT_GAIN = 200;

const SUPPORTED_FORMATS = new Set([16, 80, 212]);

export class WfdbFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WfdbFormatError';
  }
}

/** Parses the text of a `.hea` file (single-segment records). */
export function parseHeader(text: string): WfdbHeader {
  const comments: string[] = [];
  const lines: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      comments.push(line.replace(/^#\s?/, ''));
      continue;
    }
    lines.push(line);
  }
  const recordLine = lines.shift();
  if (recordLine === undefined) throw new WfdbFormatError('header has no record line');
  const fields = recordLine.split(/\s+/);
  const [nameField, countField, fsField, samplesField, timeField, dateField] = fields;
  if (nameField!.includes('/')) throw new WfdbFormatError('multi-segment records are not supported');
  const signalCount = Number(countField);
  if (!Number.isInteger(signalCount) || signalCount < 0) throw new WfdbFormatError(`bad signal count "${countField}"`);

  let fsHz = 250;
  let counterFsHz = 250;
  let baseCounter = 0;
  if (fsField !== undefined) {
    const match = /^([0-9.eE+-]+)(?:\/([0-9.eE+-]+)(?:\(([0-9.eE+-]+)\))?)?$/.exec(fsField);
    if (!match) throw new WfdbFormatError(`bad sampling frequency "${fsField}"`);
    fsHz = Number(match[1]);
    counterFsHz = match[2] === undefined ? fsHz : Number(match[2]);
    baseCounter = match[3] === undefined ? 0 : Number(match[3]);
    if (!(fsHz > 0)) throw new WfdbFormatError(`bad sampling frequency "${fsField}"`);
  }
  // WFDB reads a count of 0 as "not given": read to the end of the signal files.
  const sampleCount = samplesField === undefined || samplesField === '0' ? null : Number(samplesField);
  if (sampleCount !== null && !(Number.isInteger(sampleCount) && sampleCount >= 0)) {
    throw new WfdbFormatError(`bad sample count "${samplesField}"`);
  }

  const signals: WfdbSignalSpec[] = [];
  for (let i = 0; i < signalCount; i += 1) {
    const line = lines[i];
    if (line === undefined) throw new WfdbFormatError(`header names ${signalCount} signals but has ${i} signal lines`);
    signals.push(parseSignalLine(line));
  }
  return {
    recordName: nameField!,
    signalCount,
    fsHz,
    counterFsHz,
    baseCounter,
    sampleCount,
    baseTime: timeField ?? null,
    baseDate: dateField ?? null,
    signals,
    comments,
  };
}

function parseSignalLine(line: string): WfdbSignalSpec {
  const fields = line.split(/\s+/);
  const fileName = fields[0]!;
  const formatMatch = /^(\d+)(?:x(\d+))?(?::(\d+))?(?:\+(\d+))?$/.exec(fields[1] ?? '');
  if (!formatMatch) throw new WfdbFormatError(`bad signal format "${fields[1]}"`);
  const format = Number(formatMatch[1]);
  if (!SUPPORTED_FORMATS.has(format)) throw new WfdbFormatError(`signal format ${format} is not supported (16, 80 and 212 are)`);
  const adcZero = fields[4] === undefined ? 0 : Number(fields[4]);

  let gain = DEFAULT_GAIN;
  let baseline = adcZero;
  let units = 'mV';
  if (fields[2] !== undefined) {
    const gainMatch = /^([0-9.eE+-]+)(?:\(([0-9.eE+-]+)\))?(?:\/(\S+))?$/.exec(fields[2]);
    if (!gainMatch) throw new WfdbFormatError(`bad ADC gain "${fields[2]}"`);
    const parsedGain = Number(gainMatch[1]);
    gain = parsedGain === 0 ? DEFAULT_GAIN : parsedGain;
    if (gainMatch[2] !== undefined) baseline = Number(gainMatch[2]);
    if (gainMatch[3] !== undefined) units = gainMatch[3];
  }
  return {
    fileName,
    format,
    samplesPerFrame: formatMatch[2] === undefined ? 1 : Number(formatMatch[2]),
    skew: formatMatch[3] === undefined ? 0 : Number(formatMatch[3]),
    byteOffset: formatMatch[4] === undefined ? 0 : Number(formatMatch[4]),
    gain,
    baseline,
    units,
    adcResolution: fields[3] === undefined ? 12 : Number(fields[3]),
    adcZero,
    initialValue: fields[5] === undefined ? null : Number(fields[5]),
    checksum: fields[6] === undefined ? null : Number(fields[6]),
    blockSize: fields[7] === undefined ? 0 : Number(fields[7]),
    description: fields.slice(8).join(' '),
  };
}

/** `foo.hea`, `foo` or `dir/foo` → the header path and the record's directory. */
export function resolveRecordPath(path: string): { headerPath: string; directory: string; recordName: string } {
  const headerPath = path.endsWith('.hea') ? path : `${path}.hea`;
  return { headerPath, directory: dirname(headerPath), recordName: basename(headerPath, '.hea') };
}

/** Reads a whole single-segment record: header plus every signal file it names. */
export function readRecord(path: string): WfdbRecord {
  const { header, groups } = readSignalFiles(path);
  const digital: Int32Array[] = new Array(header.signalCount);
  const invalidValue: number[] = header.signals.map((spec) => invalidSampleValue(spec.format));
  for (const { bytes, format, indices, frames, available } of groups) {
    const columns = decodeDigital(bytes, format, indices.length, available);
    indices.forEach((signalIndex, column) => {
      const out = new Int32Array(frames);
      out.set(columns[column]!);
      if (available < frames) out.fill(invalidValue[signalIndex]!, available);
      digital[signalIndex] = out;
    });
  }
  const length = header.sampleCount ?? Math.max(0, ...digital.map((d) => d.length));
  return { header: { ...header, sampleCount: length }, digital, invalidValue };
}

/**
 * A record read front to back in blocks, straight into microvolts (as `signalMicrovolts` gives
 * them): what `analyze` needs, in memory that does not grow with the record's length.
 */
export interface RecordReader {
  /** The header, its sample count filled in from the file size when it leaves it out. */
  readonly header: WfdbHeader;
  /**
   * The next `count` frames of every signal, µV, in header order. The arrays are the reader's
   * own, valid until the next call. Frames past a file's end repeat its last value, as invalid
   * samples do.
   */
  read(count: number): Float32Array[];
  close(): void;
}

/** Frames read from disk and decoded at a time: 48 KiB of a two-signal format 212 record. */
const READ_CHUNK_FRAMES = 1 << 14;

/**
 * One signal file being read: frames `chunkFirst`.. (`chunkFrames` of them) read and decoded,
 * one array per signal in it, and each signal's last valid value.
 */
interface OpenGroup extends Omit<SignalGroup, 'bytes'> {
  fd: number;
  /** Holds `chunk` and `decoded` in its memory. */
  decoder: SampleDecoder;
  chunkLength: number;
  fileOffset: number;
  chunk: Uint8Array;
  decoded: Float32Array[];
  chunkFirst: number;
  chunkFrames: number;
  baseline: number[];
  scale: number[];
  last: number[];
}

/** `chunkFrames` (even): frames read from disk and decoded at a time. */
export function openRecordMicrovolts(path: string, chunkFrames = READ_CHUNK_FRAMES): RecordReader {
  if (chunkFrames < 2 || chunkFrames % 2 !== 0) throw new RangeError('chunkFrames must be even and at least 2');
  const { header, directory, files } = signalLayout(path);
  const groups: OpenGroup[] = [];
  // Every file opened, including one whose checks below fail before it joins `groups`.
  const opened: number[] = [];
  const close = () => opened.splice(0).forEach((fd) => closeSync(fd));
  try {
    for (const { fileName, byteOffset, format, indices } of files) {
      const fd = openSync(join(directory, fileName), 'r');
      opened.push(fd);
      const specs = indices.map((i) => header.signals[i]!);
      // Counted first: an unsupported format fails here with its WFDB error.
      const counts = frameCounts(header, Math.max(0, fstatSync(fd).size - byteOffset), format, indices.length);
      const decoder = new SampleDecoder(format, indices.length, chunkFrames, bytesFor(chunkFrames * indices.length, format));
      groups.push({
        fd,
        decoder,
        chunkLength: chunkFrames,
        fileOffset: byteOffset,
        format,
        indices,
        ...counts,
        chunk: decoder.bytes,
        decoded: decoder.columns,
        chunkFirst: 0,
        chunkFrames: 0,
        baseline: specs.map((spec) => spec.baseline),
        scale: specs.map(microvoltsPerUnit),
        last: specs.map(() => 0),
      });
    }
  } catch (error) {
    close();
    throw error;
  }
  let next = 0;
  // Blocks that straddle chunks are put together here.
  let joined = header.signals.map(() => new Float32Array(0));
  const views = joined.slice();
  return {
    header: { ...header, sampleCount: header.sampleCount ?? Math.max(0, ...groups.map((g) => g.frames)) },
    read(count) {
      if ((joined[0]?.length ?? count) < count) joined = header.signals.map(() => new Float32Array(count));
      for (const group of groups) readGroup(group, next, count, views, joined);
      next += count;
      return views;
    },
    close,
  };
}

/**
 * Frames `first`..`first + count` of one file's signals as `views` (indexed by signal): views
 * into the decoded chunk when it holds them all, else copied into `joined` across chunks.
 */
function readGroup(group: OpenGroup, first: number, count: number, views: Float32Array[], joined: readonly Float32Array[]): void {
  const { indices, decoded } = group;
  const from = first - group.chunkFirst;
  if (from >= 0 && from + count <= group.chunkFrames) {
    for (let column = 0; column < indices.length; column += 1) views[indices[column]!] = decoded[column]!.subarray(from, from + count);
    return;
  }
  for (let done = 0; done < count; ) {
    const frame = first + done;
    if (frame >= group.available) {
      indices.forEach((signal, column) => joined[signal]!.fill(group.last[column]!, done, count));
      break;
    }
    if (frame < group.chunkFirst || frame >= group.chunkFirst + group.chunkFrames) loadChunk(group, frame);
    const from = frame - group.chunkFirst;
    const take = Math.min(count - done, group.chunkFrames - from);
    indices.forEach((signal, column) => joined[signal]!.set(decoded[column]!.subarray(from, from + take), done));
    done += take;
  }
  indices.forEach((signal) => (views[signal] = joined[signal]!.subarray(0, count)));
}

/**
 * Reads and decodes the chunk holding `frame`. Chunks start at multiples of an even length, so
 * a format 212 chunk starts on a whole byte.
 */
function loadChunk(group: OpenGroup, frame: number): void {
  const stride = group.indices.length;
  const first = frame - (frame % group.chunkLength);
  const frames = Math.min(group.chunkLength, group.available - first);
  const length = bytesFor(frames * stride, group.format);
  let filled = 0;
  while (filled < length) {
    const got = readSync(group.fd, group.chunk, filled, length - filled, group.fileOffset + bytesFor(first * stride, group.format) + filled);
    if (got === 0) break;
    filled += got;
  }
  // A file cut short since it was opened reads as zeros.
  group.chunk.fill(0, filled, length);
  const invalid = invalidSampleValue(group.format);
  for (let column = 0; column < stride; column += 1) {
    group.last[column] = group.decoder.decode(column, frames, group.baseline[column]!, group.scale[column]!, invalid, group.last[column]!);
  }
  group.chunkFirst = first;
  group.chunkFrames = frames;
}

/** Bytes holding the first `samples` samples of `format` (a 212 pair is 3 bytes; an odd last sample needs its pair's). */
function bytesFor(samples: number, format: number): number {
  if (format === 16) return 2 * samples;
  if (format === 80) return samples;
  return Math.ceil(samples / 2) * 3;
}

/** One signal file's bytes and the signals interleaved in it (header order), `available` frames of `frames` present. */
interface SignalGroup {
  bytes: Uint8Array;
  format: number;
  indices: number[];
  frames: number;
  available: number;
}

interface SignalFile {
  fileName: string;
  byteOffset: number;
  format: number;
  /** The signals interleaved in it frame by frame, header order. */
  indices: number[];
}

/** A record's header and its signal files. */
function signalLayout(path: string): { header: WfdbHeader; directory: string; files: SignalFile[] } {
  const { headerPath, directory } = resolveRecordPath(path);
  const header = parseHeader(readFileSync(headerPath, 'utf8'));
  const byFile = new Map<string, number[]>();
  header.signals.forEach((spec, index) => {
    const key = `${spec.fileName}\u0000${spec.format}\u0000${spec.byteOffset}`;
    const group = byFile.get(key);
    if (group) group.push(index);
    else byFile.set(key, [index]);
  });
  const files = [...byFile.values()].map((indices): SignalFile => {
    if (indices.some((i) => header.signals[i]!.samplesPerFrame !== 1)) {
      throw new WfdbFormatError('records with more than one sample per frame are not supported');
    }
    const { fileName, byteOffset, format } = header.signals[indices[0]!]!;
    return { fileName, byteOffset, format, indices };
  });
  return { header, directory, files };
}

/** Frames a signal file should hold (the header's count, else what is there) and how many of them it does hold. */
function frameCounts(header: WfdbHeader, byteLength: number, format: number, signals: number): { frames: number; available: number } {
  const inFile = Math.floor(samplesIn(byteLength, format) / signals);
  const frames = header.sampleCount ?? inFile;
  return { frames, available: Math.min(frames, inFile) };
}

function readSignalFiles(path: string): { header: WfdbHeader; groups: SignalGroup[] } {
  const { header, directory, files } = signalLayout(path);
  const groups = files.map(({ fileName, byteOffset, format, indices }): SignalGroup => {
    const bytes = readFileSync(join(directory, fileName)).subarray(byteOffset);
    return { bytes, format, indices, ...frameCounts(header, bytes.length, format, indices.length) };
  });
  return { header, groups };
}

export function invalidSampleValue(format: number): number {
  if (format === 212) return -2048;
  if (format === 80) return -128;
  return -32768;
}

/** Decodes a byte stream of one format into a flat array of interleaved samples. */
export function decodeSamples(bytes: Uint8Array, format: number): Int32Array {
  return Int32Array.from(decodeDigital(bytes, format, 1, samplesIn(bytes.length, format))[0]!);
}

/** How many samples of `format` fit in `byteLength` bytes. */
function samplesIn(byteLength: number, format: number): number {
  if (format === 16) return byteLength >> 1;
  if (format === 80) return byteLength;
  if (format === 212) return Math.floor(byteLength / 3) * 2;
  throw new WfdbFormatError(`signal format ${format} is not supported`);
}

/**
 * The first `frames` frames of each of `stride` interleaved signals as digital values (every ADC
 * value fits a Float32 exactly): no baseline, no scale, no invalid value. Decoded a chunk at a
 * time, so the decoder's memory does not grow with the file.
 */
function decodeDigital(bytes: Uint8Array, format: number, stride: number, frames: number): Float32Array[] {
  const columns = Array.from({ length: stride }, () => new Float32Array(frames));
  // An even chunk length (or a single chunk), so a format 212 chunk starts on a whole byte.
  const capacity = Math.max(1, Math.min(READ_CHUNK_FRAMES, frames));
  const decoder = new SampleDecoder(format, stride, capacity, bytesFor(capacity * stride, format));
  for (let first = 0; first < frames; first += capacity) {
    const count = Math.min(capacity, frames - first);
    const from = bytesFor(first * stride, format);
    const length = bytesFor(count * stride, format);
    const copied = bytes.subarray(from, from + length);
    decoder.bytes.set(copied);
    // Past the file's end reads as zeros.
    decoder.bytes.fill(0, copied.length, length);
    columns.forEach((out, column) => {
      decoder.decode(column, count, 0, 1, null, 0);
      out.set(decoder.columns[column]!.subarray(0, count), first);
    });
  }
  return columns;
}

/** Index of the signal whose description matches `name` (case-insensitive), or -1. */
export function findSignal(header: WfdbHeader, name: string): number {
  const wanted = name.trim().toLowerCase();
  return header.signals.findIndex((spec) => spec.description.trim().toLowerCase() === wanted);
}

/**
 * One signal in microvolts. Invalid samples repeat the last valid value so filters downstream
 * never see a spike or NaN.
 */
export function signalMicrovolts(record: WfdbRecord, index: number): Float32Array {
  const spec = record.header.signals[index];
  const digital = record.digital[index];
  if (!spec || !digital) throw new RangeError(`record has no signal ${index}`);
  const scale = microvoltsPerUnit(spec);
  const invalid = record.invalidValue[index];
  const out = new Float32Array(digital.length);
  let last = 0;
  for (let i = 0; i < digital.length; i += 1) {
    const value = digital[i]!;
    if (value !== invalid) last = (value - spec.baseline) * scale;
    out[i] = last;
  }
  return out;
}

/** µV per ADC unit of a signal. */
function microvoltsPerUnit(spec: WfdbSignalSpec): number {
  return unitsToMicrovolts(spec.units) / spec.gain;
}

function unitsToMicrovolts(units: string): number {
  const normalized = units.trim().toLowerCase();
  if (normalized === 'uv' || normalized === 'µv') return 1;
  if (normalized === 'v') return 1e6;
  return 1000; // mV, the WFDB default
}

/** WFDB checksum of one signal: the sum of its samples, as a signed 16-bit number. */
export function signalChecksum(digital: ArrayLike<number>, count = digital.length): number {
  let sum = 0;
  for (let i = 0; i < count; i += 1) sum = (sum + digital[i]!) & 0xffff;
  return sum >= 0x8000 ? sum - 0x10000 : sum;
}

export interface SignalCheck {
  description: string;
  checksumOk: boolean | null;
  initialValueOk: boolean | null;
}

/**
 * Compares each signal with the checksum and initial value its header states (null where the
 * header gives none). A mismatch means a truncated or corrupt `.dat` file.
 */
export function verifyRecord(record: WfdbRecord): SignalCheck[] {
  return record.header.signals.map((spec, index) => {
    const digital = record.digital[index]!;
    return {
      description: spec.description,
      checksumOk: spec.checksum === null ? null : signalChecksum(digital) === normalizeChecksum(spec.checksum),
      initialValueOk: spec.initialValue === null || digital.length === 0 ? null : digital[0] === spec.initialValue,
    };
  });
}

function normalizeChecksum(value: number): number {
  const low = value & 0xffff;
  return low >= 0x8000 ? low - 0x10000 : low;
}

/** Encodes interleaved samples in format 16, 80 or 212 (the inverse of decodeSamples); values are clipped to the format's range. */
export function encodeSamples(values: ArrayLike<number>, format: number): Uint8Array {
  switch (format) {
    case 16: {
      const out = new Uint8Array(values.length * 2);
      for (let i = 0; i < values.length; i += 1) {
        const value = clip(values[i]!, -32768, 32767) & 0xffff;
        out[2 * i] = value & 0xff;
        out[2 * i + 1] = value >> 8;
      }
      return out;
    }
    case 80: {
      const out = new Uint8Array(values.length);
      for (let i = 0; i < values.length; i += 1) out[i] = clip(values[i]!, -128, 127) + 128;
      return out;
    }
    case 212: {
      // Pairs of 12-bit samples in 3 bytes; an odd count leaves half a pair, which readers ignore.
      const pairs = Math.ceil(values.length / 2);
      const out = new Uint8Array(pairs * 3);
      for (let p = 0; p < pairs; p += 1) {
        const first = clip(values[2 * p]!, -2048, 2047) & 0xfff;
        const second = 2 * p + 1 < values.length ? clip(values[2 * p + 1]!, -2048, 2047) & 0xfff : 0;
        out[3 * p] = first & 0xff;
        out[3 * p + 1] = ((first >> 8) & 0x0f) | ((second >> 4) & 0xf0);
        out[3 * p + 2] = second & 0xff;
      }
      return out;
    }
    default:
      throw new WfdbFormatError(`signal format ${format} is not supported`);
  }
}

function clip(value: number, low: number, high: number): number {
  return Math.max(low, Math.min(high, Math.round(value)));
}

/** The text of a `.hea` file for `header` (single segment). */
export function formatHeader(header: WfdbHeader): string {
  const fs = header.counterFsHz !== header.fsHz ? `${header.fsHz}/${header.counterFsHz}` : `${header.fsHz}`;
  const recordFields = [header.recordName, String(header.signalCount), fs];
  if (header.sampleCount !== null) recordFields.push(String(header.sampleCount));
  else if (header.baseTime !== null) recordFields.push('0');
  if (header.baseTime !== null) recordFields.push(header.baseTime);
  if (header.baseTime !== null && header.baseDate !== null) recordFields.push(header.baseDate);
  const lines = [recordFields.join(' ')];
  for (const spec of header.signals) {
    const format = spec.byteOffset > 0 ? `${spec.format}+${spec.byteOffset}` : `${spec.format}`;
    const gain = `${spec.gain}${spec.baseline !== spec.adcZero ? `(${spec.baseline})` : ''}/${spec.units}`;
    lines.push(
      [
        spec.fileName,
        format,
        gain,
        spec.adcResolution,
        spec.adcZero,
        spec.initialValue ?? 0,
        spec.checksum ?? 0,
        spec.blockSize,
        spec.description,
      ]
        .join(' ')
        .trimEnd(),
    );
  }
  for (const comment of header.comments) lines.push(`# ${comment}`);
  return `${lines.join('\n')}\n`;
}
