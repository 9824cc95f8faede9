import { median, movingMeanAbs, slopeEnvelope, smoothSlope } from './delineation-filters.js';
import { buildMedianBeat, companionMedianBeats, type CompanionBeat, type MedianBeat } from './median-beat.js';
import type { Intervals } from './types.js';

/** Wave boundaries found on a median beat, as indices into `MedianBeat.waveUv`; null when absent. */
export interface WaveBoundaries {
  pOnset: number | null;
  pPeak: number | null;
  qrsOnset: number | null;
  qrsOffset: number | null;
  tPeak: number | null;
  tEnd: number | null;
}

export type IntervalMeasurement = Intervals & { beatsUsed: number };

const NONE: IntervalMeasurement = {
  prMs: null,
  qrsMs: null,
  qtMs: null,
  qtcBazettMs: null,
  qtcFridericiaMs: null,
  beatsUsed: 0,
};

/**
 * PR, QRS, QT and QTc (Bazett and Fridericia) from a median beat of one lead.
 * `signalUv` is raw µV (lead II preferred), `rPeaks` the R-peak sample indices into it.
 */
export function measureIntervals(signalUv: Float32Array, fsHz: number, rPeaks: readonly number[]): IntervalMeasurement {
  const beat = buildMedianBeat(signalUv, fsHz, rPeaks);
  if (!beat) return { ...NONE };
  const waves = delineateMedianBeat(beat);
  return intervalsFromBoundaries(waves, beat);
}

/**
 * Like `measureIntervals`, with QRS onset and offset taken from all leads together (the
 * earliest start and latest end of ventricular activity, as cardiologists mark looking at
 * every lead); P and T come from `signalsUv[primaryIndex]` unless it shows only a trace of P
 * or an outlying T end beside the other leads. R peaks index every lead alike.
 */
export function measureIntervalsMultiLead(signalsUv: readonly Float32Array[], fsHz: number, rPeaks: readonly number[], primaryIndex: number): IntervalMeasurement {
  const primary = signalsUv[primaryIndex];
  if (primary === undefined) throw new RangeError(`primaryIndex ${primaryIndex} is not one of the ${signalsUv.length} leads`);
  const beat = buildMedianBeat(primary, fsHz, rPeaks);
  if (!beat) return { ...NONE };
  const others = companionMedianBeats(signalsUv.filter((_, i) => i !== primaryIndex), beat).filter((c): c is CompanionBeat => c !== null);
  return intervalsFromBoundaries(delineateMedianBeat(beat, others), beat);
}

export function intervalsFromBoundaries(waves: WaveBoundaries, beat: MedianBeat): IntervalMeasurement {
  const ms = (samples: number) => (samples / beat.fsHz) * 1000;
  const prMs = waves.pOnset !== null && waves.qrsOnset !== null ? ms(waves.qrsOnset - waves.pOnset) : null;
  const qrsMs = waves.qrsOnset !== null && waves.qrsOffset !== null ? ms(waves.qrsOffset - waves.qrsOnset) : null;
  const qtMs = waves.qrsOnset !== null && waves.tEnd !== null ? ms(waves.tEnd - waves.qrsOnset) : null;
  const rrS = beat.rrMs !== null ? beat.rrMs / 1000 : null;
  return {
    prMs,
    qrsMs,
    qtMs,
    qtcBazettMs: qtMs !== null && rrS !== null ? qtMs / Math.sqrt(rrS) : null,
    qtcFridericiaMs: qtMs !== null && rrS !== null ? qtMs / Math.cbrt(rrS) : null,
    beatsUsed: beat.beatsUsed,
  };
}

/*
 * Constants, set once on LUDB lead II (not per record) and checked on the QT Database and the
 * synthetic ECG. Fractions are of the QRS's peak slope envelope.
 */
const LOW_PASS_HZ = 40;
/**
 * P waves are slower than the QRS: they are found on the median beat low-passed at 30 Hz, so the
 * trapezium onset follows the wave rather than its ripple (chosen on the QT Database's whole
 * records at even positions by name among 25-40 Hz, checked on the odd ones and on LUDB; 20 Hz
 * moves every PR mean by +3 ms).
 */
