/**
 * Signal sources for the simulator: the synthetic generator and looping replay of a WFDB
 * record, plus a streaming linear-interpolation resampler for when the record's rate differs
 * from the protocol's (OpenBCI 250 Hz, P2 256 Hz).
 */
import { readRecord, signalMicrovolts } from '../formats/wfdb.js';
import { createSyntheticEcg, type BeatTruth } from './synthetic.js';

/** An endless multi-lead signal in µV. */
export interface SignalSource {
  leads: string[];
  fsHz: number;
  next(count: number): Float32Array[];
  /** Synthetic sources only: ground truth of the beats generated so far. */
  truth?(): BeatTruth[];
}

/** Replays every signal of a WFDB record from the start, looping at its end. */
export function createRecordSource(path: string): SignalSource {
  const record = readRecord(path);
  const length = record.header.sampleCount ?? 0;
  if (length === 0) throw new Error(`record ${path} has no samples`);
  const signals = record.header.signals.map((_, index) => signalMicrovolts(record, index));
  const leads = record.header.signals.map((spec, index) => spec.description.trim() || `CH${index + 1}`);
  let position = 0;
  return {
    leads,
    fsHz: record.header.fsHz,
    next(count) {
      const out = signals.map(() => new Float32Array(count));
      for (let s = 0; s < count; s += 1) {
        for (let c = 0; c < signals.length; c += 1) out[c]![s] = signals[c]![position]!;
        position = (position + 1) % length;
      }
      return out;
    },
  };
}

/** Linear interpolation from the source's rate to `fsHz`; the source itself when they match. */
export function resample(source: SignalSource, fsHz: number): SignalSource {
  if (source.fsHz === fsHz) return source;
  const step = source.fsHz / fsHz;
  const channels = source.leads.length;
  // Two source samples bracket the output time: `previous` at index `base`, `current` at base + 1.
  let previous = source.next(1).map((array) => array[0]!);
  let current = source.next(1).map((array) => array[0]!);
  let base = 0;
  let outputIndex = 0;
  return {
    leads: source.leads,
    fsHz,
    truth: source.truth?.bind(source),
    next(count) {
      const out = Array.from({ length: channels }, () => new Float32Array(count));
      for (let s = 0; s < count; s += 1) {
        const t = outputIndex * step;
        const needed = Math.floor(t) - base;
        if (needed > 0) {
          // Pull in one go: fewer calls into the source.
          const fresh = source.next(needed);
          for (let k = 0; k < needed; k += 1) {
            previous = current;
            current = fresh.map((array) => array[k]!);
          }
          base += needed;
        }
        const fraction = t - base;
        for (let c = 0; c < channels; c += 1) out[c]![s] = previous[c]! + (current[c]! - previous[c]!) * fraction;
        outputIndex += 1;
      }
      return out;
    },
  };
}

export interface SourceOptions {
  /** "synthetic" or a WFDB record path. */
  source: string;
  /** Rate the source must deliver (the protocol's). */
  fsHz: number;
  hrBpm?: number;
  leads?: string[];
  seed?: number;
}

/** Builds the source a simulator needs, already at `fsHz`. */
export function createSource(options: SourceOptions): SignalSource {
  if (options.source === 'synthetic') {
    return createSyntheticEcg({
      fsHz: options.fsHz,
      hrBpm: options.hrBpm ?? 72,
      leads: options.leads,
      seed: options.seed,
      hrvMs: 20,
      truthCapacity: 1000,
    });
  }
  return resample(createRecordSource(options.source), options.fsHz);
}
