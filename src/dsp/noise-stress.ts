/**
 * Deterministic noise for stress-testing the detector, in the spirit of the MIT-BIH Noise
 * Stress Test: baseline wander, muscle (EMG) noise and electrode-motion bursts, scaled to a
 * chosen SNR. SNR follows the NSTDB convention: signal power = (QRS peak-to-peak)² / 8,
 * noise power = mean square of the noise.
 */

export type NoiseKind = 'baseline' | 'muscle' | 'motion';
export const NOISE_KINDS: readonly NoiseKind[] = ['baseline', 'muscle', 'motion'];

/** mulberry32: small, fast, reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal deviates (Box-Muller). */
export function gaussian(random: () => number): () => number {
  return () => {
    const u = Math.max(random(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
}

/** First-order low-pass smoothing coefficient for a corner frequency. */
function smoothing(fsHz: number, cornerHz: number): number {
  return 1 - Math.exp((-2 * Math.PI * cornerHz) / fsHz);
}

/** Unit-power noise of one kind, `length` samples long. */
export function makeNoise(kind: NoiseKind, length: number, fsHz: number, seed: number): Float64Array {
  const random = seededRandom(seed);
  const normal = gaussian(random);
  const out = new Float64Array(length);
  if (kind === 'baseline') {
    // Respiration and movement: a few slow sinusoids with random phases plus a slow random walk.
    const tones = Array.from({ length: 4 }, () => ({ hz: 0.05 + 0.45 * random(), phase: 2 * Math.PI * random(), amp: 0.5 + random() }));
    const alpha = smoothing(fsHz, 0.3);
    let walk = 0;
    let slow = 0;
    for (let i = 0; i < length; i += 1) {
      walk += normal() * 0.05;
      walk *= 0.9999;
      slow += alpha * (walk - slow);
      let v = slow;
      for (const t of tones) v += t.amp * Math.sin((2 * Math.PI * t.hz * i) / fsHz + t.phase);
      out[i] = v;
    }
  } else if (kind === 'muscle') {
    // EMG: broadband with most power above 20 Hz; white noise minus its 20 Hz low-passed part.
    const alpha = smoothing(fsHz, 20);
    let low = 0;
    for (let i = 0; i < length; i += 1) {
      const w = normal();
      low += alpha * (w - low);
      out[i] = w - 0.7 * low;
    }
  } else {
    // Electrode motion: bursts (0.3-2 s, every 1-6 s) of 1-10 Hz noise with abrupt steps.
    const alphaLow = smoothing(fsHz, 10);
    const alphaHigh = smoothing(fsHz, 1);
    let i = 0;
    while (i < length) {
      const gap = Math.round((1 + 5 * random()) * fsHz);
      i += gap;
      const burst = Math.round((0.3 + 1.7 * random()) * fsHz);
      let low = 0;
      let trend = 0;
      let step = normal() * 2;
      for (let k = 0; k < burst && i < length; k += 1, i += 1) {
        low += alphaLow * (normal() * 3 - low);
        trend += alphaHigh * (low - trend);
        if (random() < 2 / fsHz) step = normal() * 2;
        const taper = Math.sin((Math.PI * k) / burst);
        out[i] = (low - trend + step) * taper;
      }
    }
  }
  let power = 0;
  for (let i = 0; i < length; i += 1) power += out[i]! * out[i]!;
  power /= Math.max(1, length);
  const scale = power > 0 ? 1 / Math.sqrt(power) : 0;
  for (let i = 0; i < length; i += 1) out[i]! *= scale;
  return out;
}

/** Median QRS peak-to-peak amplitude (µV) around known beat positions (±60 ms). */
export function qrsPeakToPeakUv(signalUv: Float32Array, beatSamples: readonly number[], fsHz: number): number {
  const half = Math.round(0.06 * fsHz);
  const amplitudes: number[] = [];
  for (const beat of beatSamples) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let k = Math.max(0, beat - half); k <= Math.min(signalUv.length - 1, beat + half); k += 1) {
      lo = Math.min(lo, signalUv[k]!);
      hi = Math.max(hi, signalUv[k]!);
    }
    if (hi > lo) amplitudes.push(hi - lo);
  }
  amplitudes.sort((a, b) => a - b);
  return amplitudes.length ? amplitudes[amplitudes.length >> 1]! : 0;
}

/** A copy of `signalUv` with unit-power `noise` added at `snrDb` relative to the QRS amplitude. */
export function addNoise(signalUv: Float32Array, noise: Float64Array, peakToPeakUv: number, snrDb: number): Float32Array {
  const signalPower = (peakToPeakUv * peakToPeakUv) / 8;
  const gain = Math.sqrt(signalPower / 10 ** (snrDb / 10));
  const out = new Float32Array(signalUv.length);
  for (let i = 0; i < signalUv.length; i += 1) out[i] = signalUv[i]! + gain * noise[i % noise.length]!;
  return out;
}
