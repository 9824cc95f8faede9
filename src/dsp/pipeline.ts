/**
 * The streaming signal path, the same code for the live monitor and for `analyze`.
 *
 *   const pipeline = createPipeline({ fsHz: 500, leads: ['I', 'II', 'V1'], filter: 'monitor', mainsHz: 50 });
 *   for each SampleBlock from the decoder:
 *     const { beats, filtered } = pipeline.push(block);
 *     // beats: new Beat[] (R peaks, stream sample numbers), reported ~0.6 s after the R peak
 *     // filtered: per lead (pipeline.leads order), this block's samples through the display
 *     //           filter (µV; views the next push reuses: copy what you keep)
 *   every 2 s: pipeline.metrics(secondsSinceStart)  -> Metrics (HR updated each second,
 *              intervals from the last 10 s re-measured every 2 s, quality, lead-off...)
 *   pipeline.noteDeviceStats({ droppedFrames, measuredRateHz })  // passed through to metrics
 *   pipeline.setMainsHz(60)       // switches the display notch
 *   pipeline.flush()              // end of stream: beats still pending
 *   pipeline.summary()            // session summary
 *
 * Display filtering (filters.ts) is separate from detection (qrs.ts has its own linear-phase
 * filters on the raw µV), so changing the display mode or notch never moves a beat. Beats are
 * anchored on the analysis lead: `analysisLead`, else II, else MLII, else the first lead. Gaps
 * in `firstSample` (dropped frames) are bridged by holding the last value, so sample numbering
 * stays the stream's own.
 */
import { limbLeadValue } from '../device/leads.js';
import type { SampleBlock, DecoderStats } from '../device/types.js';
import { measureIntervalsMultiLead } from './delineate.js';
import { BiquadCascade, createDisplayFilter, FILTER_BANDS, type FilterMode, type MainsHz } from './filters.js';
import { HeartRateMeter } from './heart-rate.js';
import { QrsDetector } from './qrs.js';
import { QualityMeter, type SampleHistory } from './quality.js';
import type { Beat, Intervals, Metrics } from './types.js';

export interface PipelineOptions {
  fsHz: number;
  /** Lead names, in the order of `SampleBlock.channels`. */
  leads: readonly string[];
  filter?: FilterMode;
  /** Display notch; null for none. Default 50. */
  mainsHz?: MainsHz | null;
  /** Lead to anchor beats and measure intervals on (default II, else MLII, else the first). */
  analysisLead?: string;
  /** Re-measure intervals every this many seconds of signal (default 2; 0 disables). */
  intervalsEveryS?: number;
  /** Seconds of signal the live interval measurement uses (default 10). */
  intervalsWindowS?: number;
  /**
   * Display filtering and the quality index (default true). Offline analysis turns them off:
   * beats and intervals do not depend on them, and `filtered` then holds empty arrays.
   */
  displayOutput?: boolean;
  /**
   * Limb leads (III, aVR, aVL, aVF) whose channels the caller derived from I and II
   * (src/device/leads.ts). Their display traces are the same combination of I's and II's display
   * traces, since the filters are linear: a 12-lead device then filters 8 leads, not 12.
   */
  derivedLeads?: readonly string[];
}

export interface PushResult {
  beats: Beat[];
  /** Display-filtered samples per lead; valid until the next push, which reuses them. */
  filtered: Float32Array[];
}

export interface PipelineSummary {
  analysisLead: string;
  filter: string;
  mainsHz: MainsHz | null;
  durationS: number;
  beatCount: number;
  meanHeartRateBpm: number | null;
  minHeartRateBpm: number | null;
  maxHeartRateBpm: number | null;
  meanSignalQuality: number | null;
  intervals: Intervals;
  /** Samples bridged because frames were missing. */
  gapSamples: number;
}

export interface Pipeline {
  readonly fsHz: number;
  readonly leads: readonly string[];
  readonly analysisLead: string;
  readonly analysisIndex: number;
  readonly filterLabel: string;
  /** Seconds between an R peak and its report (searchback and beats held in an artefact aside). */
  readonly latencyS: number;
  push(block: SampleBlock): PushResult;
  metrics(nowS: number): Metrics;
  noteDeviceStats(stats: Pick<DecoderStats, 'droppedFrames' | 'measuredRateHz'>): void;
  setMainsHz(mainsHz: MainsHz | null): void;
  intervals(): Intervals;
  flush(): Beat[];
  summary(): PipelineSummary;
}