const P_LOW_PASS_HZ = 30;
const ENVELOPE_S = 0.01;
const CORE_FRACTION = 0.3;
const QRS_ONSET_FRACTION = 0.04;
const QRS_OFFSET_FRACTION = 0.035;
/**
 * One lead: the offset fraction once the QRS's last deflection is known. After an S wave
 * (below the level it returns to) the marks end sooner on the way back up than after an R
 * downstroke (set on every other LUDB record, 1, 5, 9, …, on lead II; held out on the rest and the QT Database).
 */
const QRS_OFFSET_FRACTION_AFTER_S = 0.045;
const QRS_OFFSET_FRACTION_AFTER_R = 0.0315;
/**
 * The last deflection is the last point that far (fraction of the QRS amplitude) from the offset's
 * level. Three levels vote, and the offset fraction is the after-S and after-R fractions mixed by
 * the share of S votes: a QRS whose last S is a small one is not forced to either (set on LUDB
 * records 1, 5, 9, … on lead II, held out on the rest; five levels 0.05-0.25 read the same overall).
 */
const LAST_DEFLECTION_FRACTIONS = [0.1, 0.15, 0.2];
/**
 * The offset threshold also follows the beat's own activity: it is scaled by (median slope
 * envelope over the beat / 1 % of the QRS peak)^0.25, so a QRS in a busy beat (a slurred return
 * into a rising ST, a paced beat) ends sooner and one in a quiet beat follows its slow return
 * further (exponent 0.2-0.3 agree; set on LUDB records 1, 5, 9, … on lead II, held out on the rest).
 */
const OFFSET_ACTIVITY_RATIO = 0.01;
const OFFSET_ACTIVITY_EXPONENT = 0.25;
/**
 * With several leads the combined envelope has a higher floor, rising with the lead count:
 * fraction 0.05 × (leads / 2)^0.15 (set on the QT Database's two leads and LUDB's twelve).
 */
const MULTI_LEAD_QRS_FRACTION = 0.05;
const MULTI_LEAD_FLOOR_EXPONENT = 0.15;
/**
 * Several leads: a wide QRS (bundle branch block) can end in a strong deflection (an R′, a slurred
 * S) more than 60 ms after R, behind a dip of the combined envelope where the walk would stop; the
 * core also takes in any point up to 100 ms after R at 12 % of the peak or more (fractions
 * 0.1-0.15 and reaches 0.08-0.12 s agree; 0.08 or 0.2 s take in a later wave; judged on the QT
 * Database records at even positions by name, checked on the odd ones and on LUDB's 12 leads).
 */
const MULTI_LEAD_LATE_CORE_S = 0.1;
const MULTI_LEAD_LATE_CORE_FRACTION = 0.12;
/**
 * One lead: each QRS edge is averaged with a second estimate made another way, whose errors
 * against the marks correlate only weakly with the envelope walk's (set on LUDB records 1, 5, 9,
 * … on lead II, held out on the rest). Onset, weight 0.3: the trapezium-area knee of the first
 * QRS flank (reference point 40 ms before its steepest point), error correlation with the walk's
 * about 0.2; it lies a mean 11-12 ms after the walk's onset, taken off so the mean stays put.
 */
const ONSET_KNEE_REACH_S = 0.04;
const ONSET_KNEE_LEAD_S = 0.012;
const ONSET_KNEE_WEIGHT = 0.3;
/**
 * One lead: the blended onset still lies a mean 3 ms after the marked onset (LUDB lead II records
 * 1, 5, 9, …, +3.0 ms; held out +3.2, QT Database signal 0 +3.9), as the marks follow the
 * activation's start over every lead; the reported onset is moved that much earlier.
 */
const ONSET_MARK_LAG_S = 0.003;
/**
 * Offset, weight 0.4: the same walk on a 24 ms envelope (a slow return reads as one slope), at 6 %
 * of its peak times the activity (error correlation with the 10 ms walk's about 0.8; weight and
 * fraction are the best on the fitted half that keep the QT Database signal-0 QRS mean within 5 ms).
 */
const OFFSET_WIDE_ENVELOPE_S = 0.024;
const OFFSET_WIDE_FRACTION = 0.06;
const OFFSET_WIDE_WEIGHT = 0.4;
/**
 * The QRS offset is the mean of the walk's ends over thresholds from 1/1.5 to 1.5 times its own
 * (five, evenly spaced in logarithm): a slow return often dips and plateaus near the threshold,
 * where one threshold's end jumps by 10-20 ms for a small change of level (spreads 1.3-2 and
 * 3-9 steps agree; set on LUDB records 1, 5, 9, … on lead II, held out on the rest and the QT
 * Database). Used with one lead and with several.
 */
