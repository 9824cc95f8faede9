/**
 * Real-time multi-lead QRS detector.
 *
 * Per lead: two moving averages (one mains period at 50 Hz and one at 60 Hz, so both mains
 * frequencies and their harmonics sit in zeros), then at a reduced feature rate (~120 Hz or more)
 * a slope over 32 ms, squared, divided by the lead's local slope power (a centred 0.6 s mean,
 * floored at 0.7 of its 10 s mean: a lead hit by a motion artefact weighs less while it lasts).
 * The rising and falling parts of that energy are integrated apart over 100 ms and the smaller
 * kept (a QRS goes up and comes back; a step or a drift goes one way); peaks of the leads' mean
 * become candidates (the larger of two within 200 ms wins, unless in a steady rhythm the other is
 * shaped like the QRS at the expected beat and the larger lies well off it), each scored by the
 * leads' power mean (exponent 5/8: a QRS shows in every lead at once, an artefact usually in
 * one). Every filter is a centred FIR, so the whole chain has one known integer delay and no phase
 * distortion.
 * Candidates are classified with adaptive signal/noise levels (Pan-Tompkins style, threshold 0.4
 * of the way from noise to signal, raised up to 2× where even the cleanest lead is in an
 * artefact; where some lead is, a clean lead that showed the last beat must show it too), a
 * 200 ms refractory, a slope test against tall T waves within 360 ms (a stricter one up to a long
 * QT at slow rates), and searchback at half the threshold when no beat came for 1.66 mean RR
 * (preferring the candidate nearest one mean RR after the last beat and most like each lead's
 * running QRS template in the slope signal; in an artefact from 0.4 of the threshold; where any
 * lead is in one, also a candidate shaped like the template whatever its energy, and the
 * candidates that lost the 200 ms merge; and before a late beat, a candidate shaped like the
 * template nearer the expected beat). At fast rates (mean RR under 0.6 s), a QRS-shaped candidate
 * that would be rejected is measured again without the neighbouring QRS complexes in its leads'
 * local power and cleanness (only their excess where every lead steepens at once, so a motion burst
 * in one lead stays in; one lead alone, only where its slopes match its QRS template and while its
 * noise level is low). Where the noise level is high, an early, weak candidate unlike the
 * templates is left to searchback (muscle noise). A beat weaker than the beats so far, taken where
 * some lead is in an artefact, is held until the next beat: if it then lies off the midpoint of
 * its neighbours two mean RR apart, a QRS-shaped candidate nearer that midpoint replaces it (a burst
 * peak taken beside a missed QRS; after an early beat, only a candidate with 0.4 of its energy, as
 * a premature beat is followed by weaker peaks, and not where a clean lead shows both, unless
 * searchback took it; a QRS-shaped candidate scoring five times as well replaces it regardless). The first
 * 2 s are buffered so each lead's power is known from the first sample. An accepted beat is re-anchored to the R peak: the largest deflection of the analysis
 * lead (12 ms mean minus a centred 300 ms mean) within ±75 ms, on the record's dominant polarity
 * unless the other is 1.6× larger. Positions are in the stream's own
 * sample numbering, without jitter; a beat is reported a constant ~0.6 s after its R peak (later
 * by searchback, or when held in an artefact until the next beat).
 */

import { DetectorKernels } from './detector-kernels.js';

export interface QrsDetectorOptions {
  fsHz: number;
  /** Number of leads pushed to the detector (each `push` gets one value per lead). */
  leadCount: number;
  /** Index (into the pushed leads) of the lead the R peak is anchored on. */
  anchorLead?: number;
  /** Sample number of the first pushed sample (default 0). */
  firstSample?: number;
}

export interface DetectedBeat {
  /** R peak, in the stream's sample numbering. */
  sample: number;
  /** Height of the integrated slope energy at this beat, in the detector's own units. */
  strength: number;
  /** True when the beat was recovered by searchback (or moved there when its neighbours were known). */
  searchback: boolean;
}

interface Candidate {
  /** Centre of the QRS energy (aligned sample number). */
  at: number;
  energy: number;
  slope: number;
  /** The cleanest lead's cleanness here: its slope power floor over the power around the candidate (1 = no artefact). */
  clean: number;
  /** Feature index of the candidate (the integral's peak); -1 for a stand-in beat. */
  index: number;
  /**
   * The leads' slopes here projected on their QRS templates (1 = the template, 0 without one);
   * NaN until searchback first needs it (computed at candidates only where a decision asks).
   */
  match: number;
  /** Whether the energy and cleanness were already measured again without the neighbouring beats' QRS excess (at fast rates). */
  spaced: boolean;
}

const LEARN_S = 2;
/** The second-largest candidate of the first 2 s is a beat when it is at least this fraction of the largest. */
const LEARN_SECOND_FRACTION = 0.25;
const CANDIDATE_MERGE_S = 0.2;
const REFRACTORY_S = 0.2;
const T_WAVE_WINDOW_S = 0.36;
/**
 * At slow rates the T wave peaks later than 360 ms after its QRS (about 450 ms at 25 bpm): up to
 * a long QT for the mean RR (QTc 500 ms), a candidate less than this fraction as steep as the last
 * beat is its T wave. A T wave is 5-20 % as steep as its QRS, an early ventricular beat 30 % or more.
 */
const LATE_T_WAVE_QTC_S = 0.5;
const LATE_T_WAVE_SLOPE_RATIO = 0.25;
const ANCHOR_HALF_S = 0.075;
const BASELINE_S = 0.3;
const ANCHOR_SMOOTH_S = 0.012;
const INTEGRATION_S = 0.1;
/** Slope over 32 ms: a differentiator peaking near 16 Hz, the QRS band, with a zero at ~31 Hz against EMG. */
const SLOPE_LAG_S = 0.032;
const MAX_CANDIDATES = 64;
/** Half length of each lead's QRS template in the slope signal: the QRS with a little margin. */
const TEMPLATE_HALF_S = 0.06;
/** A candidate's energy centre may sit this far from where the template's QRS would. */
const SHAPE_LAG_S = 0.025;
/**
 * Where a lead is in an artefact, a candidate's match is also sought this far out, discounted by
 * MATCH_FAR_WEIGHT: a burst or a step can move the energy centre 40 ms off its QRS, and the
 * template then meets its slopes out of phase.
 */
const MATCH_LAG_S = 0.05;
/** Weight of a match found beyond SHAPE_LAG_S: a burst peak sought over a wider span finds a better-looking fit too. */
const MATCH_FAR_WEIGHT = 0.6;
/** The wider search runs only where some lead is this deep in an artefact (at fast rates a neighbouring QRS lowers it to ~0.75). */
const MATCH_FAR_CLEANNESS = 0.5;
/** Weight of each new clean beat in the running template. */
const TEMPLATE_RATE = 0.125;
/**
 * Where any lead is in an artefact, a candidate whose slopes project on the QRS templates at least
 * this much (1 = the template itself) is shaped like a QRS: searchback may take it whatever its
 * energy, which a burst lowers through the local power normalisation.
 */
const SHAPED_MATCH = 0.4;
/** Searchback's evidence counts a template match up to this (beats vary by about ±20 % in amplitude). */
const MATCH_CAP = 1.2;
/**
 * A beat above the threshold this many mean RR after the last one is late: where a candidate in an
 * artefact matching the templates at least LATE_BEAT_MATCH lies nearer the expected beat and
 * scores higher, that one is taken first (below 0.8, muscle noise in sinus pauses passes for it).
 */
const LATE_BEAT_RR = 1.2;
const LATE_BEAT_MATCH = 0.8;
/**
 * Where some lead is in an artefact, a candidate is taken by the threshold only if a clean lead
 * that showed the last beat shows it too, with at least this fraction of its integral at beats (a
 * QRS shows in every lead; a burst peak in one lead, with the other flat, is not a beat).
 */
const LOBE_MIN = 0.1;
/**
 * Where the noise level is at least EARLY_NOISE_RATIO of the signal level (muscle noise at 0 dB
 * puts it near a quarter; clean records and 12 dB stay under a tenth), the threshold does not take
 * a candidate under EARLY_RR mean RR after the last beat that is weaker than EARLY_ENERGY of the
 * beats' level (an amplitude about 84 % of theirs) and unlike the QRS templates (match under
 * SHAPED_MATCH): such peaks are EMG bursts clearing the threshold by a little; a premature beat is
 * stronger or shaped like a QRS. Searchback can still take it.
 */
