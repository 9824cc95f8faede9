/**
 * Synthetic 12-lead ECG with exact ground truth, for the simulator, tests and benchmarks.
 *
 * Each wave (P, Q, R, S, T; a PVC has its own QRS and T) is a Gaussian in time with one
 * amplitude per lead. Leads I and II come from a frontal-plane vector per wave; III, aVR, aVL
 * and aVF are derived from I and II (Einthoven/Goldberger), so they are consistent exactly.
 *
 * Ground truth is global, over all 12 leads (noise-free, whichever leads are emitted), as
 * 12-lead intervals are defined (IEC 60601-2-25): an onset is where that wave alone first
 * leaves the baseline by 20 µV (|value| >= 20 µV) in any lead; an offset or T end is where it
 * last rejoins it in any lead; each is given as the sample nearest to that instant.
 * PR = QRS onset - P onset, QRS = QRS offset - QRS onset, QT = T end - QRS onset.
 */

import { limbLeadValue } from './leads.js';

export interface BeatTruth {
  rSample: number;
  pOnset: number | null;
  qrsOnset: number;
  qrsOffset: number;
  tEnd: number;
  pvc: boolean;
}

export interface SyntheticEcgOptions {
  fsHz: number;
  hrBpm: number;
  /** Subset of the 12 standard leads, in the order wanted. */
  leads?: string[];
  /** Beat-to-beat RR variability (SD of RR, ms); 0 = perfectly regular. */
  hrvMs?: number;
  seed?: number;
  baselineWander?: boolean;
  mainsHz?: 0 | 50 | 60;
  muscleNoise?: boolean;
  /** Atrial fibrillation: no P waves, fibrillatory waves, irregularly irregular RR. */
  atrialFibrillation?: boolean;
  /** Every Nth beat is a premature ventricular beat (wide QRS, no P, compensatory pause). */
  pvcEvery?: number;
  prMs?: number;
  qrsMs?: number;
  /** Fixed QT; by default QT follows RR with a Bazett QTc of 400 ms. */
  qtMs?: number;
  /** Keep at most this many beats of ground truth (oldest dropped), for endless streams. */
  truthCapacity?: number;
}

export interface SyntheticEcg {
  leads: string[];
  fsHz: number;
  /** The next `count` samples, µV per lead (in `leads` order). Streams forever without drift. */
  next(count: number): Float32Array[];
  /** Ground truth of the beats generated so far (R peak already emitted). */
  truth(): BeatTruth[];
}

export const STANDARD_LEADS = ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'] as const;

/** Truth threshold: a wave starts or ends where it is 20 µV away from the baseline. */
export const TRUTH_THRESHOLD_UV = 20;

const DEFAULT_PR_MS = 160;
const DEFAULT_QRS_MS = 90;
const DEFAULT_QTC_MS = 400;

/** A wave shape: Gaussian centred `centerS` after the fiducial, with a frontal vector and V1..V6 amplitudes. */
interface WaveShape {
  centerS: number;
  sigmaS: number;
  /** Frontal-plane vector magnitude (µV) and axis (degrees, Cabrera). */
  magnitudeUv: number;
  axisDeg: number;
  precordialUv: readonly [number, number, number, number, number, number];
}

