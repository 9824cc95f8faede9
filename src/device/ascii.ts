/**
 * ASCII line protocol (Arduino + AD8232 style): one sample per line, `\n` or `\r\n`, integer
 * columns separated by `,`, space or tab. Counts → µV: (count - baseline) / unitsPerMv x 1000,
 * default 200 counts per mV around 512.
 *
 * A non-numeric line (`!`, `N`, `Lead off`, ...) is a lead-off/status event. AD8232 sketches
 * print it in place of a reading, so it stands for one sample: the last value is held and the
 * block is marked lead off. The rate is `rateHz` when given, else measured from arrival times.
 */
import { BlockBuilder, RateMeter } from './decoder-core.js';
import { concat } from './framed.js';
import type { Decoder, DecoderStats, SampleBlock } from './types.js';

export const ASCII_BAUD = 115_200;
export const ASCII_DEFAULT_UNITS_PER_MV = 200;
export const ASCII_DEFAULT_BASELINE = 512;
/** Longer lines are garbage, not samples. */
const MAX_LINE_BYTES = 256;
const NEWLINE = 0x0a;

export interface AsciiDecoderOptions {
  rateHz?: number | null;
  unitsPerMv?: number;
  baseline?: number;
  /** Columns per line; taken from the first numeric line when not given. */
  channelCount?: number;
}

export class AsciiDecoder implements Decoder {
  readonly protocol = 'ascii' as const;
  readonly nominalRateHz: number | null;
  readonly openCommands = null;
  readonly closeCommands = null;

  private columns: number | null;
  private builder: BlockBuilder | null = null;
  private pending = new Uint8Array(0);
  private lastValues: number[] = [];
  private readonly parsed: number[] = [];
  private noLeadOff: boolean[] = [];
  private allLeadOff: boolean[] = [];
  private readonly uVPerCount: number;
  private readonly baseline: number;
  private readonly rate = new RateMeter();
  private readonly counters: Omit<DecoderStats, 'measuredRateHz'> = { frames: 0, badFrames: 0, droppedFrames: 0, discardedBytes: 0 };
  private readonly text = new TextDecoder('latin1');
  /** Status lines seen (lead-off events). */
  statusLines = 0;

  constructor(options: AsciiDecoderOptions = {}) {
    this.nominalRateHz = options.rateHz ?? null;
    this.uVPerCount = 1000 / (options.unitsPerMv ?? ASCII_DEFAULT_UNITS_PER_MV);
    this.baseline = options.baseline ?? ASCII_DEFAULT_BASELINE;
    this.columns = options.channelCount ?? null;
    if (this.columns !== null) this.start(this.columns);
  }

  get channelCount(): number {
    return this.columns ?? 1;
  }

  private start(columns: number): void {
    this.columns = columns;
    this.builder = new BlockBuilder(columns);
    this.lastValues = new Array<number>(columns).fill(0);
    this.noLeadOff = new Array<boolean>(columns).fill(false);
    this.allLeadOff = new Array<boolean>(columns).fill(true);
  }

  decode(bytes: Uint8Array, nowMs: number): SampleBlock[] {
    const buffer = concat(this.pending, bytes);
    let lineStart = 0;
    let samples = 0;
    for (let i = 0; i < buffer.length; i += 1) {
      if (buffer[i] !== NEWLINE) continue;
      if (this.line(buffer.subarray(lineStart, i))) samples += 1;
      lineStart = i + 1;
    }
    let rest = buffer.slice(lineStart);
    if (rest.length > MAX_LINE_BYTES) {
      this.counters.discardedBytes += rest.length;
      this.counters.badFrames += 1;
      rest = new Uint8Array(0);
    }
    this.pending = rest;
    if (samples > 0) this.rate.add(samples, nowMs);
    return this.builder?.take(nowMs) ?? [];
  }

  /** Handles one line (without `\n`); true when it stood for a sample. */
  private line(raw: Uint8Array): boolean {
    if (raw.length > MAX_LINE_BYTES) {
      this.counters.discardedBytes += raw.length + 1;
      this.counters.badFrames += 1;
      return false;
    }
    const count = parseIntegers(raw, this.parsed);
    if (count > 0) {
      if (this.columns === null) this.start(count);
      if (count < this.columns!) {
        this.counters.badFrames += 1;
        this.counters.discardedBytes += raw.length + 1;
        return false;
      }
      for (let c = 0; c < this.columns!; c += 1) this.lastValues[c] = (this.parsed[c]! - this.baseline) * this.uVPerCount;
      this.builder!.push(this.lastValues, this.noLeadOff);
      this.counters.frames += 1;
      return true;
    }
    const line = this.text.decode(raw).trim();
    if (line === '') return false;
    if (/[^\x20-\x7e\t]/.test(line)) {
      // Binary noise, not a status message.
      this.counters.badFrames += 1;
      this.counters.discardedBytes += raw.length + 1;
      return false;
    }
    this.statusLines += 1;
    if (this.builder === null) return false;
    this.builder.push(this.lastValues, this.allLeadOff);
    return true;
  }

  stats(): DecoderStats {
    return { ...this.counters, measuredRateHz: this.rate.rateHz() };
  }
}


const SPACE = 0x20;
const TAB = 0x09;
const COMMA = 0x2c;
const CR = 0x0d;

/**
 * Parses a line of integer columns (`,`, space or tab between them; `\r` and blanks around) into
 * `out`; returns how many, or 0 when the line is anything else. Byte-level: this runs per sample.
 */
function parseIntegers(raw: Uint8Array, out: number[]): number {
  let count = 0;
  let i = 0;
  const end = raw.length;
  for (;;) {
    while (i < end && (raw[i] === SPACE || raw[i] === TAB || raw[i] === CR || (count > 0 && raw[i] === COMMA))) i += 1;
    if (i >= end) return count;
    let sign = 1;
    if (raw[i] === 0x2d || raw[i] === 0x2b) {
      if (raw[i] === 0x2d) sign = -1;
      i += 1;
    }
    let value = 0;
    let digits = 0;
    while (i < end && raw[i]! >= 0x30 && raw[i]! <= 0x39 && digits < 10) {
      value = value * 10 + (raw[i]! - 0x30);
      digits += 1;
      i += 1;
    }
    if (digits === 0) return 0;
    if (i < end && raw[i] !== SPACE && raw[i] !== TAB && raw[i] !== CR && raw[i] !== COMMA) return 0;
    out[count] = sign * value;
    count += 1;
  }
}

/** One line: integer counts per channel from µV, with `\n`. */
export function encodeAsciiLine(microvolts: ArrayLike<number>, unitsPerMv = ASCII_DEFAULT_UNITS_PER_MV, baseline = ASCII_DEFAULT_BASELINE): string {
  const parts: string[] = [];
  for (let c = 0; c < microvolts.length; c += 1) parts.push(String(Math.round((microvolts[c]! * unitsPerMv) / 1000) + baseline));
  return `${parts.join(',')}\n`;
}