const EARLY_NOISE_RATIO = 0.2;
const EARLY_RR = 0.75;
const EARLY_ENERGY = 0.7;
/** Threshold between the noise and signal levels; above Pan-Tompkins' 0.25 for noise robustness, searchback covers the rest. */
const THRESHOLD_FRACTION = 0.4;
/** The slope energy and everything after it run at fs / D, D the largest integer keeping this rate (the moving averages band-limit it first). */
const FEATURE_RATE_HZ = 120;
/** Each lead's slow mean slope power (the floor of its local power) is tracked over this window, longer than a pause. */
const POWER_WINDOW_S = 10;
/** A lead's slope energy is divided by its own mean over this centred window: short enough to follow an artefact, longer than a QRS with its neighbourhood. */
const LOCAL_NOISE_S = 0.6;
/** The local power is floored at this fraction of the slow power, so a pause does not amplify noise. */
const LOCAL_FLOOR = 0.7;
/**
 * Under this mean RR (the local window's length) a beat's neighbours fall inside its local window,
 * halve its energy and make its leads look like an artefact: a candidate shaped like the QRS
 * templates that the threshold or the T-wave rule would reject is then measured again without their
 * QRS excess.
 */
const FAST_RR_S = LOCAL_NOISE_S;
/** Each lead's slope energy over this short window (a QRS's steep part) is compared with its slow power, to find where every lead steepens at once. */
const STEEP_S = 0.056;
/** Where every lead's short-window slope energy is at least this many times its slow power, the leads steepen together: a QRS (an electrode-motion burst is in one lead). */
const COMMON_RATIO = 2;
/** There, a lead's slope energy beyond this many times its slow power is a QRS's excess. */
const QRS_EXCESS_CAP = 1;
/**
 * With one lead, coincidence cannot tell a neighbouring QRS from a motion burst: there, excess is a
 * neighbour's only within a template length of a slope span correlating with the lead's QRS template
 * at least this much and at least NEIGHBOUR_AMPLITUDE as large.
 */
const NEIGHBOUR_CORRELATION = 0.9;
const NEIGHBOUR_AMPLITUDE = 0.7;
/** One lead alone is corrected only while its noise level is under this fraction of its signal level (its rejected candidates small: not in muscle noise). */
const QUIET_NOISE_RATIO = 0.3;
/** Within this of the candidate's centre is its own QRS: its excess stays, and without any the lead is not corrected (a P wave keeps the QRS after it). */
const OWN_QRS_S = 0.1;

/**
 * Where even the cleanest lead is in an artefact, the threshold is raised by up to this fraction
 * of itself (in proportion to how noisy that lead is): a burst's candidates come early and
 * searchback then picks the one nearest the expected beat.
 */
const NOISY_THRESHOLD_RAISE = 1;
/**
 * A lead is in an artefact where its cleanness is below this (power around the candidate over
 * 1.4× its floor: a motion burst, not the steady EMG that muscle noise adds); a candidate is, when
 * even its cleanest lead is, and searchback then accepts it down to a lower fraction of the
 * threshold. Where any lead is, a burst peak can outgrow the QRS beside it, so a candidate that
 * loses the 200 ms merge is still kept for searchback.
 */
const ARTEFACT_CLEANNESS = 0.7;
/** Searchback threshold, as a fraction of the threshold: Pan-Tompkins' half, lower in an artefact. */
const SEARCHBACK_FRACTION = 0.5;
const ARTEFACT_SEARCHBACK_FRACTION = 0.4;
/** Searchback is due when no beat came for this many mean RR intervals. */
const SEARCHBACK_RR = 1.66;
/** Searchback prefers candidates near one mean RR after the last beat: a candidate this fraction of an RR away counts half. */
const SEARCHBACK_RR_SPREAD = 0.25;

/**
 * A beat weaker than the beats so far, accepted where some lead is in an artefact, is held until
 * the next beat. If that one is not held itself and the held beat's neighbours lie two mean RR
 * apart (within this fraction of an RR), a candidate between them shaped like the QRS (match at
 * least SHAPED_MATCH), on the far side of the held beat from their midpoint, takes its place when
 * its evidence, discounted by the distance from the midpoint (REFIT_SPREAD of the half-interval
 * counts half), is larger: a beat off the midpoint of a doubled interval is no rhythm, but a burst
 * peak taken beside a missed QRS.
 */
const REFIT_SPAN_RR = 0.3;
const REFIT_SPREAD = 0.15;
/**
 * An early held beat followed by a longer interval is also a premature beat's pattern, which the
 * rhythm cannot tell from a burst peak before a missed QRS. The strength can: after a premature
 * beat the midpoint holds its T wave or a burst peak far weaker than it (3-40 % of its energy on
 * the noise-stress records, mostly under 30 %), while a QRS missed beside a burst peak mostly keeps
 * over 40 % of that peak's. So a candidate after an early held beat replaces it only with at least
 * this fraction of its energy, and only where even the cleanest lead is in an artefact at one of
 * the two (a clean lead showing both saw the premature beat) or where searchback took the held
 * beat (a lead can look clean against a slow power raised by long bursts, and searchback's pick has
 * no clean witness).
 */
const REFIT_EARLY_ENERGY = 0.4;
/**
 * An early held beat may also be refitted when its neighbours lie up to this fraction of an RR
 * beyond two mean RR (in bursts, misses lengthen and false beats shorten the mean RR; the held
 * beats this adds on the noise-stress records, 2.3-2.5 RR spans, lay before a missed QRS). Not a
 * late held beat, which in those spans was the QRS after a misplaced neighbour.
 */
const REFIT_EARLY_LONG_SPAN_RR = 0.6;
/**
 * A candidate scoring this many times the held beat in the refit (evidence discounted by the
 * distance from the midpoint) and shaped like the QRS (match at least LATE_BEAT_MATCH) replaces it
 * even where an early held beat's energy and clean-lead conditions would keep it, and, with two
 * leads or more, even where the neighbours lie up to REFIT_WIDE_SPAN_RR from two mean RR apart.
 * A premature beat is followed by its T wave and weaker peaks, not by a candidate five times as
 * good a beat at the rhythm's place (motion noise, all 42 records, seeds 1-3: misplaced beats the
 * other rules kept scored 5-26 times below such a candidate). One lead alone: its match is
 * measured in the very noise that placed the held beat, and the wider spans cost beats there.
 */
const REFIT_OVERWHELMING_RATIO = 5;
const REFIT_WIDE_SPAN_RR = 0.8;
/**
 * Two QRS complexes cannot lie within the 200 ms merge window, so of two candidates there the
 * stronger usually wins. In a steady rhythm the weaker one wins instead when it lies within
 * RHYTHM_PICK_NEAR_RR of one mean RR after the last beat, is shaped like the QRS (match at least
 * RHYTHM_PICK_MATCH) with at least RHYTHM_PICK_ENERGY of the stronger one's energy, and the
 * stronger one lies more than RHYTHM_PICK_OFF_RR from the expected beat: a spike or burst peak
 * 150-200 ms off the rhythm outgrew the QRS beside it (a premature beat is not followed or preceded
 * within 200 ms by a QRS-shaped candidate where the rhythm expects the beat).
 */
const RHYTHM_PICK_NEAR_RR = 0.15;
const RHYTHM_PICK_OFF_RR = 0.25;
const RHYTHM_PICK_MATCH = 0.9;
const RHYTHM_PICK_ENERGY = 0.3;
/**
 * The rhythm counts as steady when each of the last 8 RR intervals lies within this fraction of
 * their mean; and only while the noise level is under RHYTHM_PICK_NOISE_RATIO of the signal level
 * (in muscle noise at 0 dB, over 0.4, the levels drift and a changed pick sets off other changes).
 */
const STEADY_RR = 0.25;
const RHYTHM_PICK_NOISE_RATIO = 0.4;

/** Added to a lead's local slope power before its weight is taken as the inverse, so a silent lead's weight stays finite. */
const WEIGHT_FLOOR = 1e-6;

/** Zero stored as a double, so the engine never migrates a level field's representation mid-stream (which would discard optimised code). */
const DOUBLE_ZERO = -0;

function oddLength(samples: number): number {
  const n = Math.max(1, Math.round(samples));
  return n % 2 === 1 ? n : n + 1;
}

/** x^(5/8) = x^(1/2) · x^(1/8), the exponent of the power mean that combines the leads (square roots cost far less than Math.pow). */
function powerFiveEighths(x: number): number {
  const root = Math.sqrt(x);
  return root * Math.sqrt(Math.sqrt(root));
}

function nextPowerOfTwo(n: number): number {
  let size = 1;
  while (size < n) size <<= 1;
  return size;
}

