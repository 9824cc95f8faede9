/** A detected beat, anchored on the R peak. */
export interface Beat {
  /** Sample index of the R peak in the stream's own sampling frequency. */
  sample: number;
  /** Seconds since the start of the stream. */
  timeS: number;
  /** Interval to the previous beat in ms, null for the first. */
  rrMs: number | null;
}

/** Interval measurements (ms) from delineation of the median beat; null when not measurable. */
export interface Intervals {
  prMs: number | null;
  qrsMs: number | null;
  qtMs: number | null;
  /** Bazett: QT / sqrt(RR in s). */
  qtcBazettMs: number | null;
  /** Fridericia: QT / cbrt(RR in s). */
  qtcFridericiaMs: number | null;
}

/** What the monitor shows and queues every 2 s (CONTRACTS section 1, `metrics` event). */
export interface Metrics extends Intervals {
  /** Seconds since the session started. */
  t: number;
  heartRateBpm: number | null;
  rrMs: number | null;
  /** 0 (unusable) .. 1 (clean). */
  signalQuality: number;
  leadOff: boolean;
  droppedFrames: number;
  measuredRateHz: number | null;
}