const OFFSET_THRESHOLD_SPREAD = 1.5;
const OFFSET_THRESHOLD_STEPS = 5;
/**
 * One lead: a QRS whose largest deflection is its R and that ends with an S wave (its last trough
 * at least this fraction of the R's height below the isoelectric level) ends where the S's
 * upstroke regains that level, when that comes before the offset found from the slope: what
 * follows above the level (a notch, a J wave) is left out of the QRS, as the marks leave it. The
 * level is the higher of the PR level (20 ms before onset) and the ST level (20-40 ms after the
 * offset). Depths 0.03-0.08 and ST windows from 10-30 to 30-50 ms agree (set on LUDB lead II
 * records 1, 5, 9, …, held out on the rest and on the other eleven leads' own marks).
 */
const S_RETURN_DEPTH_FRACTION = 0.05;
const S_RETURN_ST_FROM_S = 0.02;
const S_RETURN_ST_TO_S = 0.04;
const QRS_SEARCH_BEFORE_S = 0.15;
const QRS_SEARCH_AFTER_S = 0.2;
const P_SEARCH_S = 0.3;
const P_REACH_S = 0.15;
const P_MIN_UV = 20;
/** A P wave must be this many times the beats' scatter (median absolute deviation) there. */
const P_SPREAD_RATIO = 3;
/**
 * Several leads: the primary's P is a mere trace under this fraction of the largest lead's P
 * (0.2-0.3 agree; judged on the QT Database records at even positions by name, checked on the
 * odd ones and on LUDB).
 */
const P_SEEN_FRACTION = 0.25;
const T_SEARCH_AFTER_QRS_S = 0.06;
/** Trapezium reference point after the T peak: 0.23-0.25 s give the same results; 0.22 ends slow T tails early. */
const T_END_REACH_S = 0.24;
/** Longest QT looked for, as a Bazett QTc. */
const QTC_MAX_S = 0.6;
const LOBE_REACH_S = 0.12;
/** Several leads: a lead's T end counts when its T is at least this fraction of the largest T. */
const T_RELIABLE_FRACTION = 0.4;
/** Several leads: the primary's T end stands when within this of the leads' median. */
const T_END_AGREEMENT_S = 0.04;
const LOBE_MIN_UV = 25;
const LOBE_FRACTION = 0.5;
/** The T window ends where the beats' scatter exceeds this many times its median over P-QRS-ST (6-10 agree) and this floor (30-40 µV agree). */
const SPREAD_LIMIT_RATIO = 8;
const SPREAD_FLOOR_UV = 40;

const NO_WAVES: WaveBoundaries = { pOnset: null, pPeak: null, qrsOnset: null, qrsOffset: null, tPeak: null, tEnd: null };