/** The feature chain's window lengths at a sample rate, and the delay of its centre (samples). */
function featureChain(fsHz: number) {
  const lengthA = Math.max(1, Math.round(fsHz / 50));
  const lengthB = Math.max(1, Math.round(fsHz / 60));
  const decimation = Math.max(1, Math.floor(fsHz / FEATURE_RATE_HZ));
  const featureHz = fsHz / decimation;
  // In feature samples, so the second moving sum is only needed at the feature rate.
  const slopeLag = Math.max(1, Math.round(SLOPE_LAG_S * featureHz));
  const lengthLocal = oddLength(LOCAL_NOISE_S * featureHz);
  const lengthIntegration = oddLength(INTEGRATION_S * featureHz);
  // Centre of the chain: both averages, the slope, then (in feature samples) the local-noise and integration windows.
  const featureDelay = Math.round((lengthA - 1) / 2 + (lengthB - 1) / 2 + decimation * (slopeLag / 2 + (lengthLocal - 1) / 2 + (lengthIntegration - 1) / 2));
  return { lengthA, lengthB, decimation, slopeLag, lengthLocal, lengthIntegration, featureDelay };
}

export class QrsDetector {
  readonly fsHz: number;
  readonly leadCount: number;
  readonly anchorLead: number;
  /** Delay (samples) from a sample's arrival to the feature value centred on it. */
  readonly featureDelay: number;
  /** Decimation factor of the feature stage: one feature value every this many samples. */
  readonly decimation: number;
  /** Feature values produced so far (the next one's index). */
  private featureNext = 0;

  private readonly mask: number;
  private readonly ringSize: number;
  /** The per-sample loops (leadAverages, leadFeature, the scan in steps) in WebAssembly, over memory holding the arrays marked below. */
  private readonly kernels: DetectorKernels;
  // In the kernels' memory. Per-lead rings: raw input and the first moving sum by sample number; the second moving sum, the slope and the signed weighted energy by feature index.
  private readonly raw: Float32Array[];
  private readonly smoothA: Float64Array[];
  private readonly smoothB: Float64Array[];
  private readonly slopes: Float64Array[];
  private readonly signedEnergy: Float64Array[];
  /** Each lead's rise-and-fall integral by feature index, combined across leads only at candidates. */
  private readonly lobes: Float64Array[];
  /** Each lead's slope power floor over its local power outside the integration window, at every 4th feature index (when refreshed). */
  private readonly cleanness: Float64Array[];
  /** Each lead's slow mean slope power, at every 4th feature index (when the weight is refreshed). */
  private readonly refreshPower: Float64Array[];
  /** Each lead's recent QRS in the slope signal, centred on the beat's energy centre. */
  private readonly templates: Float64Array[];
  /** Scratch for templateMatch: each lead's templateNorm, the same at every lag. */
  private readonly templateNorms: Float64Array;
  /** Each lead's running rise-and-fall integral at its clean beats. */
  private readonly beatLobe: Float64Array;
  /** Whether each lead showed the last beat at which it was clean (a lead off or without signal does not). */
  private readonly showedBeat: Uint8Array;
  private readonly templateHalf: number;
  private readonly shapeLag: number;
  private readonly matchLag: number;
  // In the kernels' memory. Per-lead running sums: the two moving averages, local slope power, rising and falling energy.
  private readonly sumA: Float64Array;
  private readonly sumB: Float64Array;
  private readonly localSum: Float64Array;
  private readonly risingSum: Float64Array;
  private readonly fallingSum: Float64Array;
  /** Each lead's slow mean slope power, the floor of its local noise estimate. */
  private readonly leadPower: Float64Array;
  /** Each lead's energy weight as last refreshed, carried across blocks so results do not depend on block sizes. */
  private readonly leadWeight: Float64Array;
  /** Each lead's summed slope energy (for the start-up power measurement). */
  private readonly energyTotal: Float64Array;
  private readonly lengthA: number;
  private readonly lengthB: number;
  /** Slope span, in feature samples. */
  private readonly slopeLag: number;
  private readonly lengthLocal: number;
  private readonly lengthSteep: number;
  private readonly ownHalf: number;
  private readonly neighbourGap: number;
  /** Scratch for one lead alone: 1 at the slope indices of a spaced candidate's window that lie in a QRS-shaped span. */
  private readonly shapedNear: Uint8Array;
  // In the kernels' memory. Combined rings by feature index: weighted slope energy and its integral.
  private readonly energy: Float64Array;
  private readonly integrated: Float64Array;
  private learnBuffer: Float32Array[] | null;
  /** The leads of the block being pushed. */
  private readonly input: Float32Array[];
  private buffered = 0;
  /** In the kernels' memory. Scratch per block: one lead's second moving sum at each feature sample, then the leads' summed energy and integral. */
  private readonly featureSums: Float64Array;
  private readonly combinedEnergy: Float64Array;
  private readonly combinedIntegral: Float64Array;
  private readonly lengthAnchorSmooth: number;
  private readonly lengthIntegration: number;
  private readonly lengthBaseline: number;
  private readonly powerWindow: number;

  private next: number;
  private readonly first: number;

  // Candidate peaks of the integral.
  private pending: Candidate | null = null;
  private readonly candidates: Candidate[] = [];
  private learning = true;
  private signalLevel = DOUBLE_ZERO;
  private noiseLevel = DOUBLE_ZERO;
  private lastBeat: Candidate | null = null;
  /** A weak beat accepted in an artefact, not yet reported: the next beat may move it (settleHeld). */
  private held: Candidate | null = null;
  private heldSearchback = false;
  /** The beat before the held one. */
  private heldAfter: Candidate | null = null;
  private lastBeatSample = -1;
  /** Sample number from which searchback may be due (nothing to check before it). */
  private searchbackFrom = Infinity;
  private readonly rrHistory: number[] = [];
  private meanRrSamples: number;
  private positiveLevel = DOUBLE_ZERO;
  private negativeLevel = DOUBLE_ZERO;
  private output: DetectedBeat[] = [];

  private readonly mergeSamples: number;
  private readonly refractorySamples: number;
  private readonly tWaveSamples: number;
  private readonly anchorHalf: number;
  private readonly learnSamples: number;
  private readonly anchorDelay: number;
  /** OWN_QRS_S in samples: candidates nearer each other than this belong to one QRS. */
  private readonly ownSamples: number;

  constructor(options: QrsDetectorOptions) {
    const { fsHz, leadCount } = options;
    if (!(fsHz > 0)) throw new RangeError('fsHz must be positive');
    if (!(leadCount >= 1)) throw new RangeError('leadCount must be at least 1');
    this.fsHz = fsHz;
    this.leadCount = leadCount;
    this.anchorLead = options.anchorLead ?? 0;
    this.first = options.firstSample ?? 0;
    this.next = this.first;
    const chain = featureChain(fsHz);
    this.lengthA = chain.lengthA;
    this.lengthB = chain.lengthB;
    this.decimation = chain.decimation;
    const featureHz = fsHz / this.decimation;
    this.slopeLag = chain.slopeLag;
    this.lengthLocal = chain.lengthLocal;
    this.lengthSteep = oddLength(STEEP_S * featureHz);
    this.ownHalf = Math.round(OWN_QRS_S * featureHz);
    this.neighbourGap = Math.round(REFRACTORY_S * featureHz);
    this.lengthIntegration = chain.lengthIntegration;
    this.lengthBaseline = oddLength(BASELINE_S * fsHz);
    this.lengthAnchorSmooth = oddLength(ANCHOR_SMOOTH_S * fsHz);
    this.featureDelay = chain.featureDelay;
    this.anchorDelay = (this.lengthBaseline - 1) / 2;
    this.ringSize = nextPowerOfTwo(Math.ceil(10 * fsHz));
    this.mask = this.ringSize - 1;
    this.powerWindow = Math.round(POWER_WINDOW_S * featureHz);
    this.learnSamples = Math.round(LEARN_S * fsHz);
    // The largest block: the learn buffer in one go, or a one-second chunk (pushChunks).
    const largestBlock = Math.max(this.learnSamples, Math.round(fsHz), 1);
    const kernels = new DetectorKernels({
      leadCount,
      ringSize: this.ringSize,
      scratchValues: Math.ceil(largestBlock / this.decimation) + 1,
      lengthA: this.lengthA,
      lengthB: this.lengthB,
      decimation: this.decimation,
      slopeLag: this.slopeLag,
      lengthLocal: this.lengthLocal,
      lengthIntegration: this.lengthIntegration,
      powerRate: 1 / this.powerWindow,
      localScale: 1 / this.lengthLocal,
      aroundScale: 1 / (this.lengthLocal - this.lengthIntegration),
      localFloor: LOCAL_FLOOR,
      weightFloor: WEIGHT_FLOOR,
    });
    this.kernels = kernels;
    this.raw = kernels.raw;
    this.smoothA = kernels.smoothA;
    this.smoothB = kernels.smoothB;
    this.slopes = kernels.slopes;
    this.signedEnergy = kernels.signedEnergy;
    this.lobes = kernels.lobes;
    this.cleanness = kernels.cleanness;
    this.refreshPower = kernels.refreshPower;
    this.featureSums = kernels.featureSums;
    this.combinedEnergy = kernels.combinedEnergy;
    this.combinedIntegral = kernels.combinedIntegral;
    this.beatLobe = new Float64Array(leadCount);
    this.showedBeat = new Uint8Array(leadCount);
    this.templateHalf = Math.round(TEMPLATE_HALF_S * featureHz);
    this.shapeLag = Math.round(SHAPE_LAG_S * featureHz);
    this.matchLag = Math.round(MATCH_LAG_S * featureHz);
    this.templates = Array.from({ length: leadCount }, () => new Float64Array(2 * this.templateHalf + 1));
    this.templateNorms = new Float64Array(leadCount);
    this.shapedNear = new Uint8Array(leadCount < 2 ? this.lengthLocal : 0);
    this.sumA = kernels.sumA;
    this.sumB = kernels.sumB;
    this.localSum = kernels.localSum;
    this.risingSum = kernels.risingSum;
    this.fallingSum = kernels.fallingSum;
    this.leadPower = kernels.leadPower;
    this.leadWeight = kernels.leadWeight;
    this.energyTotal = kernels.energyTotal;
    this.energy = kernels.energy;
    this.integrated = kernels.integrated;
    this.mergeSamples = Math.round(CANDIDATE_MERGE_S * fsHz);
    this.refractorySamples = Math.round(REFRACTORY_S * fsHz);
    this.tWaveSamples = Math.round(T_WAVE_WINDOW_S * fsHz);
    this.anchorHalf = Math.round(ANCHOR_HALF_S * fsHz);
    this.ownSamples = Math.round(OWN_QRS_S * fsHz);
    this.meanRrSamples = fsHz;
    this.learnBuffer = Array.from({ length: leadCount }, () => new Float32Array(this.learnSamples));
    this.input = Array.from({ length: leadCount }, () => new Float32Array(0));
  }

