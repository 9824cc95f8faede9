import { describe, expect, it } from 'vitest';
import { DetectorKernels, detectorModuleBytes, type DetectorKernelSettings } from '../../src/dsp/detector-kernels.js';
import { qrsWithTallT } from './test-signals.js';

/** The detector's sizes at 360 Hz (qrs.ts), with a small ring so the blocks wrap it many times. */
const SETTINGS: DetectorKernelSettings = {
  leadCount: 2,
  ringSize: 1024,
  scratchValues: 300,
  lengthA: 7,
  lengthB: 6,
  decimation: 3,
  slopeLag: 4,
  lengthLocal: 73,
  lengthIntegration: 13,
  powerRate: 1 / 1200,
  localScale: 1 / 73,
  aroundScale: 1 / (73 - 13),
  localFloor: 0.7,
  weightFloor: 1e-6,
};

/** The two loops in plain JavaScript, as qrs.ts ran them before they moved to WebAssembly: one lead's state and rings. */
class ReferenceLead {
  raw = new Float32Array(SETTINGS.ringSize);
  smoothA = new Float64Array(SETTINGS.ringSize);
  smoothB = new Float64Array(SETTINGS.ringSize);
  slopes = new Float64Array(SETTINGS.ringSize);
  signed = new Float64Array(SETTINGS.ringSize);
  lobes = new Float64Array(SETTINGS.ringSize);
  cleanness = new Float64Array(SETTINGS.ringSize);
  refreshPower = new Float64Array(SETTINGS.ringSize);
  sumA = 0;
  sumB = 0;
  localSum = 0;
  rising = 0;
  falling = 0;
  power = 0;
  total = 0;
  weight = 0;

  averages(next: number, count: number, phase: number, out: Float64Array): void {
    const { lengthA, lengthB, decimation } = SETTINGS;
    const m = SETTINGS.ringSize - 1;
    let j = 0;
    for (let i = 0, n = next; i < count; i += 1, n += 1) {
      this.sumA += this.raw[n & m]! - this.raw[(n - lengthA) & m]!;
      this.sumB += this.sumA - this.smoothA[(n - lengthB) & m]!;
      this.smoothA[n & m] = this.sumA;
      phase += 1;
      if (phase === decimation) {
        phase = 0;
        out[j++] = this.sumB;
      }
    }
  }

  feature(k: number, values: number, sums: Float64Array, energyOut: Float64Array, integralOut: Float64Array): void {
    const { slopeLag, lengthLocal, lengthIntegration, powerRate, localScale, aroundScale, localFloor, weightFloor } = SETTINGS;
    const m = SETTINGS.ringSize - 1;
    for (let j = 0; j < values; j += 1, k += 1) {
      const slope = sums[j]! - this.smoothB[(k - slopeLag) & m]!;
      this.smoothB[k & m] = sums[j]!;
      const e = slope * slope;
      const leaving = this.slopes[(k - lengthLocal) & m]!;
      this.slopes[k & m] = slope;
      this.localSum += e - leaving * leaving;
      this.power += (e - this.power) * powerRate;
      this.total += e;
      if ((k & 3) === 0) {
        const local = this.localSum * localScale;
        const floor = localFloor * this.power;
        const around = (this.localSum - (this.rising + this.falling) / this.weight) * aroundScale;
        this.cleanness[k & m] = around > floor ? floor / around : 1;
        this.refreshPower[k & m] = this.power;
        this.weight = 1 / ((local > floor ? local : floor) + weightFloor);
      }
      const centreSlope = this.slopes[(k - (lengthLocal - 1) / 2) & m]!;
      const weighted = centreSlope * centreSlope * this.weight;
      const old = this.signed[(k - lengthIntegration) & m]!;
      if (old > 0) this.rising -= old;
      else this.falling += old;
      if (centreSlope > 0) {
        this.rising += weighted;
        this.signed[k & m] = weighted;
      } else {
        this.falling += weighted;
        this.signed[k & m] = -weighted;
      }
      energyOut[j] += weighted;
      const lobe = 2 * (this.rising < this.falling ? this.rising : this.falling);
      this.lobes[k & m] = lobe;
      integralOut[j] += lobe;
    }
  }
}