/** Finds P onset, QRS onset and offset and T end on a median beat. */
export function delineateMedianBeat(beat: MedianBeat, companionBeats: readonly CompanionBeat[] = []): WaveBoundaries {
  const { fsHz, rIndex } = beat;
  const n = beat.waveUv.length;
  const samples = (seconds: number) => Math.max(1, Math.round(seconds * fsHz));
  // Envelope widths in samples need not be whole: an envelope lasts as long at any sampling rate.
  const width = (seconds: number) => Math.max(1, seconds * fsHz);
  const { smooth, slope, envelope: primaryEnvelope } = slopeEnvelope(beat.waveUv, fsHz, LOW_PASS_HZ, width(ENVELOPE_S));
  const companions = companionBeats.map((c) => slopeEnvelope(c.waveUv, fsHz, LOW_PASS_HZ, width(ENVELOPE_S)));
  // Several leads: the root-sum-square of their slope envelopes (spatial velocity).
  let envelope = primaryEnvelope;
  if (companions.length > 0) {
    envelope = Float64Array.from(primaryEnvelope, (v) => v * v);
    for (const other of companions) for (let k = 0; k < n; k += 1) envelope[k]! += other.envelope[k]! ** 2;
    for (let k = 0; k < n; k += 1) envelope[k] = Math.sqrt(envelope[k]!);
  }

  const searchFrom = Math.max(1, rIndex - samples(QRS_SEARCH_BEFORE_S));
  const searchTo = Math.min(n - 2, rIndex + samples(QRS_SEARCH_AFTER_S));
  const primaryCore = qrsCore(primaryEnvelope, rIndex, samples(0.06));
  if (primaryCore === null) return { ...NO_WAVES };
  const envelopeOnset = walkOut(primaryEnvelope, primaryCore.start, -1, searchFrom, QRS_ONSET_FRACTION * primaryCore.peak);
  // The offset is walked once to find the QRS's last deflection, then again with that deflection's fraction.
  const offsetAt = (fraction: number) => walkOut(primaryEnvelope, primaryCore.end, 1, searchTo, fraction * primaryCore.activity * primaryCore.peak);
  const firstOffset = offsetAt(QRS_OFFSET_FRACTION);
  const sVotes = LAST_DEFLECTION_FRACTIONS.filter((f) => endsBelowLevel(smooth, envelopeOnset, firstOffset, f)).length;
  const sShare = sVotes / LAST_DEFLECTION_FRACTIONS.length;
  const offsetFraction = sShare * QRS_OFFSET_FRACTION_AFTER_S + (1 - sShare) * QRS_OFFSET_FRACTION_AFTER_R;
  let qrsOffset = softWalkOut(primaryEnvelope, primaryCore.end, searchTo, offsetFraction * primaryCore.activity * primaryCore.peak);
  // P and T are searched from the envelope onset (with several leads, the combined one).
  let qrsOnset = envelopeOnset;
  let measuredOnset = envelopeOnset;
  const late = { reach: samples(MULTI_LEAD_LATE_CORE_S), fraction: MULTI_LEAD_LATE_CORE_FRACTION };
  const combined = companions.length > 0 ? qrsCore(envelope, rIndex, samples(0.06), late) : null;
  if (combined !== null) {
    const fraction = MULTI_LEAD_QRS_FRACTION * ((companions.length + 1) / 2) ** MULTI_LEAD_FLOOR_EXPONENT;
    // The combined onset can miss a small first deflection (a septal q) that large precordial
    // slopes drown: the primary lead's own onset stands when it is earlier.
    qrsOnset = Math.min(walkOut(envelope, combined.start, -1, searchFrom, fraction * combined.peak), envelopeOnset);
    measuredOnset = qrsOnset;
    qrsOffset = softWalkOut(envelope, combined.end, searchTo, fraction * combined.activity * combined.peak);
  } else {
    // One lead: each edge is averaged with a second, independently made estimate (constants above).
    const knee = firstFlankKnee(smooth, slope, envelopeOnset, primaryCore.start, searchFrom, samples(ONSET_KNEE_REACH_S));
    const blendedOnset = (1 - ONSET_KNEE_WEIGHT) * envelopeOnset + ONSET_KNEE_WEIGHT * (knee - samples(ONSET_KNEE_LEAD_S));
    measuredOnset = Math.round(blendedOnset);
    const wideEnvelope = movingMeanAbs(slope, width(OFFSET_WIDE_ENVELOPE_S));
    const widePeak = peakNear(wideEnvelope, rIndex, samples(0.06));
    const wideOffset = walkOut(wideEnvelope, primaryCore.end, 1, searchTo, OFFSET_WIDE_FRACTION * primaryCore.activity * widePeak);
    qrsOffset = Math.round((1 - OFFSET_WIDE_WEIGHT) * qrsOffset + OFFSET_WIDE_WEIGHT * wideOffset);
    // An S wave ends where its upstroke regains the isoelectric level; a notch above it is not QRS.
    const sReturn = sWaveReturn(smooth, primaryEnvelope, CORE_FRACTION * primaryCore.peak, measuredOnset, qrsOffset, rIndex, samples(0.02), samples(S_RETURN_ST_FROM_S), samples(S_RETURN_ST_TO_S));
    if (sReturn !== null) qrsOffset = sReturn;
    // The S return's PR level stays where it was set; the lag corrects only the onset reported.
    measuredOnset = Math.round(blendedOnset - ONSET_MARK_LAG_S * fsHz);
  }

  // Isoelectric level: the PR segment just before QRS onset.
  const levelOf = (wave: Float64Array) => segmentMedian(wave, qrsOnset - samples(0.02), qrsOnset);

  const rr = beat.rrMs !== null ? samples(beat.rrMs / 1000) : samples(1);
  // T ends within a physiological QT and before the next beat's P wave.
  const qtMax = qrsOnset - rIndex + samples(QTC_MAX_S * Math.sqrt(rr / fsHz));
  const tStart = qrsOffset + samples(T_SEARCH_AFTER_QRS_S);
  // Where the beats stop agreeing (an ectopic beat following some of them), the median beat shows no T wave.
  const spreadLimitUv = Math.max(SPREAD_FLOOR_UV, SPREAD_LIMIT_RATIO * segmentMedian(beat.spreadUv, qrsOnset - samples(0.2), tStart));
  const agreedTo = lastBelow(beat.spreadUv, tStart, spreadLimitUv);
  const tWindowEnd = (nextAtrialFromR: number) => Math.min(agreedTo, rIndex + Math.min(nextAtrialFromR, qtMax, samples(0.75)));
  const findT = (lead: { smooth: Float64Array; slope: Float64Array }, tTo: number) =>
    findTEnd(lead.smooth, lead.slope, levelOf(lead.smooth), tStart, tTo, samples(T_END_REACH_S), samples(LOBE_REACH_S));
  // First without P (the next P then starts at least 30 % of RR before the next QRS)...
  let nextAtrialFromR = Math.round(0.7 * rr);
  let t = findT({ smooth, slope }, tWindowEnd(nextAtrialFromR));
  // ...then P, searched after the previous beat's T wave (which fast rates bring close)...
  const previousTEnd = t.end !== null ? t.end - rr : 0;
  const pFloor = Math.max(0, qrsOnset - samples(P_SEARCH_S), previousTEnd);
  const pFrom = Math.max(pFloor, previousTEnd + samples(0.02));
  const pTo = qrsOnset - samples(0.02);
  // A P wave repeats beat after beat; AF's f-waves do not, so they leave a wide scatter.
  const findP = (lead: { waveUv: Float64Array; spreadUv: Float64Array }) => {
    const { smooth: pSmooth, slope: pSlope } = smoothSlope(lead.waveUv, fsHz, P_LOW_PASS_HZ);
    const pMinUv = Math.max(P_MIN_UV, P_SPREAD_RATIO * segmentMedian(lead.spreadUv, pFrom, pTo));
    return findPOnset(pSmooth, pSlope, levelOf(pSmooth), pFrom, pTo, pFloor, samples(P_REACH_S), pMinUv, samples(0.01));
  };
  let p = findP(beat);
  if (companionBeats.length > 0) p = consensusP(p, companionBeats.map(findP));
  // ...and T again, now bounded by the next beat's P onset.
  if (p.onset !== null) {
    nextAtrialFromR = rr + p.onset - rIndex;
    t = findT({ smooth, slope }, tWindowEnd(nextAtrialFromR));
  }
  if (companions.length > 0) {
    // Other leads vote on T end, in the same window; the primary's stands unless it is an outlier.
    const others = companions.map((other) => findT(other, tWindowEnd(nextAtrialFromR)));
    t = { ...t, end: consensusTEnd(t, others, samples(T_END_AGREEMENT_S)) };
  }
  return { pOnset: p.onset, pPeak: p.peak, qrsOnset: measuredOnset, qrsOffset, tPeak: t.peak, tEnd: t.end };
}