  /** Worst-case delay (s) between an R peak and its report, searchback and beats held in an artefact aside. */
  get latencyS(): number {
    return QrsDetector.latencySAt(this.fsHz);
  }

  /** `latencyS` of a detector at `fsHz`, without building one. */
  static latencySAt(fsHz: number): number {
    return (featureChain(fsHz).featureDelay + Math.round(CANDIDATE_MERGE_S * fsHz) + 2) / fsHz;
  }

  /**
   * Pushes `count` samples; `leads[l][offset + i]` is lead l at the next sample. Returns beats
   * decided during this push (the array is reused by the next call).
   */
  push(leads: readonly Float32Array[], count: number, offset = 0): DetectedBeat[] {
    this.output = [];
    if (count <= 0) return this.output;
    let done = 0;
    if (this.learnBuffer) {
      // The first seconds are held back until each lead's slope power is known (see startFromBuffer).
      const take = Math.min(count, this.learnSamples - this.buffered);
      for (let l = 0; l < this.leadCount; l += 1) this.learnBuffer[l]!.set(leads[l]!.subarray(offset, offset + take), this.buffered);
      this.buffered += take;
      done = take;
      if (this.buffered < this.learnSamples) return this.output;
      this.startFromBuffer();
    }
    this.pushChunks(leads, offset + done, count - done);
    return this.output;
  }

  /** In chunks of at most one second, so a block never overruns the history rings. */
  private pushChunks(leads: readonly Float32Array[], offset: number, count: number): void {
    // The callers' arrays come in several element kinds; one array of our own keeps pushChunk's compiled code valid.
    const input = this.input;
    for (let l = 0; l < this.leadCount; l += 1) input[l] = leads[l]!;
    const chunk = Math.max(1, Math.round(this.fsHz));
    for (let done = 0; done < count; done += chunk) this.pushChunk(offset + done, Math.min(chunk, count - done));
  }

  /**
   * Measures each lead's mean slope power over the buffered start, then runs the buffer through
   * the detector with that normalisation from the first sample: no start-up transient in which a
   * P wave could outweigh the QRS after it.
   */
  private startFromBuffer(): void {
    const buffer = this.learnBuffer;
    this.learnBuffer = null;
    if (!buffer || this.buffered === 0) return;
    const samples = buffer.map((b) => b.subarray(0, this.buffered));
    this.prime(samples, 0);
    const values = this.featureCountIn(this.buffered);
    for (let l = 0; l < this.leadCount; l += 1) {
      this.leadAverages(l, samples[l]!, 0, this.buffered);
      this.leadFeature(l, values);
    }
    for (let l = 0; l < this.leadCount; l += 1) this.leadPower[l] = this.energyTotal[l]! / Math.max(1, values);
    this.prime(samples, 0);
    this.pushChunks(samples, 0, this.buffered);
  }

  /** Number of feature values `count` samples from the next one complete. */
  private featureCountIn(count: number): number {
    const samples = this.next - this.first + count;
    // Exact division of integers: a fractional quotient would make V8 discard code speculating on integers.
    return (samples - (samples % this.decimation)) / this.decimation - this.featureNext;
  }

  private pushChunk(offset: number, count: number): void {
    const leads = this.input;
    const values = this.featureCountIn(count);
    this.combinedEnergy.fill(0, 0, values);
    this.combinedIntegral.fill(0, 0, values);
    const end = this.next + count;
    for (let l = 0; l < this.leadCount; l += 1) {
      this.leadAverages(l, leads[l]!, offset, count);
      this.leadFeature(l, values);
    }
    this.steps(values);
    this.next = end;
  }

  /** Fills every ring as if the stream had always had its first value, so no stage needs a warm-up branch. */
  private prime(leads: readonly Float32Array[], offset: number): void {
    for (let l = 0; l < this.leadCount; l += 1) {
      const x = leads[l]![offset]!;
      this.raw[l]!.fill(x);
      this.sumA[l] = x * this.lengthA;
      this.sumB[l] = x * this.lengthA * this.lengthB;
      this.smoothA[l]!.fill(this.sumA[l]!);
      this.smoothB[l]!.fill(this.sumB[l]!);
      this.slopes[l]!.fill(0);
      this.signedEnergy[l]!.fill(0);
      this.lobes[l]!.fill(0);
      this.localSum[l] = 0;
      this.risingSum[l] = 0;
      this.fallingSum[l] = 0;
      this.energyTotal[l] = 0;
      this.leadWeight[l] = 1 / (LOCAL_FLOOR * this.leadPower[l]! + WEIGHT_FLOOR);
    }
  }

  /** One lead over a block, at the sample rate: the two moving sums, the second kept at each feature sample (in `featureSums`). */
  private leadAverages(l: number, input: Float32Array, offset: number, count: number): void {
    const m = this.mask;
    const raw = this.raw[l]!;
    // The block goes into the raw ring in two native copies, the second empty unless the ring wraps.
    const start = this.next & m;
    const firstPart = Math.min(count, this.ringSize - start);
    raw.set(input.subarray(offset, offset + firstPart), start);
    raw.set(input.subarray(offset + firstPart, offset + count), 0);
    this.kernels.averages(l, this.next, count, (this.next - this.first) % this.decimation);
  }

  /**
   * One lead's feature values for a block: the slope, its energy divided by the lead's local
   * slope power (a centred window, floored at a fraction of its slow mean: a lead hit by an
   * artefact weighs less), then the rising and falling parts integrated apart and the smaller
   * kept, because a QRS both rises and falls while a step or drift moves one way. Each lead's
   * weighted energy and integral are added into `combinedEnergy` and `combinedIntegral`.
   */
  private leadFeature(l: number, values: number): void {
    this.kernels.feature(l, this.featureNext, values);
  }