/** Same bits, element for element (so -0, NaN payloads and last-bit rounding all count). */
function sameBits(a: Float64Array | Float32Array, b: Float64Array | Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** Two leads: QRS complexes with tall T waves, and the same inverted on a drifting baseline with deterministic noise. */
function testLeads(seconds: number): Float32Array[] {
  const { signalUv } = qrsWithTallT({ fsHz: 360, hrBpm: 75, seconds, tAmplitudeUv: 400, tDelayS: 0.3 });
  const second = new Float32Array(signalUv.length);
  let seed = 12345;
  for (let i = 0; i < second.length; i += 1) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    second[i] = -0.7 * signalUv[i]! + 300 * Math.sin(i / 500) + (seed / 2147483648 - 0.5) * 40;
  }
  return [signalUv, second];
}

describe('QRS detector kernels', () => {
  it('emits a valid module', () => {
    expect(WebAssembly.validate(detectorModuleBytes())).toBe(true);
  });

  it('computes bit for bit what the plain JavaScript loops compute, block after block', () => {
    const leads = testLeads(20);
    const kernels = new DetectorKernels(SETTINGS);
    const reference = leads.map(() => new ReferenceLead());
    const { decimation, leadCount } = SETTINGS;
    const sums = new Float64Array(SETTINGS.scratchValues);
    const energy = new Float64Array(SETTINGS.scratchValues);
    const integral = new Float64Array(SETTINGS.scratchValues);
    // A starting weight as prime() sets it from a lead's power.
    for (let l = 0; l < leadCount; l += 1) {
      kernels.leadPower[l] = reference[l]!.power = 5e4;
      kernels.leadWeight[l] = reference[l]!.weight = 1 / (0.7 * 5e4 + 1e-6);
    }
    const m = SETTINGS.ringSize - 1;
    let next = 0;
    let featureNext = 0;
    let block = 0;
    while (next < leads[0]!.length) {
      // Uneven blocks up to one second, so phases and ring wraps fall everywhere.
      const count = Math.min(leads[0]!.length - next, 37 + ((block * 97) % 324));
      block += 1;
      const values = Math.floor((next + count) / decimation) - featureNext;
      kernels.combinedEnergy.fill(0, 0, values);
      kernels.combinedIntegral.fill(0, 0, values);
      energy.fill(0, 0, values);
      integral.fill(0, 0, values);
      for (let l = 0; l < leadCount; l += 1) {
        for (let i = 0; i < count; i += 1) kernels.raw[l]![(next + i) & m] = reference[l]!.raw[(next + i) & m] = leads[l]![next + i]!;
        kernels.averages(l, next, count, next % decimation);
        reference[l]!.averages(next, count, next % decimation, sums);
        expect(sameBits(kernels.featureSums.subarray(0, values), sums.subarray(0, values))).toBe(true);
        kernels.feature(l, featureNext, values);
        reference[l]!.feature(featureNext, values, sums, energy, integral);
      }
      expect(sameBits(kernels.combinedEnergy.subarray(0, values), energy.subarray(0, values))).toBe(true);
      expect(sameBits(kernels.combinedIntegral.subarray(0, values), integral.subarray(0, values))).toBe(true);
      next += count;
      featureNext += values;
    }
    for (let l = 0; l < leadCount; l += 1) {
      const r = reference[l]!;
      expect(sameBits(kernels.smoothA[l]!, r.smoothA)).toBe(true);
      expect(sameBits(kernels.smoothB[l]!, r.smoothB)).toBe(true);
      expect(sameBits(kernels.slopes[l]!, r.slopes)).toBe(true);
      expect(sameBits(kernels.signedEnergy[l]!, r.signed)).toBe(true);
      expect(sameBits(kernels.lobes[l]!, r.lobes)).toBe(true);
      expect(sameBits(kernels.cleanness[l]!, r.cleanness)).toBe(true);
      expect(sameBits(kernels.refreshPower[l]!, r.refreshPower)).toBe(true);
      const state = [kernels.sumA, kernels.sumB, kernels.localSum, kernels.risingSum, kernels.fallingSum, kernels.leadPower, kernels.energyTotal, kernels.leadWeight];
      expect(state.map((a) => a[l])).toEqual([r.sumA, r.sumB, r.localSum, r.rising, r.falling, r.power, r.total, r.weight]);
    }
    // The signal reached every branch: lobes on both sides, cleanness below 1 somewhere.
    expect(Math.max(...kernels.lobes[1]!)).toBeGreaterThan(0);
    expect(Math.min(...kernels.signedEnergy[1]!)).toBeLessThan(0);
    expect(Math.min(...kernels.cleanness[1]!)).toBeLessThan(1);
  });

  it('stores the combined values and stops at each local maximum of the integral as the plain JavaScript does', () => {
    const kernels = new DetectorKernels(SETTINGS);
    const m = SETTINGS.ringSize - 1;
    const energy = new Float64Array(SETTINGS.ringSize);
    const integrated = new Float64Array(SETTINGS.ringSize);
    const { leadCount, lengthIntegration } = SETTINGS;
    let k = 2;
    for (let block = 0; block < 40; block += 1) {
      const values = 50 + ((block * 37) % 200);
      for (let j = 0; j < values; j += 1) {
        kernels.combinedEnergy[j] = Math.abs(Math.sin((k + j) / 7)) * 1e4;
        // Plateaus (equal neighbours) and spikes, so both comparisons of the maximum test decide.
        kernels.combinedIntegral[j] = Math.round(Math.sin((k + j) / 5) * 4 + Math.cos((k + j) / 2.3) * 3) * 1e3 + ((k + j) % 29 === 0 ? 5e3 : 0);
      }
      const expectedStops: number[] = [];
      for (let j = 0, kk = k; j < values; j += 1, kk += 1) {
        energy[kk & m] = kernels.combinedEnergy[j]!;
        const f = kernels.combinedIntegral[j]! / leadCount / lengthIntegration;
        integrated[kk & m] = f;
        const f1 = integrated[(kk - 1) & m]!;
        if (f1 > integrated[(kk - 2) & m]! && f1 >= f) expectedStops.push(j);
      }
      const stops: number[] = [];
      for (let j = 0; j < values; j += 1) {
        j = kernels.scan(j, values, values, k + j);
        if (j < values) stops.push(j);
      }
      expect(stops).toEqual(expectedStops);
      // A due value stops the scan too, once stored.
      const due = Math.floor(values / 2);
      if (!expectedStops.some((j) => j < due)) expect(kernels.scan(0, values, due, k)).toBe(due);
      else expect(kernels.scan(0, values, due, k)).toBe(expectedStops[0]);
      expect(stops.length).toBeGreaterThan(0);
      k += values;
    }
    expect(sameBits(kernels.energy, energy)).toBe(true);
    expect(sameBits(kernels.integrated, integrated)).toBe(true);
  });

  it('keeps each lead in its own memory region', () => {
    const kernels = new DetectorKernels(SETTINGS);
    const views = [kernels.featureSums, kernels.combinedEnergy, kernels.combinedIntegral, kernels.sumA, kernels.leadWeight, ...kernels.raw, ...kernels.smoothA, ...kernels.refreshPower, kernels.energy, kernels.integrated];
    const spans = views.map((v) => [v.byteOffset, v.byteOffset + v.byteLength] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i += 1) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
    expect(new Set(views.map((v) => v.buffer)).size).toBe(1);
  });
});