/**
 * T end over several leads: the upper median end of the leads whose T is at least 40 % of the
 * tallest (a flat T gives no reliable end); the primary's own end when its T is among those and
 * its end lies within `agreement` samples of that median.
 */
function consensusTEnd(primary: TEndVote, others: readonly TEndVote[], agreement: number): number | null {
  const votes = [primary, ...others].filter((v): v is TEndVote & { end: number } => v.end !== null);
  if (votes.length === 0) return null;
  const largest = Math.max(...votes.map((v) => v.amplitudeUv));
  const reliable = votes.filter((v) => v.amplitudeUv >= T_RELIABLE_FRACTION * largest);
  // The upper median: a global T end leans to the leads where T ends later.
  const ends = reliable.map((v) => v.end).sort((a, b) => a - b);
  const consensus = ends[ends.length >> 1]!;
  const primaryVotes = primary.end !== null && primary.amplitudeUv >= T_RELIABLE_FRACTION * largest;
  return primaryVotes && Math.abs(primary.end! - consensus) <= agreement ? primary.end : consensus;
}

/**
 * The strong core of a QRS on a slope envelope near R (at least CORE_FRACTION of the peak within
 * `reach` of R; R marks may sit off the steepest part; with `late`, also at least `late.fraction`
 * of it from there to `late.reach` after R), from which its edges walk out while the envelope
 * stays above a fraction of the peak (for the offset also scaled by the beat's `activity`); null
 * when flat.
 */