  /** Runs the decision stage over the feature values of one block; `this.next` follows each value's last sample. */
  private steps(values: number): void {
    const m = this.mask;
    const integrated = this.integrated;
    const decimation = this.decimation;
    for (let j = 0; j < values; j += 1) {
      // Values where nothing can happen (no candidate, no deadline) are only stored, in one call.
      const stop = this.kernels.scan(j, values, this.firstDue(j, values), this.featureNext);
      if (stop > j) {
        this.featureNext += stop - j;
        this.next = this.first + this.featureNext * decimation;
      }
      if (stop === values) break;
      j = stop;
      const k = this.featureNext;
      // The last sample that went into feature value k.
      const n = this.first + (k + 1) * decimation - 1;
      const f = integrated[k & m]!;
      // A local maximum of the integral at k-1.
      const f1 = integrated[(k - 1) & m]!;
      if (k >= 2 && f1 > integrated[(k - 2) & m]! && f1 >= f) this.offerCandidate(k - 1);
      const pending = this.pending;
      if (pending && n >= this.mergeClosesAt(pending)) {
        this.pending = null;
        this.classify(pending);
      }
      this.featureNext = k + 1;
      this.next = n + 1;
      if (this.learning) {
        if (n >= this.learningEndsAt()) this.finishLearning();
      } else if (n >= this.searchbackFrom) this.searchBackIfDue(n - this.featureDelay - this.mergeSamples);
    }
  }

  /** The last sample of the value at which a pending candidate's merge window has closed (steps, firstDue). */
  private mergeClosesAt(pending: Candidate): number {
    return pending.at + this.featureDelay + this.mergeSamples;
  }

  /** The last sample of the value at which learning ends (steps, firstDue). */
  private learningEndsAt(): number {
    return this.first + this.learnSamples + this.featureDelay + this.mergeSamples;
  }

  /**
   * The first value from j on (at most `values`) at which a deadline of `steps` falls due: the
   * pending candidate's merge window closing, the end of learning, searchback. Before the third
   * feature value, j itself (steps checks those alone).
   */
  private firstDue(j: number, values: number): number {
    if (this.featureNext < 2) return j;
    let deadline = this.learning ? this.learningEndsAt() : this.searchbackFrom;
    const pending = this.pending;
    if (pending) deadline = Math.min(deadline, this.mergeClosesAt(pending));
    const n = this.first + (this.featureNext + 1) * this.decimation - 1;
    if (deadline <= n) return j;
    return Math.min(values, j + Math.ceil((deadline - n) / this.decimation));
  }

  /**
   * End of stream: decides what is still pending by holding the last value for one latency, and
   * returns the beats found before the end. The detector should not be pushed to afterwards.
   */
  flush(): DetectedBeat[] {
    this.output = [];
    if (this.learnBuffer) this.startFromBuffer();
    const beats = this.output;
    const end = this.next;
    if (end === this.first) return beats;
    const hold = Math.ceil(this.latencyS * this.fsHz) + this.anchorDelay + this.anchorHalf + 2;
    const last = this.raw.map((ring) => new Float32Array(hold).fill(ring[(end - 1) & this.mask]!));
    beats.push(...this.push(last, hold));
    this.output = [];
    if (this.learning) this.finishLearning();
    if (this.held) this.settleHeld(null);
    beats.push(...this.output);
    return beats.filter((b) => b.sample < end);
  }

  /** Sample number the next pushed sample will have. */
  get nextSample(): number {
    return this.next;
  }

  private offerCandidate(featureIndex: number): void {
    const m = this.mask;
    let slope = 0;
    for (let k = featureIndex - this.lengthIntegration + 1; k <= featureIndex; k += 1) {
      const e = this.energy[k & m]!;
      if (e > slope) slope = e;
    }
    const lastSample = this.first + (featureIndex + 1) * this.decimation - 1;
    const candidate: Candidate = {
      at: lastSample - this.featureDelay,
      energy: this.leadMean(featureIndex),
      slope,
      clean: this.cleanest(featureIndex),
      index: featureIndex,
      match: NaN,
      spaced: false,
    };
    if (candidate.at < this.first) return;
    if (this.pending && candidate.at - this.pending.at < this.mergeSamples) {
      const stronger = candidate.energy > this.pending.energy ? candidate : this.pending;
      const weaker = stronger === candidate ? this.pending : candidate;
      const keep = this.rhythmPrefersWeaker(stronger, weaker) ? weaker : stronger;
      const drop = keep === candidate ? this.pending : candidate;
      if (this.someLeadInArtefact(drop)) this.remember(drop);
      this.pending = keep;
      return;
    }
    if (this.pending) this.classify(this.pending);
    this.pending = candidate;
  }

  /**
   * Of two candidates within the merge window, whether the weaker is the beat: in a steady rhythm
   * and moderate noise, it lies where the rhythm expects the beat and is shaped like the QRS, while
   * the stronger lies well off it (RHYTHM_PICK_*). The match is computed only in that case.
   */
  private rhythmPrefersWeaker(stronger: Candidate, weaker: Candidate): boolean {
    const last = this.lastBeat;
    if (!last || this.learning || this.noiseLevel >= RHYTHM_PICK_NOISE_RATIO * this.signalLevel) return false;
    const rr = this.meanRrSamples;
    if (Math.abs(weaker.at - last.at - rr) > RHYTHM_PICK_NEAR_RR * rr) return false;
    if (Math.abs(stronger.at - last.at - rr) <= RHYTHM_PICK_OFF_RR * rr) return false;
    if (weaker.energy < RHYTHM_PICK_ENERGY * stronger.energy || !this.steadyRhythm()) return false;
    return this.matchOf(weaker) >= RHYTHM_PICK_MATCH;
  }

  /** Whether the last 8 RR intervals each lie within STEADY_RR of their mean. */
  private steadyRhythm(): boolean {
    const history = this.rrHistory;
    if (history.length < 8) return false;
    const rr = this.meanRrSamples;
    for (let i = 0; i < history.length; i += 1) if (Math.abs(history[i]! - rr) > STEADY_RR * rr) return false;
    return true;
  }

  /**
   * The leads' rise-and-fall integrals at a candidate, combined by a power mean (exponent below 1):
   * a QRS shows in every lead at once, an artefact usually in one, so a value carried by one lead
   * counts less than the same total spread over the leads.
   */
  private leadMean(featureIndex: number): number {
    const k = featureIndex & this.mask;
    let sum = 0;
    for (let l = 0; l < this.leadCount; l += 1) {
      const lobe = this.lobes[l]![k]!;
      // The running sums can drift a hair below zero, where the power would be NaN.
      if (lobe > 0) sum += powerFiveEighths(lobe);
    }
    return this.powerMean(sum);
  }

  /** The leads' power mean from the sum of their integrals' 5/8th powers, per integration value. */
  private powerMean(sumOfPowers: number): number {
    const mean = sumOfPowers / this.leadCount;
    // x^1.6 as x · x^(1/2) · x^(1/8), the inverse of the x^(5/8) above.
    const root = Math.sqrt(mean);
    return (mean * root * Math.sqrt(Math.sqrt(root))) / this.lengthIntegration;
  }

  /** Ring index of the cleanness in force at a feature index: it is refreshed at every 4th one (leadFeature). */
  private cleannessAt(featureIndex: number): number {
    return (featureIndex - (featureIndex & 3)) & this.mask;
  }

  /** The largest cleanness over the leads at a feature index (as last refreshed). */
  private cleanest(featureIndex: number): number {
    const k = this.cleannessAt(featureIndex);
    let best = 0;
    for (let l = 0; l < this.leadCount; l += 1) best = Math.max(best, this.cleanness[l]![k]!);
    return best;
  }

  /** How much a candidate looks like a beat: its template match (capped) plus its energy over the signal level. */
  private evidence(c: Candidate): number {
    return Math.max(0, Math.min(this.matchOf(c), MATCH_CAP)) + c.energy / Math.max(this.signalLevel, Number.MIN_VALUE);
  }

