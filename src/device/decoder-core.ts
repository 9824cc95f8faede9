/**
 * Pieces every decoder shares: measuring the sample rate from arrival times, flat/railed
 * lead-off detection, and assembling decoded samples into SampleBlocks that split at gaps.
 */
import type { SampleBlock } from './types.js';

/** Rate over a sliding window of arrival checkpoints; needs at least `minSpanMs` of data. */
export class RateMeter {
  private readonly times: number[] = [];
  private readonly counts: number[] = [];
  private total = 0;

  constructor(
    private readonly windowMs = 10_000,
    private readonly minSpanMs = 1_000,
  ) {}

  /** `samples` arrived (or were lost, for dropped frames) by `nowMs`. */
  add(samples: number, nowMs: number): void {
    this.total += samples;
    const last = this.times.length - 1;
    if (last >= 0 && this.times[last] === nowMs) this.counts[last] = this.total;
    else {
      this.times.push(nowMs);
      this.counts.push(this.total);
    }
    // Keep one checkpoint older than the window so the span stays close to windowMs.
    while (this.times.length > 2 && nowMs - this.times[1]! >= this.windowMs) {
      this.times.shift();
      this.counts.shift();
    }
  }

  rateHz(): number | null {
    if (this.times.length < 2) return null;
    const spanMs = this.times[this.times.length - 1]! - this.times[0]!;
    if (spanMs < this.minSpanMs) return null;
    // The first checkpoint's samples arrived before the span began.
    return ((this.counts[this.counts.length - 1]! - this.counts[0]!) * 1000) / spanMs;
  }
}

/** Per channel: lead off when the raw value sits at a rail, or does not change at all, for too long. */
export class FlatRailDetector {
  private readonly lastRaw: number[];
  private readonly sameRun: number[];
  private readonly railRun: number[];

  constructor(
    channelCount: number,
    private readonly railLow: number,
    private readonly railHigh: number,
    private readonly flatSamples: number,
    private readonly railSamples: number,
  ) {
    this.lastRaw = new Array<number>(channelCount).fill(Number.NaN);
    this.sameRun = new Array<number>(channelCount).fill(0);
    this.railRun = new Array<number>(channelCount).fill(0);
  }

  /** Feeds one raw sample; returns true while that channel counts as lead off. */
  update(channel: number, raw: number): boolean {
    this.sameRun[channel] = raw === this.lastRaw[channel] ? this.sameRun[channel]! + 1 : 0;
    this.lastRaw[channel] = raw;
    this.railRun[channel] = raw <= this.railLow || raw >= this.railHigh ? this.railRun[channel]! + 1 : 0;
    return this.sameRun[channel]! >= this.flatSamples || this.railRun[channel]! >= this.railSamples;
  }
}

/** Collects samples into blocks; a jump in the sample index starts a new block. */
export class BlockBuilder {
  private columns: number[][];
  private leadOff: boolean[];
  private firstSample = 0;
  private blocks: SampleBlock[] = [];
  /** Index the next sample will get, counting lost ones. */
  nextSample = 0;

  constructor(private readonly channelCount: number) {
    this.columns = this.emptyColumns();
    this.leadOff = new Array<boolean>(channelCount).fill(false);
  }

  private emptyColumns(): number[][] {
    return Array.from({ length: this.channelCount }, () => []);
  }

  /** Marks `count` samples as lost: the next block starts after them. */
  skip(count: number, nowMs: number): void {
    if (count <= 0) return;
    this.close(nowMs);
    this.nextSample += count;
  }

  push(values: ArrayLike<number>, leadOff: ArrayLike<boolean>): void {
    if (this.columns[0]!.length === 0) this.firstSample = this.nextSample;
    for (let c = 0; c < this.channelCount; c += 1) {
      this.columns[c]!.push(values[c]!);
      if (leadOff[c]) this.leadOff[c] = true;
    }
    this.nextSample += 1;
  }

  /** Finishes the current block (if any) and returns every block made since the last take. */
  take(nowMs: number): SampleBlock[] {
    this.close(nowMs);
    const out = this.blocks;
    this.blocks = [];
    return out;
  }

  private close(nowMs: number): void {
    const count = this.columns[0]?.length ?? 0;
    if (count === 0) return;
    this.blocks.push({
      firstSample: this.firstSample,
      sampleCount: count,
      channels: this.columns.map((column) => Float32Array.from(column)),
      leadOff: this.leadOff,
      receivedAtMs: nowMs,
    });
    this.columns = this.emptyColumns();
    this.leadOff = new Array<boolean>(this.channelCount).fill(false);
  }
}