const DERIVED_LEADS = new Set(['iii', 'avr', 'avl', 'avf']);
const PREFERRED_EXTRA_LEADS = ['v2', 'v5', 'v1', 'v3', 'v4', 'v6', 'i', 'ii', 'mlii', 'v'];
/** More leads add little once two independent views are fused, and cost time. */
const MAX_DETECTION_LEADS = 3;
const MAX_BRIDGED_GAP_S = 30;
const RANGE_WINDOW_S = 2;

const NO_INTERVALS: Intervals = { prMs: null, qrsMs: null, qtMs: null, qtcBazettMs: null, qtcFridericiaMs: null };

/** Index of the lead to analyse: the named one, else II, else MLII, else 0; -1 if a named lead is missing. */
export function chooseAnalysisLead(leads: readonly string[], wanted?: string): number {
  const lower = leads.map((l) => l.trim().toLowerCase());
  if (wanted !== undefined) return lower.indexOf(wanted.trim().toLowerCase());
  for (const name of ['ii', 'mlii']) {
    const index = lower.indexOf(name);
    if (index >= 0) return index;
  }
  return 0;
}

/**
 * Recorded leads (derived limb leads not counted) up to which the intervals are measured on all of
 * them together. A Holter's two or three modified leads each show part of the QRS, and the QT
 * Database's cardiologists marked looking at both; a 12-lead record has lead II itself, which
 * cardiologists mark on its own (LUDB: QRS SD 9.2 ms on lead II alone against 14.5 with the 12
 * leads together, PR and QT closer too; docs/intervals.md).
 */
export const MAX_COMBINED_INTERVAL_LEADS = 3;

/** Whether intervals are measured on the analysis lead alone: a record with more recorded leads than a Holter's. */
export function intervalsOnAnalysisLeadAlone(leads: readonly string[]): boolean {
  return leads.filter((name) => !DERIVED_LEADS.has(name.trim().toLowerCase())).length > MAX_COMBINED_INTERVAL_LEADS;
}

/** The analysis lead first, then up to two independent leads, preferring precordial ones. */
export function chooseDetectionLeads(leads: readonly string[], analysisIndex: number): number[] {
  const lower = leads.map((l) => l.trim().toLowerCase());
  const chosen = [analysisIndex];
  const candidates = lower
    .map((name, index) => ({ name, index }))
    .filter(({ name, index }) => index !== analysisIndex && !DERIVED_LEADS.has(name))
    .sort((a, b) => rank(a.name) - rank(b.name) || a.index - b.index);
  for (const { index } of candidates) {
    if (chosen.length >= MAX_DETECTION_LEADS) break;
    chosen.push(index);
  }
  return chosen;
}

function rank(name: string): number {
  const at = PREFERRED_EXTRA_LEADS.indexOf(name);
  return at < 0 ? PREFERRED_EXTRA_LEADS.length : at;
}

function nextPowerOfTwo(n: number): number {
  let size = 1;
  while (size < n) size <<= 1;
  return size;
}

/**
 * `source[offset..offset + count)` into a power-of-two ring from stream sample `first`. Outside
 * `run` so that no per-sample loop makes V8 compile `run`, detector inlined, twice (OSR, then whole).
 */
function copyIntoRing(ring: Float32Array, first: number, source: Float32Array, offset: number, count: number): void {
  const mask = ring.length - 1;
  for (let i = 0; i < count; i += 1) ring[(first + i) & mask] = source[offset + i]!;
}

/** A derived lead's display trace: `weightI` × lead I's plus `weightII` × lead II's. */
interface DisplayDerivation {
  lead: number;
  leadI: number;
  leadII: number;
  weightI: number;
  weightII: number;
}

/** Display derivations for the named derived leads, when I and II are both present. */
function displayDerivations(leads: readonly string[], derivedLeads: readonly string[]): DisplayDerivation[] {
  const lower = leads.map((name) => name.trim().toLowerCase());
  const leadI = lower.indexOf('i');
  const leadII = lower.indexOf('ii');
  if (leadI < 0 || leadII < 0) return [];
  const wanted = new Set(derivedLeads.map((name) => name.trim().toLowerCase()));
  return leads.flatMap((name, lead) => {
    const weightI = limbLeadValue(name, 1, 0);
    const weightII = limbLeadValue(name, 0, 1);
    if (!wanted.has(lower[lead]!) || weightI === null || weightII === null || lead === leadI || lead === leadII) return [];
    return [{ lead, leadI, leadII, weightI, weightII }];
  });
}