function qrsCore(
  envelope: Float64Array,
  rIndex: number,
  reach: number,
  late: { reach: number; fraction: number } | null = null,
): { start: number; end: number; peak: number; activity: number } | null {
  const from = Math.max(0, rIndex - reach);
  const to = Math.min(envelope.length - 1, rIndex + Math.max(reach, late?.reach ?? 0));
  const peak = peakNear(envelope, rIndex, reach);
  if (!(peak > 0)) return null;
  const activity = (median(envelope) / (OFFSET_ACTIVITY_RATIO * peak)) ** OFFSET_ACTIVITY_EXPONENT;
  const lateThreshold = (late?.fraction ?? CORE_FRACTION) * peak;
  // The core is where the envelope is strong, not the R mark itself: a beat mark off the QRS's
  // steep part (a fiducial at its onset) must not clamp an edge to it.
  let start = to;
  let end = from;
  for (let k = from; k <= to; k += 1) {
    if (envelope[k]! < (k > rIndex + reach ? lateThreshold : CORE_FRACTION * peak)) continue;
    start = Math.min(start, k);
    end = Math.max(end, k);
  }
  return { start, end, peak, activity };
}

/** The largest envelope value within `reach` samples of `rIndex`. */
function peakNear(envelope: Float64Array, rIndex: number, reach: number): number {
  let peak = 0;
  for (let k = Math.max(0, rIndex - reach); k <= Math.min(envelope.length - 1, rIndex + reach); k += 1) peak = Math.max(peak, envelope[k]!);
  return peak;
}

/**
 * The knee where the QRS's first flank leaves the baseline: the trapezium-area boundary from the
 * steepest point between `onset` and the core's `coreStart`, towards a point `reach` before it.
 */
function firstFlankKnee(wave: Float64Array, slope: Float64Array, onset: number, coreStart: number, limit: number, reach: number): number {
  const xm = argMaxDeviation(slope, 0, onset, coreStart);
  return trapeziumBoundary(wave, xm, Math.max(limit, xm - reach), slope[xm]! < 0 ? -1 : 1);
}

/** Whether the QRS's last deflection (the last point `lastFraction` of its amplitude away from the level at `offset`) lies below that level: it ends with an S wave. */
function endsBelowLevel(wave: Float64Array, onset: number, offset: number, lastFraction: number): boolean {
  let amplitude = 0;
  for (let k = onset; k <= offset; k += 1) amplitude = Math.max(amplitude, Math.abs(wave[k]! - wave[onset]!));
  for (let k = offset; k >= onset; k -= 1) {
    const deviation = wave[k]! - wave[offset]!;
    if (Math.abs(deviation) > lastFraction * amplitude) return deviation < 0;
  }
  return false;
}

/**
 * Where a QRS ending in an S wave regains the isoelectric level (see S_RETURN_DEPTH_FRACTION), when
 * that is before `offset` and only a notch follows (the slope envelope stays under `coreSlope`, the
 * strong core's level: an R′ is part of the QRS); null otherwise.
 */
function sWaveReturn(
  wave: Float64Array,
  envelope: Float64Array,
  coreSlope: number,
  onset: number,
  offset: number,
  rIndex: number,
  prWindow: number,
  stFrom: number,
  stTo: number,
): number | null {
  const prLevel = segmentMedian(wave, onset - prWindow, onset);
  const level = Math.max(prLevel, segmentMedian(wave, offset + stFrom, offset + stTo));
  let rHeight = 0;
  let qsDepth = 0;
  for (let k = onset; k <= offset; k += 1) {
    rHeight = Math.max(rHeight, wave[k]! - prLevel);
    qsDepth = Math.max(qsDepth, prLevel - wave[k]!);
  }
  // An S wave follows an R: in a mostly negative QRS (QS, rS) the return is the main wave's own end.
  if (rHeight < qsDepth) return null;
  const amplitude = rHeight;
  let trough = offset;
  while (trough > rIndex && wave[trough]! >= level - S_RETURN_DEPTH_FRACTION * amplitude) trough -= 1;
  if (trough <= rIndex) return null;
  let regained = trough;
  while (regained < offset && wave[regained]! < level) regained += 1;
  if (regained >= offset) return null;
  for (let k = regained; k <= offset; k += 1) if (envelope[k]! >= coreSlope) return null;
  return regained;
}

