/** Hand-built ECG-like signals for detector tests where the generator has no such option. */

export interface BuiltSignal {
  signalUv: Float32Array;
  rSamples: number[];
}

/**
 * A regular rhythm of narrow QRS complexes (R 1 mV) each followed by a T wave of
 * `tAmplitudeUv` peaking `tDelayS` after R, on a flat baseline.
 */
export function qrsWithTallT(options: { fsHz: number; hrBpm: number; seconds: number; tAmplitudeUv: number; tDelayS: number }): BuiltSignal {
  const { fsHz, hrBpm, seconds, tAmplitudeUv, tDelayS } = options;
  const n = Math.round(seconds * fsHz);
  const signalUv = new Float32Array(n);
  const rrSamples = (60 / hrBpm) * fsHz;
  const rSamples: number[] = [];
  const gaussianAt = (centre: number, sigmaS: number, amplitude: number) => {
    const sigma = sigmaS * fsHz;
    const from = Math.max(0, Math.floor(centre - 5 * sigma));
    const to = Math.min(n - 1, Math.ceil(centre + 5 * sigma));
    for (let i = from; i <= to; i += 1) signalUv[i]! += amplitude * Math.exp(-0.5 * ((i - centre) / sigma) ** 2);
  };
  for (let r = Math.round(0.5 * fsHz); r < n - fsHz * 0.5; r = Math.round(r + rrSamples)) {
    rSamples.push(r);
    gaussianAt(r - 0.02 * fsHz, 0.006, -150); // Q
    gaussianAt(r, 0.008, 1000); // R
    gaussianAt(r + 0.02 * fsHz, 0.006, -250); // S
    gaussianAt(r + tDelayS * fsHz, 0.05, tAmplitudeUv); // T
  }
  return { signalUv, rSamples };
}