// Amplitudes are typical adult values; V1..V6 follow normal R-wave progression.
const NORMAL_P: Omit<WaveShape, 'centerS'> = { sigmaS: 0.025, magnitudeUv: 200, axisDeg: 60, precordialUv: [60, 80, 90, 100, 100, 90] };
// Septal q (r in V1-V3), main R (the S nadir of V1-V2), basal S, and V3's late terminal S: lobe
// timings give each lead's 20 µV onset and offset the spread LUDB's 12-lead beats show (docs/intervals.md).
const NORMAL_QRS: WaveShape[] = [
  { centerS: -0.028, sigmaS: 0.007, magnitudeUv: -110, axisDeg: 60, precordialUv: [190, 190, 110, -33, -45, -70] },
  { centerS: 0, sigmaS: 0.009, magnitudeUv: 1300, axisDeg: 50, precordialUv: [-700, -600, 500, 1400, 1500, 1200] },
  { centerS: 0.026, sigmaS: 0.008, magnitudeUv: -300, axisDeg: 80, precordialUv: [-150, 0, 0, -500, -150, -60] },
  { centerS: 0.03, sigmaS: 0.008, magnitudeUv: 0, axisDeg: 0, precordialUv: [0, -150, -900, 0, 0, 0] },
];
const NORMAL_T: Omit<WaveShape, 'centerS'> = { sigmaS: 0.04, magnitudeUv: 350, axisDeg: 45, precordialUv: [-50, 250, 400, 450, 350, 250] };
// A left-ventricular PVC: wide, axis to the upper left, discordant T.
const PVC_QRS: WaveShape[] = [
  { centerS: 0, sigmaS: 0.028, magnitudeUv: 1200, axisDeg: -60, precordialUv: [1200, 1000, 600, -300, -700, -800] },
  { centerS: 0.05, sigmaS: 0.018, magnitudeUv: -350, axisDeg: -60, precordialUv: [-300, -200, 0, 200, 300, 300] },
];
const PVC_T: Omit<WaveShape, 'centerS'> = { sigmaS: 0.06, magnitudeUv: 450, axisDeg: 120, precordialUv: [-400, -300, 0, 300, 350, 300] };
const PVC_EXTRA_QT_S = 0.06;
const PVC_COUPLING = 0.6;

function gaussian(tS: number, centerS: number, sigmaS: number): number {
  const z = (tS - centerS) / sigmaS;
  return Math.exp(-0.5 * z * z);
}

/** Independent leads generated directly; the rest are derived from I and II. */
const PRECORDIAL = ['V1', 'V2', 'V3', 'V4', 'V5', 'V6'];
const BASE_LEADS = ['I', 'II', ...PRECORDIAL];

function baseWeights(shape: Pick<WaveShape, 'magnitudeUv' | 'axisDeg' | 'precordialUv'>): Float64Array {
  const out = new Float64Array(BASE_LEADS.length);
  out[0] = shape.magnitudeUv * Math.cos((shape.axisDeg * Math.PI) / 180);
  out[1] = shape.magnitudeUv * Math.cos(((shape.axisDeg - 60) * Math.PI) / 180);
  for (let v = 0; v < 6; v += 1) out[2 + v] = shape.precordialUv[v]!;
  return out;
}

function deriveLead(name: string, base: Float64Array): number {
  return limbLeadValue(name, base[0]!, base[1]!) ?? base[2 + PRECORDIAL.indexOf(name)]!;
}

/** A wave's amplitude (µV) on each of the 12 standard leads, the leads the truth is taken on. */
function allLeadsUv(shape: Pick<WaveShape, 'magnitudeUv' | 'axisDeg' | 'precordialUv'>): Float64Array {
  const base = baseWeights(shape);
  return Float64Array.from(STANDARD_LEADS, (name) => deriveLead(name, base));
}

/** Time (s) from a single Gaussian's centre to where it falls to the truth threshold in its largest lead. */
function halfWidthS(shape: Omit<WaveShape, 'centerS'>): number {
  const amplitude = Math.max(...allLeadsUv(shape).map(Math.abs));
  return amplitude > TRUTH_THRESHOLD_UV ? shape.sigmaS * Math.sqrt(2 * Math.log(amplitude / TRUTH_THRESHOLD_UV)) : 0;
}

/** A wave placed in time (any unit), with its amplitude on every lead. */
interface TruthWave {
  center: number;
  sigma: number;
  leadsUv: Float64Array;
}

/** Whether the sum of `waves` at time `t` is at least the threshold away from the baseline in any lead. */
function reachesThreshold(waves: readonly TruthWave[], t: number, weights: Float64Array): boolean {
  for (let w = 0; w < waves.length; w += 1) weights[w] = gaussian(t, waves[w]!.center, waves[w]!.sigma);
  for (let lead = 0; lead < STANDARD_LEADS.length; lead += 1) {
    let value = 0;
    for (let w = 0; w < waves.length; w += 1) value += waves[w]!.leadsUv[lead]! * weights[w]!;
    if (Math.abs(value) >= TRUTH_THRESHOLD_UV) return true;
  }
  return false;
}