/** From `start`, steps in `direction` (up to `limit`) while the envelope stays at or above `threshold`. */
function walkOut(envelope: Float64Array, start: number, direction: 1 | -1, limit: number, threshold: number): number {
  let edge = start;
  while ((direction < 0 ? edge > limit : edge < limit) && envelope[edge + direction]! >= threshold) edge += direction;
  return edge;
}

/** The sample nearest the mean end of forward walks at thresholds spread around `threshold` (OFFSET_THRESHOLD_SPREAD). */
function softWalkOut(envelope: Float64Array, start: number, limit: number, threshold: number): number {
  let sum = 0;
  for (let i = 0; i < OFFSET_THRESHOLD_STEPS; i += 1) {
    const exponent = (2 * i) / (OFFSET_THRESHOLD_STEPS - 1) - 1;
    sum += walkOut(envelope, start, 1, limit, threshold * OFFSET_THRESHOLD_SPREAD ** exponent);
  }
  return Math.round(sum / OFFSET_THRESHOLD_STEPS);
}

/** The last sample from `from` on before `values` first exceeds `limit` (the array's end when it never does). */
function lastBelow(values: Float64Array, from: number, limit: number): number {
  let k = Math.max(0, from);
  while (k + 1 < values.length && values[k + 1]! <= limit) k += 1;
  return k;
}

function segmentMedian(wave: Float64Array, from: number, to: number): number {
  const values: number[] = [];
  for (let k = Math.max(0, from); k <= Math.min(wave.length - 1, to); k += 1) values.push(wave[k]!);
  return values.length > 0 ? median(values) : 0;
}

function argMaxDeviation(wave: Float64Array, level: number, from: number, to: number): number {
  let best = Math.max(0, from);
  for (let k = best; k <= Math.min(wave.length - 1, to); k += 1) {
    if (Math.abs(wave[k]! - level) > Math.abs(wave[best]! - level)) best = k;
  }
  return best;
}

/** The local extremum farthest from `level` inside (from, to); the farthest sample when there is none. */
function largestTurningPoint(wave: Float64Array, level: number, from: number, to: number): number {
  let best = -1;
  for (let k = Math.max(1, from + 1); k < Math.min(wave.length - 1, to); k += 1) {
    const turning = (wave[k]! >= wave[k - 1]! && wave[k]! > wave[k + 1]!) || (wave[k]! <= wave[k - 1]! && wave[k]! < wave[k + 1]!);
    if (turning && (best < 0 || Math.abs(wave[k]! - level) > Math.abs(wave[best]! - level))) best = k;
  }
  return best < 0 ? argMaxDeviation(wave, level, from, to) : best;
}

/**
 * Trapezium-area method (Vázquez-Seisdedos et al.): walking from the steepest point `xm` of a
 * wave's flank towards a fixed point `xr` beyond it, the boundary is the point that maximises
 * the area of the trapezium (xm, candidate, xr). `polarity` is +1 for a wave above the
 * baseline, -1 for one below; xr may lie before xm (onsets) or after it (ends).
 */
function trapeziumBoundary(wave: Float64Array, xm: number, xr: number, polarity: number): number {
  const step = xr >= xm ? 1 : -1;
  let best = xm;
  let bestArea = -Infinity;
  for (let k = xm; k !== xr + step; k += step) {
    const area = polarity * (wave[xm]! - wave[k]!) * Math.abs(xr - k);
    if (area > bestArea) {
      bestArea = area;
      best = k;
    }
  }
  return best;
}

/** Steepest point of the flank from `peak` towards `limit`, where the wave heads back to baseline. */
function steepestFlank(slope: Float64Array, peak: number, limit: number, polarity: number): number {
  const step = limit >= peak ? 1 : -1;
  let xm = peak;
  let steepest = 0;
  for (let k = peak; k !== limit + step; k += step) {
    // Going forward the flank falls (slope against polarity); going back it rises.
    const steepness = -step * polarity * slope[k]!;
    if (steepness > steepest) {
      steepest = steepness;
      xm = k;
    }
  }
  return xm;
}