/** `out[at..at + count)` = `wa` × `a` + `wb` × `b` over the same range. */
function combineInto(out: Float32Array, a: Float32Array, wa: number, b: Float32Array, wb: number, at: number, count: number): void {
  for (let i = at; i < at + count; i += 1) out[i] = wa * a[i]! + wb * b[i]!;
}

export function createPipeline(options: PipelineOptions): Pipeline {
  const fsHz = options.fsHz;
  if (!(fsHz > 0) || !Number.isFinite(fsHz)) throw new RangeError(`sample rate must be positive, got ${fsHz}`);
  const leads = [...options.leads];
  if (leads.length === 0) throw new RangeError('at least one lead is needed');
  const analysisIndex = chooseAnalysisLead(leads, options.analysisLead);
  if (analysisIndex < 0) throw new RangeError(`no lead named "${options.analysisLead}" (have ${leads.join(', ')})`);
  const mode: FilterMode = options.filter ?? 'monitor';
  let mainsHz: MainsHz | null = options.mainsHz === undefined ? 50 : options.mainsHz;
  const detectionLeads = chooseDetectionLeads(leads, analysisIndex);
  const analysisLeadAlone = intervalsOnAnalysisLeadAlone(leads);
  const intervalsEveryS = options.intervalsEveryS ?? 2;
  const windowS = options.intervalsWindowS ?? 10;
  const displayOutput = options.displayOutput ?? true;

  const derivations = displayDerivations(leads, options.derivedLeads ?? []);
  const filteredLeads = leads.flatMap((_, l) => (derivations.some((d) => d.lead === l) ? [] : [l]));
  // Only the leads that are filtered get a chain; a derived lead's trace is combined (run()).
  const makeFilters = () => leads.map((_, l) => (filteredLeads.includes(l) ? createDisplayFilter({ fsHz, mode, mainsHz }) : null));
  let displayFilters: (BiquadCascade | null)[] = makeFilters();
  let detector: QrsDetector | null = null;
  const heartRate = new HeartRateMeter(fsHz);
  const quality = new QualityMeter(fsHz);

  // History: raw µV of every lead for live intervals (of the analysis lead alone for the signal
  // range when they are off), the analysis lead display-filtered for quality.
  const ringSize = nextPowerOfTwo(Math.ceil((windowS + 4) * fsHz));
  const mask = ringSize - 1;
  const rawRings = leads.map((_, l) => (intervalsEveryS > 0 || l === analysisIndex ? new Float32Array(ringSize) : null));
  const rawRing = rawRings[analysisIndex]!;
  const filteredRing = new Float32Array(ringSize);

  let nextSample: number | null = null;
  let startSample = 0;
  let gapSamples = 0;
  let beatCount = 0;
  const recentBeats: number[] = [];
  const leadOffNow: boolean[] = leads.map(() => false);
  let deviceStats: Pick<DecoderStats, 'droppedFrames' | 'measuredRateHz'> = { droppedFrames: 0, measuredRateHz: null };
  let currentIntervals: Intervals = { ...NO_INTERVALS };
  let nextIntervalsAt = 0;
  const pendingQuality: number[] = [];
  let hrSum = 0;
  let hrCount = 0;
  let hrMin: number | null = null;
  let hrMax: number | null = null;
  let hrSecond = -1;
  let sqiSum = 0;
  let sqiCount = 0;
  const lastHeld = new Float32Array(leads.length);

  const filteredHistory: SampleHistory = { ring: filteredRing, oldest: 0, newest: 0 };
  /** What the display-filtered ring holds now, for the quality meter. */
  const filteredNow = (): SampleHistory => {
    filteredHistory.newest = (nextSample ?? 0) - 1;
    filteredHistory.oldest = Math.min(filteredHistory.newest, Math.max(startSample, filteredHistory.newest - ringSize + 1));
    return filteredHistory;
  };

  function emitBeats(detected: { sample: number }[], out: Beat[]): void {
    for (const d of detected) {
      const rrMs = heartRate.addBeat(d.sample);
      const beat: Beat = { sample: d.sample, timeS: d.sample / fsHz, rrMs };
      beatCount += 1;
      if (intervalsEveryS > 0) recentBeats.push(d.sample);
      if (displayOutput) pendingQuality.push(d.sample);
      out.push(beat);
    }
    const oldest = (nextSample ?? 0) - (windowS + 2) * fsHz;
    while (recentBeats.length > 0 && recentBeats[0]! < oldest) recentBeats.shift();
  }

  function settleQuality(): void {
    const newest = (nextSample ?? 0) - 1;
    while (pendingQuality.length > 0 && pendingQuality[0]! + quality.samplesAfterBeat <= newest) {
      quality.addBeat(pendingQuality.shift()!, filteredNow());
    }
  }

  function measureNow(): void {
    const newest = (nextSample ?? 0) - 1;
    const length = Math.min(Math.round(windowS * fsHz), newest - startSample + 1);
    const from = newest - length + 1;
    const peaks = recentBeats.filter((s) => s >= from).map((s) => s - from);
    // On a 12-lead record everything comes from the analysis lead: nothing to measure while it is off.
    if (peaks.length < 3 || (analysisLeadAlone && leadOffNow[analysisIndex])) {
      currentIntervals = { ...NO_INTERVALS };
      return;
    }
    // QRS edges and T end from every lead in contact, P from the analysis lead; on a 12-lead record, all from the analysis lead.
    const measuredLeads = leads.flatMap((_, l) => (l === analysisIndex || (!analysisLeadAlone && !leadOffNow[l]) ? [l] : []));
    const signals = measuredLeads.map((l) => {
      const signal = new Float32Array(length);
      for (let i = 0; i < length; i += 1) signal[i] = rawRings[l]![(from + i) & mask]!;
      return signal;
    });
    const { beatsUsed: _used, ...measured } = measureIntervalsMultiLead(signals, fsHz, peaks, measuredLeads.indexOf(analysisIndex));
    currentIntervals = measured;
  }

  // Display output, reused by every push: allocating it per block would cost more than filtering it.
  let outputBuffer = new Float32Array(0);
  let outputViews: Float32Array[] = [];
  function outputFor(count: number): Float32Array[] {
    if (outputViews.length === leads.length && outputViews[0]!.length === count) return outputViews;
    if (outputBuffer.length < count * leads.length) outputBuffer = new Float32Array(count * leads.length);
    outputViews = leads.map((_, l) => outputBuffer.subarray(l * count, (l + 1) * count));
    return outputViews;
  }

  /** Runs `count` samples (`channels` from `offset`) through every stage; display output into `filtered` from `filteredAt`. */
  function run(channels: readonly Float32Array[], offset: number, count: number, filtered: Float32Array[], filteredAt: number, beats: Beat[]): void {
    const first = nextSample!;
    if (detector === null) detector = new QrsDetector({ fsHz, leadCount: detectionLeads.length, anchorLead: 0, firstSample: first });
    const detectorInput = detectionLeads.map((l) => channels[l]!);
    emitBeats(detector.push(detectorInput, count, offset), beats);
    for (let l = 0; l < leads.length; l += 1) {
      const channel = channels[l]!;
      const ring = rawRings[l];
      if (ring) copyIntoRing(ring, first, channel, offset, count);
      lastHeld[l] = channel[offset + count - 1]!;
    }
    if (displayOutput) {
      for (const l of filteredLeads) displayFilters[l]!.process(channels[l]!, filtered[l]!, count, offset, filteredAt);
      for (const d of derivations) combineInto(filtered[d.lead]!, filtered[d.leadI]!, d.weightI, filtered[d.leadII]!, d.weightII, filteredAt, count);
      copyIntoRing(filteredRing, first, filtered[analysisIndex]!, filteredAt, count);
    }
    nextSample = first + count;
    heartRate.tick(nextSample - 1);
    const second = Math.floor((nextSample - 1 - startSample) / fsHz);
    if (second !== hrSecond) {
      hrSecond = second;
      const rate = heartRate.rateBpm;
      if (rate !== null) {
        hrSum += rate;
        hrCount += 1;
        hrMin = hrMin === null ? rate : Math.min(hrMin, rate);
        hrMax = hrMax === null ? rate : Math.max(hrMax, rate);
      }
    }
    settleQuality();
    if (intervalsEveryS > 0 && nextSample >= nextIntervalsAt) {
      measureNow();
      nextIntervalsAt = nextSample + Math.round(intervalsEveryS * fsHz);
    }
  }

  function bridgeGap(samples: number, beats: Beat[]): void {
    gapSamples += samples;
    const chunk = Math.min(samples, Math.round(fsHz));
    const held = leads.map((_, l) => new Float32Array(chunk).fill(lastHeld[l]!));
    const discarded = leads.map(() => new Float32Array(displayOutput ? chunk : 0));
    for (let done = 0; done < samples; done += chunk) run(held, 0, Math.min(chunk, samples - done), discarded, 0, beats);
  }

  function restartAt(sample: number): void {
    detector = null;
    displayFilters = makeFilters();
    heartRate.reset();
    quality.reset();
    recentBeats.length = 0;
    pendingQuality.length = 0;
    startSample = sample;
    nextSample = sample;
    nextIntervalsAt = sample + Math.round(intervalsEveryS * fsHz);
  }

  const pipeline: Pipeline = {
    fsHz,
    leads,
    analysisLead: leads[analysisIndex]!,
    analysisIndex,
    filterLabel: FILTER_BANDS[mode].label,
    latencyS: QrsDetector.latencySAt(fsHz),

    push(block: SampleBlock): PushResult {
      if (block.channels.length !== leads.length) {
        throw new RangeError(`block has ${block.channels.length} channels, pipeline expects ${leads.length}`);
      }
      block.leadOff.forEach((off, l) => (leadOffNow[l] = off));
      const beats: Beat[] = [];
      if (nextSample === null) restartAt(block.firstSample);
      let skip = 0;
      const gap = block.firstSample - nextSample!;
      if (gap > MAX_BRIDGED_GAP_S * fsHz) restartAt(block.firstSample);
      else if (gap > 0) bridgeGap(gap, beats);
      else if (gap < 0) skip = Math.min(block.sampleCount, -gap); // overlap: already have these
      const count = block.sampleCount - skip;
      const filtered = outputFor(displayOutput ? count : 0);
      // At most one second per pass, so the history rings always hold what a beat needs.
      const chunk = Math.max(1, Math.round(fsHz));
      for (let done = 0; done < count; done += chunk) {
        const part = Math.min(chunk, count - done);
        run(block.channels, skip + done, part, filtered, done, beats);
      }
      return { beats, filtered };
    },

    metrics(nowS: number): Metrics {
      const newest = (nextSample ?? 0) - 1;
      let lo = Infinity;
      let hi = -Infinity;
      const from = Math.max(startSample, newest - Math.round(RANGE_WINDOW_S * fsHz) + 1);
      for (let k = from; k <= newest; k += 1) {
        const v = rawRing[k & mask]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      const leadOff = leadOffNow.some(Boolean);
      const signalQuality = nextSample === null ? 0 : quality.index(newest, hi - lo, leadOffNow[analysisIndex]!);
      sqiSum += signalQuality;
      sqiCount += 1;
      return {
        t: nowS,
        heartRateBpm: heartRate.rateBpm,
        rrMs: heartRate.lastRrMs,
        ...currentIntervals,
        signalQuality,
        leadOff,
        droppedFrames: deviceStats.droppedFrames,
        measuredRateHz: deviceStats.measuredRateHz,
      };
    },

    noteDeviceStats(stats) {
      deviceStats = { droppedFrames: stats.droppedFrames, measuredRateHz: stats.measuredRateHz };
    },

    setMainsHz(next: MainsHz | null) {
      if (next === mainsHz) return;
      mainsHz = next;
      displayFilters = makeFilters();
    },

    intervals(): Intervals {
      return { ...currentIntervals };
    },

    flush(): Beat[] {
      const beats: Beat[] = [];
      if (detector) emitBeats(detector.flush(), beats);
      while (pendingQuality.length > 0) quality.addBeat(pendingQuality.shift()!, filteredNow());
      return beats;
    },

    summary(): PipelineSummary {
      const durationS = nextSample === null ? 0 : (nextSample - startSample) / fsHz;
      return {
        analysisLead: leads[analysisIndex]!,
        filter: FILTER_BANDS[mode].label,
        mainsHz,
        durationS,
        beatCount,
        meanHeartRateBpm: hrCount ? hrSum / hrCount : null,
        minHeartRateBpm: hrMin,
        maxHeartRateBpm: hrMax,
        meanSignalQuality: sqiCount ? sqiSum / sqiCount : null,
        intervals: { ...currentIntervals },
        gapSamples,
      };
    },
  };
  return pipeline;
}