  /**
   * At fast rates, measures a candidate again as if the QRS complexes beside it were not in its
   * leads' local windows: where every lead steepens at once (each lead's slope energy over a short
   * window at least COMMON_RATIO times its slow power: a QRS; a motion burst is in one lead), each
   * lead's slope energy beyond QRS_EXCESS_CAP times its slow power, outside the candidate's own QRS,
   * leaves the local power. A lead with no such excess in its own QRS (a P wave, a burst between
   * beats) keeps its weight. The rise-and-fall integrals are scaled by the ratio of the weights, and
   * the cleanness leaves the same excess out. One lead alone cannot show coincidence: there a
   * neighbour's excess is where its slopes match its QRS template (markShapedSpans), and only while
   * its noise level is low against its signal level.
   */
  private spaceFromNeighbours(c: Candidate): void {
    c.spaced = true;
    if (c.index < 0) return;
    const m = this.mask;
    const leadCount = this.leadCount;
    const localHalf = (this.lengthLocal - 1) / 2;
    const integrationHalf = (this.lengthIntegration - 1) / 2;
    const steepHalf = (this.lengthSteep - 1) / 2;
    const centre = this.slopeCentre(c.index);
    const from = centre - localHalf;
    const to = centre + localHalf;
    const kClean = this.cleannessAt(c.index);
    const alone = leadCount < 2;
    if (alone && this.noiseLevel > QUIET_NOISE_RATIO * this.signalLevel) return;
    if (alone) this.markShapedSpans(from);
    let sum = 0;
    let bestClean = 0;
    for (let l = 0; l < leadCount; l += 1) {
      const slopes = this.slopes[l]!;
      const power = this.refreshPower[l]![kClean]!;
      let raw = 0;
      let inner = 0;
      let neighbours = 0;
      let own = false;
      for (let i = from; i <= to; i += 1) {
        const s = slopes[i & m]!;
        const e = s * s;
        raw += e;
        const fromCentre = i - centre;
        if (fromCentre >= -integrationHalf && fromCentre <= integrationHalf) inner += e;
        const over = e - QRS_EXCESS_CAP * power;
        if (!(over > 0)) continue;
        const ownZone = fromCentre >= -this.ownHalf && fromCentre <= this.ownHalf;
        if (alone && !ownZone ? this.shapedNear[i - from] === 0 : !this.everyLeadSteep(i, steepHalf, kClean)) continue;
        if (ownZone) own = true;
        // A neighbouring beat lies a refractory period away at least; nearer is this beat's own surroundings.
        else if (fromCentre <= -this.neighbourGap || fromCentre >= this.neighbourGap) neighbours += over;
      }
      const lobe = this.lobes[l]![c.index & m]!;
      const floor = LOCAL_FLOOR * power;
      const local = raw / this.lengthLocal;
      const spaced = own ? (raw - neighbours) / this.lengthLocal : local;
      const ratio = (local > floor ? local : floor) / (spaced > floor ? spaced : floor);
      if (lobe > 0) sum += powerFiveEighths(lobe * ratio);
      const around = (raw - inner - (own ? neighbours : 0)) / (this.lengthLocal - this.lengthIntegration);
      const clean = around > floor ? floor / around : 1;
      if (clean > bestClean) bestClean = clean;
    }
    const energy = this.powerMean(sum);
    // The peak slope energy was weighted as the integrals were.
    if (c.energy > 0) c.slope *= energy / c.energy;
    c.energy = energy;
    c.clean = Math.max(c.clean, bestClean);
  }

  /**
   * One lead alone: marks in `shapedNear` the slope indices of the local window starting at `from`
   * that lie within a template half-length of a span correlating with the lead's QRS template
   * (NEIGHBOUR_CORRELATION, at least NEIGHBOUR_AMPLITUDE of its size): a QRS, which a motion burst
   * rarely is.
   */
  private markShapedSpans(from: number): void {
    const m = this.mask;
    const half = this.templateHalf;
    const template = this.templates[0]!;
    const slopes = this.slopes[0]!;
    const near = this.shapedNear;
    near.fill(0);
    const norm = this.templateNorm(0);
    if (norm === 0) return;
    const to = from + this.lengthLocal - 1;
    for (let j = from - half; j <= to + half; j += 1) {
      let dot = 0;
      let power = 0;
      for (let i = -half; i <= half; i += 1) {
        const s = slopes[(j + i) & m]!;
        dot += s * template[i + half]!;
        power += s * s;
      }
      if (dot < NEIGHBOUR_AMPLITUDE * norm || dot * dot < NEIGHBOUR_CORRELATION * NEIGHBOUR_CORRELATION * power * norm) continue;
      const markFrom = Math.max(from, j - half);
      const markTo = Math.min(to, j + half);
      for (let i = markFrom; i <= markTo; i += 1) near[i - from] = 1;
    }
  }

  /** Whether the mean RR is short enough for a beat's neighbours to fall inside its local window. */
  private fastRhythm(): boolean {
    return this.meanRrSamples < FAST_RR_S * this.fsHz;
  }

  /** Whether every lead's slope energy over the short window centred on a slope index is COMMON_RATIO times its slow power. */
  private everyLeadSteep(i: number, steepHalf: number, kClean: number): boolean {
    const m = this.mask;
    for (let l = 0; l < this.leadCount; l += 1) {
      const slopes = this.slopes[l]!;
      let energy = 0;
      for (let d = -steepHalf; d <= steepHalf; d += 1) {
        const s = slopes[(i + d) & m]!;
        energy += s * s;
      }
      if (energy < COMMON_RATIO * this.lengthSteep * this.refreshPower[l]![kClean]!) return false;
    }
    return true;
  }

  /** Σ t² over a lead's QRS template (0 before its first clean beat). */
  private templateNorm(l: number): number {
    const template = this.templates[l]!;
    let norm = 0;
    for (let i = 0; i < template.length; i += 1) norm += template[i]! * template[i]!;
    return norm;
  }

  /** A candidate's template match, computed once when first asked for (the slope rings hold 10 s). */
  private matchOf(c: Candidate): number {
    if (Number.isNaN(c.match)) c.match = c.index < 0 ? 0 : this.templateMatch(c.index);
    return c.match;
  }

  /** Whether any lead's cleanness at a candidate is under ARTEFACT_CLEANNESS. */
  private someLeadInArtefact(c: Candidate): boolean {
    if (c.index < 0) return false;
    const k = this.cleannessAt(c.index);
    for (let l = 0; l < this.leadCount; l += 1) if (this.cleanness[l]![k]! < ARTEFACT_CLEANNESS) return true;
    return false;
  }

  /** Slope-ring index at the centre of the energy lobe that peaks at a feature index. */
  private slopeCentre(featureIndex: number): number {
    return featureIndex - (this.lengthLocal - 1) / 2 - (this.lengthIntegration - 1) / 2;
  }

  /**
   * The leads' slopes around a candidate projected on their QRS templates (1 for the template
   * itself, near 0 for noise unlike it), at the best common lag. The leads are combined as the
   * least-noise estimate of one amplitude: Σ x·t/σ² over Σ t·t/σ², σ² each lead's local slope
   * power, so a lead in a burst counts for little and a clean one decides.
   */
  private templateMatch(featureIndex: number): number {
    const m = this.mask;
    const half = this.templateHalf;
    const centre = this.slopeCentre(featureIndex);
    const kClean = this.cleannessAt(featureIndex);
    const norms = this.templateNorms;
    for (let l = 0; l < this.leadCount; l += 1) norms[l] = this.templateNorm(l);
    let lags = this.shapeLag;
    for (let l = 0; l < this.leadCount; l += 1) if (this.cleanness[l]![kClean]! < MATCH_FAR_CLEANNESS) lags = this.matchLag;
    let best = 0;
    for (let lag = -lags; lag <= lags; lag += 1) {
      let sum = 0;
      let weights = 0;
      for (let l = 0; l < this.leadCount; l += 1) {
        const norm = norms[l]!;
        if (norm === 0) continue;
        const template = this.templates[l]!;
        const slopes = this.slopes[l]!;
        let dot = 0;
        for (let i = -half; i <= half; i += 1) dot += slopes[(centre + lag + i) & m]! * template[i + half]!;
        // 1 / the lead's local slope power around the candidate (its floor over its cleanness).
        const inverseNoise = this.cleanness[l]![kClean]! / (LOCAL_FLOOR * this.leadPower[l]! + 1e-12);
        sum += dot * inverseNoise;
        weights += norm * inverseNoise;
      }
      if (weights === 0) continue;
      const match = (Math.abs(lag) > this.shapeLag ? MATCH_FAR_WEIGHT : 1) * (sum / weights);
      if (match > best) best = match;
    }
    return best;
  }

  /**
   * False when some lead is in an artefact while the clean leads that showed the last beat do not
   * show this candidate (each one's integral there under LOBE_MIN of its value at its beats).
   */
  private shownInCleanLeads(candidate: Candidate): boolean {
    const m = this.mask;
    const k = candidate.index & m;
    const kClean = this.cleannessAt(candidate.index);
    let dirty = false;
    let witness = false;
    for (let l = 0; l < this.leadCount; l += 1) {
      if (this.cleanness[l]![kClean]! < ARTEFACT_CLEANNESS) {
        dirty = true;
        continue;
      }
      if (this.showedBeat[l] === 0) continue;
      witness = true;
      if (this.lobes[l]![k]! >= LOBE_MIN * this.beatLobe[l]!) return true;
    }
    return !(dirty && witness);
  }