/** First and last point of the grid `from + k·step` (up to `to`) where the sum of `waves` reaches the threshold in any lead. */
function thresholdExtent(waves: readonly TruthWave[], from: number, to: number, step: number): { first: number; last: number } {
  const weights = new Float64Array(waves.length);
  let first = Number.NaN;
  let last = Number.NaN;
  for (let k = 0; from + k * step <= to; k += 1) {
    const t = from + k * step;
    if (!reachesThreshold(waves, t, weights)) continue;
    if (Number.isNaN(first)) first = t;
    last = t;
  }
  return { first, last };
}

/**
 * The samples nearest to where the waves cross the threshold: the first and last sample at or
 * above it, moved one sample out when the crossing lies less than half a sample outside them.
 */
function nearestSampleExtent(waves: readonly TruthWave[], from: number, to: number): { first: number; last: number } {
  const { first, last } = thresholdExtent(waves, from, to, 1);
  if (Number.isNaN(first)) return { first, last };
  const weights = new Float64Array(waves.length);
  return {
    first: reachesThreshold(waves, first - 0.5, weights) ? first - 1 : first,
    last: reachesThreshold(waves, last + 0.5, weights) ? last + 1 : last,
  };
}

/** First and last time (s, fine grid) where a sum of waves reaches the threshold in any lead. */
function extentS(waves: readonly WaveShape[]): { startS: number; endS: number } {
  const { first, last } = thresholdExtent(
    waves.map((w) => ({ center: w.centerS, sigma: w.sigmaS, leadsUv: allLeadsUv(w) })),
    -0.3,
    0.3,
    1e-5,
  );
  return { startS: first, endS: last };
}

/** QRS waves stretched in time so the global duration at the threshold is `qrsS`, with R at 0. */
function scaledQrs(qrsS: number): { waves: WaveShape[]; onsetS: number } {
  const scale = qrsS / (NORMAL_EXTENT.endS - NORMAL_EXTENT.startS);
  return {
    waves: NORMAL_QRS.map((w) => ({ ...w, centerS: w.centerS * scale, sigmaS: w.sigmaS * scale })),
    onsetS: NORMAL_EXTENT.startS * scale,
  };
}

const NORMAL_EXTENT = extentS(NORMAL_QRS);
const PVC_EXTENT = extentS(PVC_QRS);

