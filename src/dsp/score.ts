/**
 * Beat-by-beat comparison the way WFDB's bxb does it (ANSI/AAMI EC38/EC57): a detection matches
 * a reference beat within a 150 ms window, each detection matches at most one reference beat,
 * and beats before the start of the scored interval (5 min by convention) are not counted.
 */

export interface BeatScore {
  truePositives: number;
  falseNegatives: number;
  falsePositives: number;
  /** Sensitivity, percent (100 when there is nothing to find). */
  sensitivityPct: number;
  /** Positive predictivity, percent (100 when nothing was detected). */
  positivePredictivityPct: number;
  /** |detected − reference| in ms for every matched pair. */
  errorsMs: number[];
}

export interface ScoreOptions {
  fsHz: number;
  /** Beats earlier than this are not counted (default 300 s). */
  skipS?: number;
  /** Matching window (default 150 ms). */
  windowMs?: number;
}

export function percent(part: number, whole: number): number {
  return whole === 0 ? 100 : (100 * part) / whole;
}

/** Scores detected R peaks against reference beat samples (both sorted ascending). */
export function scoreBeats(reference: readonly number[], detected: readonly number[], options: ScoreOptions): BeatScore {
  const window = Math.round(((options.windowMs ?? 150) / 1000) * options.fsHz);
  const start = Math.round((options.skipS ?? 300) * options.fsHz);
  const matchedDetection = new Uint8Array(detected.length);
  const errorsMs: number[] = [];
  let truePositives = 0;
  let falseNegatives = 0;
  let j = 0;
  for (const ref of reference) {
    while (j < detected.length && detected[j]! < ref - window) j += 1;
    // The closest unmatched detection within the window.
    let best = -1;
    for (let k = j; k < detected.length && detected[k]! <= ref + window; k += 1) {
      if (matchedDetection[k]) continue;
      if (best < 0 || Math.abs(detected[k]! - ref) < Math.abs(detected[best]! - ref)) best = k;
    }
    if (best >= 0) matchedDetection[best] = 1;
    if (ref < start) continue;
    if (best >= 0) {
      truePositives += 1;
      errorsMs.push((Math.abs(detected[best]! - ref) * 1000) / options.fsHz);
    } else falseNegatives += 1;
  }
  let falsePositives = 0;
  for (let k = 0; k < detected.length; k += 1) {
    // A detection inside the window just before the scored start may belong to a skipped beat.
    if (!matchedDetection[k] && detected[k]! >= start) falsePositives += 1;
  }
  return beatScore(truePositives, falseNegatives, falsePositives, errorsMs);
}

function beatScore(truePositives: number, falseNegatives: number, falsePositives: number, errorsMs: number[]): BeatScore {
  return {
    truePositives,
    falseNegatives,
    falsePositives,
    sensitivityPct: percent(truePositives, truePositives + falseNegatives),
    positivePredictivityPct: percent(truePositives, truePositives + falsePositives),
    errorsMs,
  };
}

/** Sums several records' scores into gross figures. */
export function grossScore(scores: readonly BeatScore[]): BeatScore {
  let truePositives = 0;
  let falseNegatives = 0;
  let falsePositives = 0;
  const errorsMs: number[] = [];
  for (const s of scores) {
    truePositives += s.truePositives;
    falseNegatives += s.falseNegatives;
    falsePositives += s.falsePositives;
    for (const e of s.errorsMs) errorsMs.push(e);
  }
  return beatScore(truePositives, falseNegatives, falsePositives, errorsMs);
}

export function medianOf(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