  /** At an accepted beat, per clean lead: whether it showed the beat, its integral there, and its template moved toward its slopes (aligned at the best lag). */
  private learnFromBeat(candidate: Candidate): void {
    if (candidate.index < 0) return;
    const m = this.mask;
    const half = this.templateHalf;
    const centre = this.slopeCentre(candidate.index);
    const k = this.cleannessAt(candidate.index);
    for (let l = 0; l < this.leadCount; l += 1) {
      if (this.cleanness[l]![k]! < ARTEFACT_CLEANNESS) continue;
      const lobe = this.lobes[l]![candidate.index & m]!;
      // The first clean beat starts the template as it is; later ones are aligned to it.
      const empty = this.beatLobe[l] === 0;
      this.showedBeat[l] = lobe >= LOBE_MIN * this.beatLobe[l]! ? 1 : 0;
      this.beatLobe[l] = empty ? lobe : this.beatLobe[l]! + TEMPLATE_RATE * (lobe - this.beatLobe[l]!);
      const template = this.templates[l]!;
      const slopes = this.slopes[l]!;
      let bestLag = 0;
      let bestDot = -Infinity;
      const lags = empty ? 0 : this.shapeLag;
      for (let lag = -lags; lag <= lags; lag += 1) {
        let dot = 0;
        for (let i = -half; i <= half; i += 1) dot += slopes[(centre + lag + i) & m]! * template[i + half]!;
        if (dot > bestDot) {
          bestDot = dot;
          bestLag = lag;
        }
      }
      const rate = empty ? 1 : TEMPLATE_RATE;
      const from = centre + bestLag;
      for (let i = -half; i <= half; i += 1) template[i + half]! += rate * (slopes[(from + i) & m]! - template[i + half]!);
    }
  }

  private threshold(): number {
    return this.noiseLevel + THRESHOLD_FRACTION * (this.signalLevel - this.noiseLevel);
  }

  private remember(candidate: Candidate): void {
    this.candidates.push(candidate);
    if (this.candidates.length > MAX_CANDIDATES) this.candidates.shift();
  }

  private classify(candidate: Candidate): void {
    this.remember(candidate);
    if (this.learning) return;
    this.decide(candidate, this.threshold(), false);
  }

  /** Accepts or rejects one candidate against a threshold; returns whether it became a beat. */
  private decide(candidate: Candidate, threshold: number, searchback: boolean): boolean {
    const last = this.lastBeat;
    if (last && candidate.at <= last.at) return false;
    let raised = searchback ? threshold : threshold * (1 + NOISY_THRESHOLD_RAISE * (1 - candidate.clean));
    // At fast rates the QRS complexes beside a beat can hold it under the threshold or the T-wave rule.
    const held = candidate.energy <= raised || this.isTWave(candidate);
    if (!searchback && held && !candidate.spaced && this.fastRhythm() && this.matchOf(candidate) >= SHAPED_MATCH) {
      this.spaceFromNeighbours(candidate);
      raised = threshold * (1 + NOISY_THRESHOLD_RAISE * (1 - candidate.clean));
    }
    const unseen = !searchback && (!this.shownInCleanLeads(candidate) || this.weakEarlyUnshaped(candidate));
    if (candidate.energy > raised && !unseen && !(last && candidate.at - last.at < this.refractorySamples) && !this.isTWave(candidate)) {
      const earlier = searchback ? null : this.missedBefore(candidate);
      if (earlier) {
        this.accept(earlier, true);
        return this.decide(candidate, threshold, false);
      }
      this.accept(candidate, searchback);
      return true;
    }
    if (!searchback) this.noiseLevel += 0.125 * (candidate.energy - this.noiseLevel);
    return false;
  }

  /**
   * Where the noise level is high, whether a candidate is early (under EARLY_RR mean RR after the
   * last beat), weaker than EARLY_ENERGY of the beats' level and unlike the QRS templates (match
   * under SHAPED_MATCH): what a burst of muscle noise clears the threshold with. The match is
   * computed only for such candidates.
   */
  private weakEarlyUnshaped(c: Candidate): boolean {
    const last = this.lastBeat;
    if (!last || this.noiseLevel < EARLY_NOISE_RATIO * this.signalLevel) return false;
    if (c.energy >= EARLY_ENERGY * this.signalLevel || c.at - last.at >= EARLY_RR * this.meanRrSamples) return false;
    return this.matchOf(c) < SHAPED_MATCH;
  }

  private isTWave(candidate: Candidate): boolean {
    const last = this.lastBeat;
    if (!last) return false;
    const since = candidate.at - last.at;
    if (since < this.tWaveSamples) return candidate.slope < 0.5 * last.slope;
    const longQt = LATE_T_WAVE_QTC_S * Math.sqrt(this.meanRrSamples / this.fsHz) * this.fsHz;
    return since < longQt && candidate.slope < LATE_T_WAVE_SLOPE_RATIO * last.slope;
  }

  private accept(candidate: Candidate, searchback: boolean): void {
    const weight = searchback ? 0.25 : 0.125;
    // A beat weaker than the beats so far, where some lead is in an artefact, is held for the next beat.
    const doubtful = candidate.energy < this.signalLevel && this.someLeadInArtefact(candidate);
    // Clip so one artefact cannot lift the threshold above the next several real beats.
    const energy = this.signalLevel > 0 ? Math.min(candidate.energy, 3 * this.signalLevel) : candidate.energy;
    this.signalLevel += weight * (energy - this.signalLevel);
    if (this.held) this.settleHeld(doubtful ? null : candidate);
    if (this.lastBeat) {
      const rr = candidate.at - this.lastBeat.at;
      this.rrHistory.push(rr);
      if (this.rrHistory.length > 8) this.rrHistory.shift();
      this.updateMeanRr();
    }
    const before = this.lastBeat;
    this.lastBeat = candidate;
    this.learnFromBeat(candidate);
    this.scheduleSearchback();
    if (doubtful && before && before.index >= 0) {
      // Reported once the next beat shows where the rhythm put it.
      this.held = candidate;
      this.heldSearchback = searchback;
      this.heldAfter = before;
      return;
    }
    this.report(candidate, searchback);
  }

  /** A settled beat, reported at its R peak. */
  private report(candidate: Candidate, searchback: boolean): void {
    const sample = this.anchorR(candidate.at);
    // A peak on the stream's first sample is a QRS cut off by the start, not a located R peak.
    if (sample > this.lastBeatSample && sample > this.first) {
      this.lastBeatSample = sample;
      this.output.push({ sample, strength: candidate.energy, searchback });
    }
    // Candidates up to this beat are settled.
    while (this.candidates.length > 0 && this.candidates[0]!.at <= candidate.at) this.candidates.shift();
  }

  private updateMeanRr(): void {
    let sum = 0;
    for (const interval of this.rrHistory) sum += interval;
    this.meanRrSamples = sum / this.rrHistory.length;
  }

  /**
   * Reports the held beat. When the beat after it (`next`; null when that one is held too) is
   * known and the held beat's neighbours lie two mean RR apart, first moves it to the QRS-shaped
   * candidate between them on the far side of the held beat from their midpoint that fits best
   * (REFIT_SPREAD; after an early held beat, REFIT_EARLY_ENERGY), correcting the last RR interval.
   */
  private settleHeld(next: Candidate | null): void {
    const held = this.held!;
    const after = this.heldAfter!;
    this.held = null;
    let chosen = held;
    const span = next ? next.at - after.at : 0;
    const late = held.at - after.at > span / 2;
    const excess = span - 2 * this.meanRrSamples;
    const spanFits = Math.abs(excess) <= REFIT_SPAN_RR * this.meanRrSamples || (!late && excess > 0 && excess <= REFIT_EARLY_LONG_SPAN_RR * this.meanRrSamples);
    const wideFits = this.leadCount > 1 && Math.abs(excess) <= REFIT_WIDE_SPAN_RR * this.meanRrSamples;
    if (next && (spanFits || wideFits)) {
      const heldScore = this.refitScore(held, after, span);
      let best = heldScore;
      for (const c of this.candidates) {
        if (c.at - after.at < this.refractorySamples || next.at - c.at < this.refractorySamples) continue;
        if (c.at - after.at < this.tWaveSamples && c.slope < 0.5 * after.slope) continue;
        // A candidate within OWN_QRS_S of the held beat is the same QRS.
        if (late ? c.at > held.at - this.ownSamples : c.at < held.at + this.ownSamples) continue;
        const match = this.matchOf(c);
        if (match < SHAPED_MATCH) continue;
        const score = this.refitScore(c, after, span);
        const overwhelming = score >= REFIT_OVERWHELMING_RATIO * heldScore && match >= LATE_BEAT_MATCH;
        if (!overwhelming && (!spanFits || (!late && !this.refitsEarlyBeat(held, c)))) continue;
        if (score > best) {
          best = score;
          chosen = c;
        }
      }
    }
    if (chosen !== held) {
      this.rrHistory[this.rrHistory.length - 1] = chosen.at - after.at;
      this.updateMeanRr();
      this.lastBeat = chosen;
    }
    this.report(chosen, this.heldSearchback || chosen !== held);
  }