/** Deterministic PRNG (mulberry32) with a Gaussian helper. */
function createRandom(seed: number): { uniform(): number; normal(): number } {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let spare: number | null = null;
  const normal = () => {
    if (spare !== null) {
      const value = spare;
      spare = null;
      return value;
    }
    // Box-Muller gives two independent values; keep the second for the next call.
    const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
    const angle = 2 * Math.PI * uniform();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
  return { uniform, normal };
}

/** One scheduled beat: its waves in absolute sample time, with the per-lead weights precomputed. */
interface ScheduledBeat {
  truth: BeatTruth;
  waves: { centerSample: number; sigmaSamples: number; reach: number; weights: Float64Array }[];
  firstSample: number;
  lastSample: number;
}

/** A lead as a weighted sum of the independent leads (I, II, V1..V6). */
function leadCoefficients(name: string): Float64Array {
  return Float64Array.from(BASE_LEADS, (_, b) => deriveLead(name, Float64Array.from(BASE_LEADS, (__, j) => (j === b ? 1 : 0))));
}

function validate(options: SyntheticEcgOptions): string[] {
  const { fsHz, hrBpm } = options;
  if (!(Number.isFinite(fsHz) && fsHz >= 50 && fsHz <= 10000)) throw new RangeError(`fsHz must be 50..10000, got ${fsHz}`);
  if (!(Number.isFinite(hrBpm) && hrBpm >= 20 && hrBpm <= 250)) throw new RangeError(`hrBpm must be 20..250, got ${hrBpm}`);
  const leads = options.leads ?? [...STANDARD_LEADS];
  if (leads.length === 0) throw new RangeError('leads must name at least one lead');
  for (const lead of leads) {
    if (!(STANDARD_LEADS as readonly string[]).includes(lead)) throw new RangeError(`unknown lead "${lead}" (use ${STANDARD_LEADS.join(', ')})`);
  }
  const positive = (name: string, value: number | undefined, max: number) => {
    if (value !== undefined && !(Number.isFinite(value) && value > 0 && value <= max)) throw new RangeError(`${name} must be in (0, ${max}], got ${value}`);
  };
  positive('prMs', options.prMs, 400);
  positive('qrsMs', options.qrsMs, 200);
  positive('qtMs', options.qtMs, 700);
  if (options.hrvMs !== undefined && !(options.hrvMs >= 0 && options.hrvMs <= 200)) throw new RangeError(`hrvMs must be 0..200, got ${options.hrvMs}`);
  if (options.pvcEvery !== undefined && !(Number.isInteger(options.pvcEvery) && options.pvcEvery >= 2)) {
    throw new RangeError(`pvcEvery must be an integer >= 2, got ${options.pvcEvery}`);
  }
  return leads;
}

export function createSyntheticEcg(options: SyntheticEcgOptions): SyntheticEcg {
  const leads = validate(options);
  const { fsHz, hrBpm } = options;
  const seed = options.seed ?? 1;
  // Separate streams so the output does not depend on how the caller chunks next().
  const random = createRandom(seed);
  const noiseRandom = createRandom(seed ^ 0x9e3779b9);
  const meanRrS = 60 / hrBpm;
  const hrvS = (options.hrvMs ?? 0) / 1000;
  const prS = (options.prMs ?? DEFAULT_PR_MS) / 1000;
  const qrs = scaledQrs((options.qrsMs ?? DEFAULT_QRS_MS) / 1000);
  const truthCapacity = options.truthCapacity ?? Number.POSITIVE_INFINITY;

  const leadIndex = leads.map((name) => name);
  const noise = createNoise(options, noiseRandom, fsHz);

  const scheduled: ScheduledBeat[] = [];
  const truths: BeatTruth[] = [];
  let beatCount = 0;
  let nextRSample = Math.round(Math.min(0.5, 0.6 * meanRrS) * fsHz); // first beat early, with its P inside the record
  let sampleIndex = 0;

  const sampleOf = (seconds: number) => seconds * fsHz;
  /** First/last integer sample where the sum of `waves` (absolute centres in samples) reaches the threshold in any lead. */
  const truthExtent = (waves: TruthWave[], from: number, to: number) => nearestSampleExtent(waves, Math.floor(from), Math.ceil(to));

  const schedule = (rSample: number, rrS: number, pvc: boolean) => {
    const shapes: WaveShape[] = [];
    let qrsShapes: WaveShape[];
    let tShape: WaveShape;
    let pShape: WaveShape | null = null;
    if (pvc) {
      qrsShapes = PVC_QRS;
      const qtS = (options.qtMs ?? DEFAULT_QTC_MS * Math.sqrt(meanRrS)) / 1000 + PVC_EXTRA_QT_S;
      tShape = { ...PVC_T, centerS: PVC_EXTENT.startS + qtS - halfWidthS(PVC_T) };
    } else {
      qrsShapes = qrs.waves;
      const qtS = options.qtMs !== undefined ? options.qtMs / 1000 : (DEFAULT_QTC_MS / 1000) * Math.sqrt(rrS);
      // T narrows at fast rates, as real T waves do, so it keeps clear of the QRS.
      const tBase = { ...NORMAL_T, sigmaS: NORMAL_T.sigmaS * Math.sqrt(Math.min(1.5, rrS)) };
      tShape = { ...tBase, centerS: qrs.onsetS + qtS - halfWidthS(tBase) };
      if (!options.atrialFibrillation) pShape = { ...NORMAL_P, centerS: qrs.onsetS - prS + halfWidthS(NORMAL_P) };
    }
    shapes.push(...qrsShapes, tShape);
    if (pShape) shapes.push(pShape);
    const toSamples = (w: WaveShape): TruthWave => ({ center: rSample + sampleOf(w.centerS), sigma: sampleOf(w.sigmaS), leadsUv: allLeadsUv(w) });
    const qrsExtent = truthExtent(qrsShapes.map(toSamples), rSample - sampleOf(0.3), rSample + sampleOf(0.3));
    const tWave = toSamples(tShape);
    const tExtent = truthExtent([tWave], tWave.center, tWave.center + 6 * tWave.sigma);
    const pWave = pShape ? toSamples(pShape) : null;
    const pExtent = pWave ? truthExtent([pWave], pWave.center - 6 * pWave.sigma, pWave.center) : null;
    const truth: BeatTruth = {
      rSample,
      pOnset: pExtent ? pExtent.first : null,
      qrsOnset: qrsExtent.first,
      qrsOffset: qrsExtent.last,
      tEnd: tExtent.last,
      pvc,
    };
    const waves = shapes.map((shape) => {
      const { center, sigma } = toSamples(shape);
      const base = baseWeights(shape);
      return { centerSample: center, sigmaSamples: sigma, reach: 5 * sigma, weights: Float64Array.from(leadIndex.map((name) => deriveLead(name, base))) };
    });
    scheduled.push({
      truth,
      waves,
      firstSample: Math.min(...waves.map((w) => w.centerSample - w.reach)),
      lastSample: Math.max(...waves.map((w) => w.centerSample + w.reach)),
    });
  };

  /** Next RR (s): respiratory sinus arrhythmia plus random variation, mean preserved. */
  const nextRrS = () => {
    if (options.atrialFibrillation) return meanRrS * (1 + 0.3 * (2 * random.uniform() - 1));
    const breathing = Math.sin((2 * Math.PI * 0.25 * nextRSample) / fsHz);
    const rrS = meanRrS + hrvS * (breathing * 0.7 + random.normal() * 0.7);
    return Math.max(0.6 * meanRrS, Math.min(1.4 * meanRrS, rrS));
  };

  const scheduleUntil = (sample: number) => {
    while (nextRSample - sampleOf(0.5) <= sample) {
      beatCount += 1;
      const rrS = nextRrS();
      const pvc = options.pvcEvery !== undefined && beatCount % options.pvcEvery === 0;
      if (pvc) {
        // Premature by the coupling ratio, then a compensatory pause: the sinus rhythm is unchanged.
        const pvcSample = nextRSample - Math.round(sampleOf((1 - PVC_COUPLING) * rrS));
        schedule(pvcSample, PVC_COUPLING * rrS, true);
        nextRSample += Math.round(sampleOf(rrS));
        continue;
      }
      schedule(nextRSample, rrS, false);
      nextRSample += Math.round(sampleOf(rrS));
    }
  };

  const next = (count: number): Float32Array[] => {
    if (!(Number.isInteger(count) && count >= 0)) throw new RangeError(`count must be a non-negative integer, got ${count}`);
    const out = leads.map(() => new Float32Array(count));
    scheduleUntil(sampleIndex + count + sampleOf(1));
    const end = sampleIndex + count;
    for (const beat of scheduled) {
      const from = Math.max(sampleIndex, Math.ceil(beat.firstSample));
      const to = Math.min(end - 1, Math.floor(beat.lastSample));
      for (const wave of beat.waves) {
        const lo = Math.max(from, Math.ceil(wave.centerSample - wave.reach));
        const hi = Math.min(to, Math.floor(wave.centerSample + wave.reach));
        for (let n = lo; n <= hi; n += 1) {
          const g = gaussian(n, wave.centerSample, wave.sigmaSamples);
          for (let l = 0; l < leads.length; l += 1) out[l]![n - sampleIndex]! += wave.weights[l]! * g;
        }
      }
    }
    noise.add(out, sampleIndex);
    sampleIndex = end;
    // Retire beats that are fully emitted, keeping their truth.
    while (scheduled.length > 0 && scheduled[0]!.lastSample < sampleIndex && scheduled[0]!.truth.rSample < sampleIndex) {
      truths.push(scheduled.shift()!.truth);
      if (truths.length > truthCapacity) truths.splice(0, truths.length - truthCapacity);
    }
    return out;
  };

  const truth = (): BeatTruth[] => {
    const pending = scheduled.filter((beat) => beat.truth.rSample < sampleIndex).map((beat) => beat.truth);
    return [...truths, ...pending].sort((a, b) => a.rSample - b.rSample).map((t) => ({ ...t }));
  };

  return { leads: [...leads], fsHz, next, truth };
}

/** Baseline wander, mains hum and muscle noise, generated on I, II and V1..V6 and derived for the rest. */
function createNoise(options: SyntheticEcgOptions, random: { uniform(): number; normal(): number }, fsHz: number) {
  const leads = options.leads ?? [...STANDARD_LEADS];
  const wanderPhase = BASE_LEADS.map(() => 2 * Math.PI * random.uniform());
  const wanderScaleUv = BASE_LEADS.map(() => 100 + 100 * random.uniform());
  const mainsPhase = BASE_LEADS.map(() => 2 * Math.PI * random.uniform());
  const mainsUv = 30;
  const muscleRmsUv = 15;
  const fibrillationUv = 40;
  // Fibrillatory waves project mostly on II, III, aVF and V1 (an inferior-anterior axis).
  const fibrillationWeights = BASE_LEADS.map((name) => ({ I: 0.3, II: 1, V1: 1.2, V2: 0.6 })[name] ?? 0.2);
  // sin(ωt + φ) = sin ωt·cos φ + cos ωt·sin φ: the per-lead phases cost no trigonometry per sample.
  const cosOf = (phases: number[]) => phases.map(Math.cos);
  const sinOf = (phases: number[]) => phases.map(Math.sin);
  const wanderCos = cosOf(wanderPhase);
  const wanderSin = sinOf(wanderPhase);
  const driftCos = cosOf(wanderPhase.map((p) => 2 * p));
  const driftSin = sinOf(wanderPhase.map((p) => 2 * p));
  const mainsCos = cosOf(mainsPhase);
  const mainsSin = sinOf(mainsPhase);
  const coefficients = leads.map(leadCoefficients);
  const base = new Float64Array(BASE_LEADS.length);
  const enabled = options.baselineWander === true || (options.mainsHz ?? 0) > 0 || options.muscleNoise === true || options.atrialFibrillation === true;
  return {
    add(out: Float32Array[], firstSample: number): void {
      if (!enabled) return;
      const count = out[0]!.length;
      for (let i = 0; i < count; i += 1) {
        const tS = (firstSample + i) / fsHz;
        // Respiration (0.25 Hz) plus slow electrode drift (0.05 Hz).
        const breathSin = Math.sin(2 * Math.PI * 0.25 * tS);
        const breathCos = Math.cos(2 * Math.PI * 0.25 * tS);
        const driftS = Math.sin(2 * Math.PI * 0.05 * tS);
        const driftC = Math.cos(2 * Math.PI * 0.05 * tS);
        const mainsS = options.mainsHz ? Math.sin(2 * Math.PI * options.mainsHz * tS) : 0;
        const mainsC = options.mainsHz ? Math.cos(2 * Math.PI * options.mainsHz * tS) : 0;
        const fibrillation = options.atrialFibrillation
          ? fibrillationUv * (0.6 + 0.4 * Math.sin(2 * Math.PI * 0.3 * tS)) * (Math.sin(2 * Math.PI * 5.7 * tS) + 0.5 * Math.sin(2 * Math.PI * 7.3 * tS + 1))
          : 0;
        for (let b = 0; b < BASE_LEADS.length; b += 1) {
          let value = fibrillationWeights[b]! * fibrillation;
          if (options.baselineWander) {
            value += wanderScaleUv[b]! * (breathSin * wanderCos[b]! + breathCos * wanderSin[b]! + 0.5 * (driftS * driftCos[b]! + driftC * driftSin[b]!));
          }
          if (options.mainsHz) value += mainsUv * (mainsS * mainsCos[b]! + mainsC * mainsSin[b]!);
          if (options.muscleNoise) value += muscleRmsUv * random.normal();
          base[b] = value;
        }
        for (let l = 0; l < leads.length; l += 1) {
          const c = coefficients[l]!;
          let value = 0;
          for (let b = 0; b < BASE_LEADS.length; b += 1) value += c[b]! * base[b]!;
          out[l]![i]! += value;
        }
      }
    },
  };
}
