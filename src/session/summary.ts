/**
 * The session summary: what `session_end` carries and what `session.json` holds. Pure
 * bookkeeping over stream samples, so it can be tested without a device.
 */
import type { Intervals, Metrics } from '../dsp/types.js';

/** A stretch of the recording, in seconds since the session's first sample. */
export interface Period {
  start_s: number;
  end_s: number | null;
}

/** The `summary` object of `session_end` and `session.json` (CONTRACTS section 3 and 5). */
export interface SessionSummary {
  duration_s: number;
  beats: number;
  heart_rate_mean: number | null;
  heart_rate_min: number | null;
  heart_rate_max: number | null;
  rr_ms: number | null;
  pr_ms: number | null;
  qrs_ms: number | null;
  qt_ms: number | null;
  qtc_ms: number | null;
  qtcf_ms: number | null;
  signal_quality: number | null;
  dropped_frames: number;
  lead_off_s: number;
  lead_off_periods: Period[];
  /** Stretches with no samples from the device (unplugged or frames lost), filled as "no data" in the recording. */
  gap_s: number;
  gaps: Period[];
  disconnects: number;
}

const round = (value: number | null, digits = 0): number | null => {
  if (value === null || !Number.isFinite(value)) return null;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Open/close bookkeeping for periods measured in samples. */
class PeriodTracker {
  private readonly closed: { start: number; end: number }[] = [];
  private openAt: number | null = null;

  mark(active: boolean, sample: number): void {
    if (active && this.openAt === null) this.openAt = sample;
    else if (!active && this.openAt !== null) {
      this.closed.push({ start: this.openAt, end: sample });
      this.openAt = null;
    }
  }

  add(start: number, end: number): void {
    this.closed.push({ start, end });
  }

  totalSamples(now: number): number {
    const open = this.openAt === null ? 0 : Math.max(0, now - this.openAt);
    return this.closed.reduce((sum, p) => sum + (p.end - p.start), open);
  }

  periods(fsHz: number): Period[] {
    const toS = (sample: number) => round(sample / fsHz, 3)!;
    const out: Period[] = this.closed.map((p) => ({ start_s: toS(p.start), end_s: toS(p.end) }));
    if (this.openAt !== null) out.push({ start_s: toS(this.openAt), end_s: null });
    return out;
  }
}

/**
 * Accumulates what the summary needs as the session runs. Sample positions count from the
 * session's first sample (0); heart rate and intervals come from the 2-second metrics.
 */
export class SummaryBuilder {
  private beatCount = 0;
  private readonly rrMs: number[] = [];
  private readonly heartRates: number[] = [];
  private readonly qualities: number[] = [];
  private readonly intervals: { [K in keyof Intervals]: number[] } = {
    prMs: [],
    qrsMs: [],
    qtMs: [],
    qtcBazettMs: [],
    qtcFridericiaMs: [],
  };
  private readonly leadOff = new PeriodTracker();
  private readonly gaps = new PeriodTracker();
  private samples = 0;
  private droppedFrames = 0;
  private disconnects = 0;

  constructor(private readonly fsHz: number) {}

  /** Samples [start, start + count) arrived; `leadOff` is the block's any-lead-off state. */
  addSamples(start: number, count: number, leadOff: boolean): void {
    this.leadOff.mark(leadOff, start);
    this.samples = Math.max(this.samples, start + count);
  }

  /** No samples for [start, end): the device was gone or frames were lost. */
  addGap(start: number, end: number): void {
    if (end > start) this.gaps.add(start, end);
    this.samples = Math.max(this.samples, end);
  }

  addBeat(rrMs: number | null): void {
    this.beatCount += 1;
    if (rrMs !== null && Number.isFinite(rrMs)) this.rrMs.push(rrMs);
  }

  addMetrics(metrics: Metrics): void {
    if (metrics.heartRateBpm !== null) this.heartRates.push(metrics.heartRateBpm);
    this.qualities.push(metrics.signalQuality);
    for (const key of Object.keys(this.intervals) as (keyof Intervals)[]) {
      const value = metrics[key];
      if (value !== null && Number.isFinite(value)) this.intervals[key].push(value);
    }
    this.droppedFrames = Math.max(this.droppedFrames, metrics.droppedFrames);
  }

  noteDroppedFrames(total: number): void {
    this.droppedFrames = Math.max(this.droppedFrames, total);
  }

  noteDisconnect(): void {
    this.disconnects += 1;
  }

  get sampleCount(): number {
    return this.samples;
  }

  summary(): SessionSummary {
    const fs = this.fsHz;
    const meanRr = this.rrMs.length ? this.rrMs.reduce((a, b) => a + b, 0) / this.rrMs.length : null;
    const hr = this.heartRates;
    return {
      duration_s: round(this.samples / fs, 3)!,
      beats: this.beatCount,
      heart_rate_mean: round(hr.length ? hr.reduce((a, b) => a + b, 0) / hr.length : null, 1),
      heart_rate_min: round(hr.length ? Math.min(...hr) : null, 1),
      heart_rate_max: round(hr.length ? Math.max(...hr) : null, 1),
      rr_ms: round(meanRr),
      // Intervals are re-measured every 2 s; the median of those is robust to a bad window.
      pr_ms: round(median(this.intervals.prMs)),
      qrs_ms: round(median(this.intervals.qrsMs)),
      qt_ms: round(median(this.intervals.qtMs)),
      qtc_ms: round(median(this.intervals.qtcBazettMs)),
      qtcf_ms: round(median(this.intervals.qtcFridericiaMs)),
      signal_quality: round(this.qualities.length ? this.qualities.reduce((a, b) => a + b, 0) / this.qualities.length : null, 3),
      dropped_frames: this.droppedFrames,
      lead_off_s: round(this.leadOff.totalSamples(this.samples) / fs, 3)!,
      lead_off_periods: this.leadOff.periods(fs),
      gap_s: round(this.gaps.totalSamples(this.samples) / fs, 3)!,
      gaps: this.gaps.periods(fs),
      disconnects: this.disconnects,
    };
  }
}

/** A summary before any sample arrived (rate unknown). */
export function emptySummary(): SessionSummary {
  return new SummaryBuilder(1).summary();
}