  /**
   * Whether a candidate after an early held beat may replace it: at least REFIT_EARLY_ENERGY of
   * its energy (a premature beat is followed by its T wave or a weaker burst peak), and even the
   * cleanest lead in an artefact at one of the two (where a clean lead shows both, the threshold
   * had its witness and stands) or the held beat taken by searchback (under the threshold, so no
   * witness, and picked for its place in the rhythm alone).
   */
  private refitsEarlyBeat(held: Candidate, c: Candidate): boolean {
    const unwitnessed = this.heldSearchback || held.clean < ARTEFACT_CLEANNESS || c.clean < ARTEFACT_CLEANNESS;
    return unwitnessed && c.energy >= REFIT_EARLY_ENERGY * held.energy;
  }

  /** A candidate's evidence discounted by its distance from the midpoint of the `span` after `after`. */
  private refitScore(c: Candidate, after: Candidate, span: number): number {
    const off = (c.at - after.at - span / 2) / (REFIT_SPREAD * (span / 2));
    return this.evidence(c) / (1 + off * off);
  }

  private meanRr(): number {
    return this.meanRrSamples;
  }

  /**
   * When no beat came for SEARCHBACK_RR mean RR, takes the earlier candidate above half the
   * threshold (0.4 of it in an artefact) with the largest energy, discounted by its distance from
   * one mean RR after the last beat (in a noise burst the QRS is the candidate where the rhythm
   * expects it).
   */
  private searchBackIfDue(settledUpTo: number): void {
    const last = this.lastBeat;
    if (!last) return;
    const rr = this.meanRr();
    const limit = SEARCHBACK_RR * rr;
    if (settledUpTo - last.at <= limit) return;
    const best = this.bestRecoverable(last, settledUpTo);
    if (best) {
      this.accept(best, true);
      return;
    }
    // A long silence with nothing to recover: the signal probably shrank, so lower the levels.
    if (settledUpTo - last.at > Math.max(3 * rr, 2 * this.fsHz)) {
      this.signalLevel *= 0.5;
      this.noiseLevel *= 0.5;
      if (this.held) this.settleHeld(null);
      this.lastBeat = { at: settledUpTo - Math.round(rr), energy: last.energy, slope: 0, clean: 1, index: -1, match: 0, spaced: true };
      this.scheduleSearchback();
    }
  }

  /**
   * The candidate after `last` and up to `upTo` that searchback would take: above half the
   * threshold (0.4 of it in an artefact), or shaped like the QRS templates where any lead is in an
   * artefact, with the largest evidence (template amplitude plus energy over the signal level)
   * discounted by its distance from one mean RR after the last beat.
   */
  private bestRecoverable(last: Candidate, upTo: number): Candidate | null {
    let best: Candidate | null = null;
    let bestScore = 0;
    const level = this.threshold();
    const threshold = SEARCHBACK_FRACTION * level;
    const artefactThreshold = ARTEFACT_SEARCHBACK_FRACTION * level;
    for (const c of this.candidates) {
      if (c.at <= last.at || c.at > upTo) continue;
      if (c.at - last.at < this.refractorySamples || this.isTWave(c)) continue;
      const artefact = c.clean < ARTEFACT_CLEANNESS;
      if (c.energy <= (artefact ? artefactThreshold : threshold) && !(this.someLeadInArtefact(c) && this.matchOf(c) >= SHAPED_MATCH)) continue;
      const score = this.recoveryScore(c, last);
      if (score > bestScore) {
        best = c;
        bestScore = score;
      }
    }
    return best;
  }

  /**
   * Before a late beat is accepted: a QRS-shaped candidate in an artefact nearer one mean RR after
   * the last beat that searchback would take and that scores higher (in a burst on every lead the
   * QRS can fall under the raised threshold and a burst peak after it clear it).
   */
  private missedBefore(candidate: Candidate): Candidate | null {
    const last = this.lastBeat;
    if (!last || candidate.at - last.at <= LATE_BEAT_RR * this.meanRr()) return null;
    const earlier = this.bestRecoverable(last, candidate.at - this.refractorySamples);
    if (!earlier || earlier.clean >= ARTEFACT_CLEANNESS || this.matchOf(earlier) < LATE_BEAT_MATCH) return null;
    return this.recoveryScore(earlier, last) > this.recoveryScore(candidate, last) ? earlier : null;
  }

  /** Searchback's preference: evidence discounted by the distance from one mean RR after the last beat. */
  private recoveryScore(c: Candidate, last: Candidate): number {
    const rr = this.meanRr();
    const offRr = (c.at - last.at - rr) / (SEARCHBACK_RR_SPREAD * rr);
    return this.evidence(c) / (1 + offRr * offRr);
  }

  /** Searchback cannot be due before the last beat plus SEARCHBACK_RR mean RR has been settled. */
  private scheduleSearchback(): void {
    const last = this.lastBeat;
    this.searchbackFrom = last ? last.at + Math.floor(SEARCHBACK_RR * this.meanRr()) + this.featureDelay + this.mergeSamples : Infinity;
  }

  private finishLearning(): void {
    this.learning = false;
    // While the lead power settles, a P or T wave can look large: a candidate less than half as
    // steep as another within the T-wave window goes. (Not every candidate but the steepest: above
    // 170 bpm consecutive beats lie closer than that window.)
    const learned = this.candidates
      .splice(0)
      .filter((c, _, all) => !all.some((d) => d !== c && Math.abs(d.at - c.at) < this.tWaveSamples && d.slope > 2 * c.slope));
    // The second-largest candidate: the very first beat can look huge while the lead power settles.
    // Unless it is far smaller: below 60 bpm the first 2 s can hold one beat, and the next
    // candidate is then its T or P wave.
    const energies = learned.map((c) => c.energy).sort((a, b) => b - a);
    const level = energies.length > 1 && energies[1]! >= LEARN_SECOND_FRACTION * energies[0]! ? energies[1]! : (energies[0] ?? 0);
    this.signalLevel = level;
    this.noiseLevel = 0.1 * level;
    for (const c of learned) {
      this.candidates.push(c);
      this.decide(c, this.threshold(), false);
    }
  }

  /**
   * The R peak near a QRS energy centre: largest deflection on the dominant polarity of the anchor
   * lead band-passed by two centred boxcars (12 ms mean minus 300 ms mean), computed here from the
   * raw ring only around the beat.
   */
  private anchorR(centre: number): number {
    const m = this.mask;
    const raw = this.raw[this.anchorLead]!;
    const from = Math.max(this.first, centre - this.anchorHalf);
    const to = Math.min(this.next - 1 - this.anchorDelay - 1, centre + this.anchorHalf);
    if (to < from) return centre;
    const longLength = this.lengthBaseline;
    const shortLength = this.lengthAnchorSmooth;
    const longHalf = (longLength - 1) / 2;
    const shortHalf = (shortLength - 1) / 2;
    // Before the stream's first sample the ring holds its first value (see prime).
    let longSum = 0;
    for (let k = from - longHalf; k <= from + longHalf; k += 1) longSum += raw[k & m]!;
    let shortSum = 0;
    for (let k = from - shortHalf; k <= from + shortHalf; k += 1) shortSum += raw[k & m]!;
    let maxValue = -Infinity;
    let maxAt = centre;
    let minValue = Infinity;
    let minAt = centre;
    for (let k = from; ; k += 1) {
      const v = shortSum / shortLength - longSum / longLength;
      if (v > maxValue) {
        maxValue = v;
        maxAt = k;
      }
      if (v < minValue) {
        minValue = v;
        minAt = k;
      }
      if (k === to) break;
      longSum += raw[(k + longHalf + 1) & m]! - raw[(k - longHalf) & m]!;
      shortSum += raw[(k + shortHalf + 1) & m]! - raw[(k - shortHalf) & m]!;
    }
    const positive = Math.max(0, maxValue);
    const negative = Math.max(0, -minValue);
    const first = this.positiveLevel === 0 && this.negativeLevel === 0;
    this.positiveLevel = first ? positive : this.positiveLevel + 0.1 * (positive - this.positiveLevel);
    this.negativeLevel = first ? negative : this.negativeLevel + 0.1 * (negative - this.negativeLevel);
    const dominantPositive = this.positiveLevel >= this.negativeLevel;
    if (dominantPositive) return negative > 1.6 * positive ? minAt : maxAt;
    return positive > 1.6 * negative ? maxAt : minAt;
  }
}