/** A lead's T end and its T height over that end (µV). */
interface TEndVote {
  end: number | null;
  amplitudeUv: number;
}

/** T end: trapezium method on the T downslope; a biphasic T ends with its later lobe. */
function findTEnd(wave: Float64Array, slope: Float64Array, level: number, from: number, to: number, reach: number, lobeReach: number): TEndVote & { peak: number | null } {
  if (to - from < 3) return { peak: null, end: null, amplitudeUv: 0 };
  // A turning point, not the window's first sample: a depressed or raised ST segment is no T peak.
  let peak = largestTurningPoint(wave, level, from, to);
  let polarity = wave[peak]! >= level ? 1 : -1;
  // A later lobe of the other polarity takes over when it is at least half as large and
  // stands out from the first by the first's full size (biphasic T, T after a depressed ST).
  let later: number | null = null;
  for (let k = peak + 1; k <= Math.min(to, peak + lobeReach); k += 1) {
    const deviation = -polarity * (wave[k]! - level);
    if (deviation > 0 && (later === null || deviation > -polarity * (wave[later]! - level))) later = k;
  }
  if (later !== null) {
    const mainUv = Math.abs(wave[peak]! - level);
    const laterUv = Math.abs(wave[later]! - level);
    if (laterUv >= Math.max(LOBE_MIN_UV, LOBE_FRACTION * mainUv) && Math.abs(wave[later]! - wave[peak]!) >= mainUv) {
      peak = later;
      polarity = -polarity;
    }
  }
  const xr = Math.min(to, peak + reach);
  const xm = steepestFlank(slope, peak, xr, polarity);
  const end = trapeziumBoundary(wave, xm, xr, polarity);
  // Height over its own end, so a raised ST segment does not make a flat T look large.
  return { peak, end, amplitudeUv: Math.abs(wave[peak]! - wave[end]!) };
}

/** A lead's P wave: peak, onset and height over the PR level (µV); nulls and 0 when it has none. */
interface PVote {
  peak: number | null;
  onset: number | null;
  amplitudeUv: number;
}

const NO_P: PVote = { peak: null, onset: null, amplitudeUv: 0 };

/**
 * P over several leads: the primary lead's P, unless it is a mere trace beside another lead's
 * (under P_SEEN_FRACTION of the largest P); then the earlier onset of the two. A flat or small
 * biphasic P on the primary otherwise gives the onset of its larger, later lobe. A P found on
 * other leads only is not taken: there AF's f-waves pass the P test on one lead of several.
 */
function consensusP(primary: PVote, others: readonly PVote[]): PVote {
  if (primary.onset === null) return primary;
  const largest = others.reduce((a, b) => (b.amplitudeUv > a.amplitudeUv ? b : a), primary);
  if (primary.amplitudeUv >= P_SEEN_FRACTION * largest.amplitudeUv) return primary;
  return largest.onset! < primary.onset ? largest : primary;
}

/** P onset: the trapezium method mirrored on the P upslope; null when no P wave stands out. */
function findPOnset(
  wave: Float64Array,
  slope: Float64Array,
  level: number,
  from: number,
  to: number,
  floor: number,
  reach: number,
  minUv: number,
  edge: number,
): PVote {
  if (to - from < 3) return NO_P;
  const peak = argMaxDeviation(wave, level, from, to);
  const amplitudeUv = Math.abs(wave[peak]! - level);
  if (amplitudeUv < minUv) return NO_P;
  // A peak on the window's edge is the tail of another wave (previous T), not a P wave.
  if (peak - from < edge) return NO_P;
  const polarity = wave[peak]! >= level ? 1 : -1;
  const onsetWithin = (xl: number) => trapeziumBoundary(wave, steepestFlank(slope, peak, xl, polarity), xl, polarity);
  const onset = onsetWithin(Math.max(0, peak - reach));
  // At fast rates the reach runs into the previous T wave: an onset there is the T's, so search again after it.
  return { peak, onset: onset >= floor ? onset : onsetWithin(Math.max(floor, peak - reach)), amplitudeUv };
}
