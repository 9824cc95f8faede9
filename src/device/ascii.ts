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
const NUMERIC_LINE = /^[+-]?\d+(?:[ \t,]+[+-]?\d+)*$/;
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
    const line = this.text.decode(raw).trim();
    if (line === '') return false;
    if (NUMERIC_LINE.test(line)) {
      const values = line.split(/[ \t,]+/).map(Number);
      if (this.columns === null) this.start(values.length);
      if (values.length < this.columns!) {
        this.counters.badFrames += 1;
        this.counters.discardedBytes += raw.length + 1;
        return false;
      }
      const microvolts = new Array<number>(this.columns!);
      for (let c = 0; c < this.columns!; c += 1) {
        microvolts[c] = (values[c]! - this.baseline) * this.uVPerCount;
        this.lastValues[c] = microvolts[c]!;
      }
      this.builder!.push(microvolts, this.noLeadOff);
      this.counters.frames += 1;
      return true;
    }
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


/** One line: integer counts per channel from µV, with `\n`. */
export function encodeAsciiLine(microvolts: ArrayLike<number>, unitsPerMv = ASCII_DEFAULT_UNITS_PER_MV, baseline = ASCII_DEFAULT_BASELINE): string {
  const parts: string[] = [];
  for (let c = 0; c < microvolts.length; c += 1) parts.push(String(Math.round((microvolts[c]! * unitsPerMv) / 1000) + baseline));
  return `${parts.join(',')}\n`;
}
