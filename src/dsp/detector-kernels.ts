/**
 * The QRS detector's per-sample loops (qrs.ts: the moving sums at the sample rate, the slope
 * energy and its rise-and-fall integrals at the feature rate, and the decision stage's scan for
 * the integral's local maxima) as WebAssembly. WebAssembly is compiled in one quick pass when
 * instantiated, so these loops run as machine code from the first sample of a fresh process,
 * instead of being interpreted until V8's optimising compiler gets to them. The arithmetic is the JavaScript's, operation for operation (doubles throughout, the
 * Float32 raw samples widened as JavaScript widens them), so the results are bit-identical.
 *
 * Each detector owns one memory, sized once for its leads and rings and never grown (growing
 * would detach the views). Its rings, scratch arrays and per-lead running sums are typed-array
 * views onto that memory, so the detector's other code reads them as plain arrays.
 */

import { compiledOnce, emitModule, FunctionBuilder, instantiateWithMemory } from '../wasm/module.js';

/** Rings of each lead, in memory order; every ring has `ringSize` 8-byte slots (the raw ring uses half of its). */
const RING = { raw: 0, smoothA: 1, smoothB: 2, slopes: 3, signedEnergy: 4, lobes: 5, cleanness: 6, refreshPower: 7 } as const;
const RING_COUNT = 8;
/** Per-lead running sums the loops carry from block to block, each an array over the leads. */
const STATE = { sumA: 0, sumB: 1, localSum: 2, risingSum: 3, fallingSum: 4, leadPower: 5, energyTotal: 6, leadWeight: 7 } as const;
const STATE_COUNT = 8;
/** Scratch arrays per block, at the start of memory: feature sums in, combined energy and integral out. */
const SCRATCH = { featureSums: 0, combinedEnergy: 1, combinedIntegral: 2 } as const;
const SCRATCH_COUNT = 3;

const F64_BYTES = 8;
const F64_SHIFT = 3;
const F32_SHIFT = 2;
const MEMORY_IMPORT = { module: 'detector', name: 'memory' } as const;

/** `target = base + index * stride` (i32), for a ring or a state array's address. */
function setAddress(f: FunctionBuilder, target: number, base: number, stride: number, index: number): void {
  f.localGet(base).localGet(stride).i32Const(index).i32Mul().i32Add().localSet(target);
}

/** The parameters every kernel starts with: where the lead's rings start, their stride, the lead's first state slot and the state arrays' stride. */
function leadParams(f: FunctionBuilder): { rings: number; ringBytes: number; state: number; stateStride: number } {
  return { rings: f.param('i32'), ringBytes: f.param('i32'), state: f.param('i32'), stateStride: f.param('i32') };
}

/** Pushes the address of slot `(index & mask)` of a ring; `pushIndex` pushes the index. */
function ringSlot(f: FunctionBuilder, ring: number, mask: number, shift: number, pushIndex: () => void): void {
  f.localGet(ring);
  pushIndex();
  f.localGet(mask).i32And().i32Const(shift).i32Shl().i32Add();
}

/**
 * averages(rings, ringBytes, state, stateStride, next, count, phase, mask, lengthA, lengthB, decimation):
 * one lead's two moving sums over `count` samples already copied into its raw ring, the second
 * written to the feature sums at each feature sample (qrs.ts, `leadAverages`).
 */
function averagesKernel(): FunctionBuilder {
  const f = new FunctionBuilder('averages');
  const { rings, ringBytes, state, stateStride } = leadParams(f);
  const n = f.param('i32');
  const count = f.param('i32');
  const phase = f.param('i32');
  const mask = f.param('i32');
  const lengthA = f.param('i32');
  const lengthB = f.param('i32');
  const decimation = f.param('i32');
  const raw = f.local('i32');
  const smoothA = f.local('i32');
  const sumAAt = f.local('i32');
  const sumBAt = f.local('i32');
  const i = f.local('i32');
  const out = f.local('i32');
  const sumA = f.local('f64');
  const sumB = f.local('f64');

  setAddress(f, raw, rings, ringBytes, RING.raw);
  setAddress(f, smoothA, rings, ringBytes, RING.smoothA);
  setAddress(f, sumAAt, state, stateStride, STATE.sumA);
  setAddress(f, sumBAt, state, stateStride, STATE.sumB);
  f.localGet(sumAAt).f64Load().localSet(sumA);
  f.localGet(sumBAt).f64Load().localSet(sumB);
  f.i32Const(SCRATCH.featureSums).localSet(out);
  f.block(() =>
    f.loop(() => {
      f.localGet(i).localGet(count).i32GeS().brIf(1);
      // sumA += raw[n & m] - raw[(n - lengthA) & m], the Float32 samples widened to doubles
      f.localGet(sumA);
      ringSlot(f, raw, mask, F32_SHIFT, () => f.localGet(n));
      f.f32Load().f64PromoteF32();
      ringSlot(f, raw, mask, F32_SHIFT, () => f.localGet(n).localGet(lengthA).i32Sub());
      f.f32Load().f64PromoteF32();
      f.f64Sub().f64Add().localSet(sumA);
      // sumB += sumA - smoothA[(n - lengthB) & m]
      f.localGet(sumB).localGet(sumA);
      ringSlot(f, smoothA, mask, F64_SHIFT, () => f.localGet(n).localGet(lengthB).i32Sub());
      f.f64Load().f64Sub().f64Add().localSet(sumB);
      // smoothA[n & m] = sumA
      ringSlot(f, smoothA, mask, F64_SHIFT, () => f.localGet(n));
      f.localGet(sumA).f64Store();
      f.localGet(phase).i32Const(1).i32Add().localTee(phase).localGet(decimation).i32Eq();
      f.ifElse(() => {
        f.i32Const(0).localSet(phase);
        f.localGet(out).localGet(sumB).f64Store();
        f.localGet(out).i32Const(F64_BYTES).i32Add().localSet(out);
      });
      f.localGet(i).i32Const(1).i32Add().localSet(i);
      f.localGet(n).i32Const(1).i32Add().localSet(n);
      f.br(0);
    }),
  );
  f.localGet(sumAAt).localGet(sumA).f64Store();
  f.localGet(sumBAt).localGet(sumB).f64Store();
  return f;
}

/**
 * feature(rings, ringBytes, state, stateStride, scratchBytes, k, values, mask, slopeLag, lengthLocal,
 * lengthIntegration, powerRate, localScale, aroundScale, localFloor, weightFloor): one lead's
 * `values` feature values from feature index `k`, added into the combined energy and integral
 * (qrs.ts, `leadFeature`, which documents each step). The rings keep running sums, not means:
 * the constant scale cancels in the power normalisation.
 */
function featureKernel(): FunctionBuilder {
  const f = new FunctionBuilder('feature');
  const { rings, ringBytes, state, stateStride } = leadParams(f);
  const scratchBytes = f.param('i32');
  const k = f.param('i32');
  const values = f.param('i32');
  const mask = f.param('i32');
  const slopeLag = f.param('i32');
  const lengthLocal = f.param('i32');
  const lengthIntegration = f.param('i32');
  const powerRate = f.param('f64');
  const localScale = f.param('f64');
  const aroundScale = f.param('f64');
  const localFloor = f.param('f64');
  const weightFloor = f.param('f64');
  const smoothB = f.local('i32');
  const slopes = f.local('i32');
  const signed = f.local('i32');
  const lobes = f.local('i32');
  const cleanness = f.local('i32');
  const refreshPower = f.local('i32');
  const localHalf = f.local('i32');
  const j = f.local('i32');
  /** Byte offset of value j in a scratch array. */
  const at = f.local('i32');
  /** Byte offset of slot k & mask in a ring. */
  const slot = f.local('i32');
  const stateAt = [f.local('i32'), f.local('i32'), f.local('i32'), f.local('i32'), f.local('i32'), f.local('i32')];
  const [localSumAt, risingAt, fallingAt, powerAt, totalAt, weightAt] = stateAt as [number, number, number, number, number, number];
  const localSum = f.local('f64');
  const rising = f.local('f64');
  const falling = f.local('f64');
  const power = f.local('f64');
  const total = f.local('f64');
  const weight = f.local('f64');
  const sumB = f.local('f64');
  const slope = f.local('f64');
  const e = f.local('f64');
  const leaving = f.local('f64');
  const local = f.local('f64');
  const floor = f.local('f64');
  const around = f.local('f64');
  const centreSlope = f.local('f64');
  const weighted = f.local('f64');
  const old = f.local('f64');
  const lobe = f.local('f64');

  setAddress(f, smoothB, rings, ringBytes, RING.smoothB);
  setAddress(f, slopes, rings, ringBytes, RING.slopes);
  setAddress(f, signed, rings, ringBytes, RING.signedEnergy);
  setAddress(f, lobes, rings, ringBytes, RING.lobes);
  setAddress(f, cleanness, rings, ringBytes, RING.cleanness);
  setAddress(f, refreshPower, rings, ringBytes, RING.refreshPower);
  const carried = [
    [localSumAt, localSum, STATE.localSum],
    [risingAt, rising, STATE.risingSum],
    [fallingAt, falling, STATE.fallingSum],
    [powerAt, power, STATE.leadPower],
    [totalAt, total, STATE.energyTotal],
    [weightAt, weight, STATE.leadWeight],
  ] as const;
  for (const [address, value, index] of carried) {
    setAddress(f, address, state, stateStride, index);
    f.localGet(address).f64Load().localSet(value);
  }
  // lengthLocal is odd: (lengthLocal - 1) / 2 exactly.
  f.localGet(lengthLocal).i32Const(1).i32Sub().i32Const(1).i32ShrS().localSet(localHalf);
  /** `ring[(k - lag) & m]` onto the stack. */
  const loadLagged = (ring: number, lag: number) => {
    ringSlot(f, ring, mask, F64_SHIFT, () => f.localGet(k).localGet(lag).i32Sub());
    f.f64Load();
  };
  /** `ring[k & m] = value` of a local. */
  const storeAtK = (ring: number, value: number) => f.localGet(ring).localGet(slot).i32Add().localGet(value).f64Store();
  /** `scratch[j] += value`, scratch array `which` of the block. */
  const addToScratch = (which: number, value: number) => {
    f.localGet(scratchBytes).i32Const(which).i32Mul().localGet(at).i32Add();
    f.localGet(scratchBytes).i32Const(which).i32Mul().localGet(at).i32Add().f64Load();
    f.localGet(value).f64Add().f64Store();
  };

  f.block(() =>
    f.loop(() => {
      f.localGet(j).localGet(values).i32GeS().brIf(1);
      f.localGet(j).i32Const(F64_SHIFT).i32Shl().localSet(at);
      f.localGet(k).localGet(mask).i32And().i32Const(F64_SHIFT).i32Shl().localSet(slot);
      // sumB = sums[j]; slope = sumB - smoothB[(k - slopeLag) & m]; smoothB[k & m] = sumB
      f.i32Const(SCRATCH.featureSums).localGet(at).i32Add().f64Load().localSet(sumB);
      f.localGet(sumB);
      loadLagged(smoothB, slopeLag);
      f.f64Sub().localSet(slope);
      storeAtK(smoothB, sumB);
      // e = slope²; leaving = slopes[(k - lengthLocal) & m]; slopes[k & m] = slope
      f.localGet(slope).localGet(slope).f64Mul().localSet(e);
      loadLagged(slopes, lengthLocal);
      f.localSet(leaving);
      storeAtK(slopes, slope);
      // localSum += e - leaving²; power += (e - power) * powerRate; total += e
      f.localGet(localSum).localGet(e).localGet(leaving).localGet(leaving).f64Mul().f64Sub().f64Add().localSet(localSum);
      f.localGet(power).localGet(e).localGet(power).f64Sub().localGet(powerRate).f64Mul().f64Add().localSet(power);
      f.localGet(total).localGet(e).f64Add().localSet(total);
      // The weight moves slowly: refreshed every 4th feature index (fixed indices, so results do not depend on block sizes).
      f.localGet(k).i32Const(3).i32And().i32Eqz();
      f.ifElse(() => {
        f.localGet(localSum).localGet(localScale).f64Mul().localSet(local);
        f.localGet(localFloor).localGet(power).f64Mul().localSet(floor);
        // around = (localSum - (rising + falling) / weight) * aroundScale: the local power without the integration
        // window at the centre (its slope power is the rising and falling sums unweighted), so a candidate's own QRS never makes its lead look noisy.
        f.localGet(localSum).localGet(rising).localGet(falling).f64Add().localGet(weight).f64Div().f64Sub();
        f.localGet(aroundScale).f64Mul().localSet(around);
        // cleanness[k & m] = around > floor ? floor / around : 1
        f.localGet(cleanness).localGet(slot).i32Add();
        f.localGet(floor).localGet(around).f64Div().f64Const(1).localGet(around).localGet(floor).f64Gt().select();
        f.f64Store();
        storeAtK(refreshPower, power);
        // weight = 1 / ((local > floor ? local : floor) + weightFloor)
        f.f64Const(1);
        f.localGet(local).localGet(floor).localGet(local).localGet(floor).f64Gt().select();
        f.localGet(weightFloor).f64Add().f64Div().localSet(weight);
      });
      // centreSlope = slopes[(k - localHalf) & m]; weighted = centreSlope * centreSlope * weight
      loadLagged(slopes, localHalf);
      f.localSet(centreSlope);
      f.localGet(centreSlope).localGet(centreSlope).f64Mul().localGet(weight).f64Mul().localSet(weighted);
      // The value leaving the integration window leaves the sum it went into.
      loadLagged(signed, lengthIntegration);
      f.localTee(old).f64Const(0).f64Gt();
      f.ifElse(
        () => f.localGet(rising).localGet(old).f64Sub().localSet(rising),
        () => f.localGet(falling).localGet(old).f64Add().localSet(falling),
      );
      f.localGet(centreSlope).f64Const(0).f64Gt();
      f.ifElse(
        () => {
          f.localGet(rising).localGet(weighted).f64Add().localSet(rising);
          storeAtK(signed, weighted);
        },
        () => {
          f.localGet(falling).localGet(weighted).f64Add().localSet(falling);
          f.localGet(signed).localGet(slot).i32Add().localGet(weighted).f64Neg().f64Store();
        },
      );
      addToScratch(SCRATCH.combinedEnergy, weighted);
      // lobe = 2 * (rising < falling ? rising : falling): a select on the comparison, as JavaScript does (not f64.min, which differs at -0 and NaN)
      f.f64Const(2).localGet(rising).localGet(falling).localGet(rising).localGet(falling).f64Lt().select().f64Mul().localSet(lobe);
      storeAtK(lobes, lobe);
      addToScratch(SCRATCH.combinedIntegral, lobe);
      f.localGet(j).i32Const(1).i32Add().localSet(j);
      f.localGet(k).i32Const(1).i32Add().localSet(k);
      f.br(0);
    }),
  );
  for (const [address, value] of carried) f.localGet(address).localGet(value).f64Store();
  return f;
}

/**
 * scan(energy, integrated, scratchBytes, j, values, due, k, mask, leadCount, lengthIntegration):
 * from value j of the block (feature index k) on, stores the leads' combined energy and their
 * mean integral in the detector's rings (qrs.ts, `steps`) and returns the first j at which the
 * integral has a local maximum one value back (a candidate) or that is `due`, once its values are
 * stored; `values` when there is none in the block.
 */
function scanKernel(): FunctionBuilder {
  const f = new FunctionBuilder('scan', ['i32']);
  const energy = f.param('i32');
  const integrated = f.param('i32');
  const scratchBytes = f.param('i32');
  const j = f.param('i32');
  const values = f.param('i32');
  const due = f.param('i32');
  const k = f.param('i32');
  const mask = f.param('i32');
  const leadCount = f.param('f64');
  const lengthIntegration = f.param('f64');
  const at = f.local('i32');
  const value = f.local('f64');
  const previous = f.local('f64');
  /** `integrated[(k - back) & m]` onto the stack. */
  const integralBack = (back: number) => {
    ringSlot(f, integrated, mask, F64_SHIFT, () => f.localGet(k).i32Const(back).i32Sub());
    f.f64Load();
  };
  f.block(() =>
    f.loop(() => {
      f.localGet(j).localGet(values).i32GeS().brIf(1);
      f.localGet(j).i32Const(F64_SHIFT).i32Shl().localSet(at);
      // energy[k & m] = combinedEnergy[j]
      ringSlot(f, energy, mask, F64_SHIFT, () => f.localGet(k));
      f.localGet(scratchBytes).i32Const(SCRATCH.combinedEnergy).i32Mul().localGet(at).i32Add().f64Load().f64Store();
      // integrated[k & m] = combinedIntegral[j] / leadCount / lengthIntegration
      ringSlot(f, integrated, mask, F64_SHIFT, () => f.localGet(k));
      f.localGet(scratchBytes).i32Const(SCRATCH.combinedIntegral).i32Mul().localGet(at).i32Add().f64Load();
      f.localGet(leadCount).f64Div().localGet(lengthIntegration).f64Div().localTee(value).f64Store();
      // A local maximum at k - 1: integrated[k - 1] > integrated[k - 2] and >= the value just stored.
      integralBack(1);
      f.localTee(previous);
      integralBack(2);
      f.f64Gt().localGet(previous).localGet(value).f64Ge().i32And().brIf(1);
      f.localGet(j).localGet(due).i32GeS().brIf(1);
      f.localGet(j).i32Const(1).i32Add().localSet(j);
      f.localGet(k).i32Const(1).i32Add().localSet(k);
      f.br(0);
    }),
  );
  f.localGet(j);
  return f;
}

/** The detector module's bytes: `averages`, `feature` and `scan` over an imported memory. */
export function detectorModuleBytes(): Uint8Array {
  return emitModule(MEMORY_IMPORT, [averagesKernel(), featureKernel(), scanKernel()]);
}

const detectorModule = compiledOnce(detectorModuleBytes);

/** The detector's sizes and constants, fixed for its life. */
export interface DetectorKernelSettings {
  leadCount: number;
  /** Slots per ring, a power of two. */
  ringSize: number;
  /** Values per scratch array: the feature values of the largest block. */
  scratchValues: number;
  lengthA: number;
  lengthB: number;
  decimation: number;
  slopeLag: number;
  lengthLocal: number;
  lengthIntegration: number;
  powerRate: number;
  localScale: number;
  aroundScale: number;
  localFloor: number;
  weightFloor: number;
}

type AveragesExport = (
  rings: number,
  ringBytes: number,
  state: number,
  stateStride: number,
  next: number,
  count: number,
  phase: number,
  mask: number,
  lengthA: number,
  lengthB: number,
  decimation: number,
) => void;
type ScanExport = (
  energy: number,
  integrated: number,
  scratchBytes: number,
  j: number,
  values: number,
  due: number,
  k: number,
  mask: number,
  leadCount: number,
  lengthIntegration: number,
) => number;
type FeatureExport = (
  rings: number,
  ringBytes: number,
  state: number,
  stateStride: number,
  scratchBytes: number,
  k: number,
  values: number,
  mask: number,
  slopeLag: number,
  lengthLocal: number,
  lengthIntegration: number,
  powerRate: number,
  localScale: number,
  aroundScale: number,
  localFloor: number,
  weightFloor: number,
) => void;

/** Bytes rounded up to whole 8-byte slots, so every array after it is aligned for doubles. */
function slots(bytes: number): number {
  return Math.ceil(bytes / F64_BYTES) * F64_BYTES;
}

/** One detector's memory, the views onto it and the two kernels bound to it. */
export class DetectorKernels {
  readonly raw: Float32Array[];
  readonly smoothA: Float64Array[];
  readonly smoothB: Float64Array[];
  readonly slopes: Float64Array[];
  readonly signedEnergy: Float64Array[];
  readonly lobes: Float64Array[];
  readonly cleanness: Float64Array[];
  readonly refreshPower: Float64Array[];
  readonly featureSums: Float64Array;
  readonly combinedEnergy: Float64Array;
  readonly combinedIntegral: Float64Array;
  readonly sumA: Float64Array;
  readonly sumB: Float64Array;
  readonly localSum: Float64Array;
  readonly risingSum: Float64Array;
  readonly fallingSum: Float64Array;
  readonly leadPower: Float64Array;
  readonly energyTotal: Float64Array;
  readonly leadWeight: Float64Array;
  /** The leads' summed weighted slope energy by feature index. */
  readonly energy: Float64Array;
  /** The leads' mean rise-and-fall integral by feature index. */
  readonly integrated: Float64Array;

  private readonly settings: DetectorKernelSettings;
  private readonly mask: number;
  private readonly scratchBytes: number;
  private readonly ringBytes: number;
  private readonly stateBase: number;
  private readonly ringsBase: number;
  /** The combined rings, after every lead's: energy, then integral. */
  private readonly combinedBase: number;
  private readonly averagesKernel: AveragesExport;
  private readonly featureKernel: FeatureExport;
  private readonly scanKernel: ScanExport;

  constructor(settings: DetectorKernelSettings) {
    const { leadCount, ringSize, scratchValues } = settings;
    this.settings = settings;
    this.mask = ringSize - 1;
    this.scratchBytes = slots(scratchValues * F64_BYTES);
    this.ringBytes = slots(ringSize * F64_BYTES);
    this.stateBase = SCRATCH_COUNT * this.scratchBytes;
    this.ringsBase = this.stateBase + STATE_COUNT * leadCount * F64_BYTES;
    this.combinedBase = this.ringsBase + leadCount * RING_COUNT * this.ringBytes;
    const totalBytes = this.combinedBase + 2 * this.ringBytes;
    const { exports, buffer } = instantiateWithMemory(detectorModule(), MEMORY_IMPORT, totalBytes);
    this.averagesKernel = exports.averages as unknown as AveragesExport;
    this.featureKernel = exports.feature as unknown as FeatureExport;
    this.scanKernel = exports.scan as unknown as ScanExport;
    const scratch = (which: number) => new Float64Array(buffer, which * this.scratchBytes, scratchValues);
    this.featureSums = scratch(SCRATCH.featureSums);
    this.combinedEnergy = scratch(SCRATCH.combinedEnergy);
    this.combinedIntegral = scratch(SCRATCH.combinedIntegral);
    const state = (index: number) => new Float64Array(buffer, this.stateBase + index * leadCount * F64_BYTES, leadCount);
    this.sumA = state(STATE.sumA);
    this.sumB = state(STATE.sumB);
    this.localSum = state(STATE.localSum);
    this.risingSum = state(STATE.risingSum);
    this.fallingSum = state(STATE.fallingSum);
    this.leadPower = state(STATE.leadPower);
    this.energyTotal = state(STATE.energyTotal);
    this.leadWeight = state(STATE.leadWeight);
    const rings = (ring: number) => Array.from({ length: leadCount }, (_, l) => new Float64Array(buffer, this.ringAddress(l, ring), ringSize));
    this.raw = Array.from({ length: leadCount }, (_, l) => new Float32Array(buffer, this.ringAddress(l, RING.raw), ringSize));
    this.smoothA = rings(RING.smoothA);
    this.smoothB = rings(RING.smoothB);
    this.slopes = rings(RING.slopes);
    this.signedEnergy = rings(RING.signedEnergy);
    this.lobes = rings(RING.lobes);
    this.cleanness = rings(RING.cleanness);
    this.refreshPower = rings(RING.refreshPower);
    this.energy = new Float64Array(buffer, this.combinedBase, ringSize);
    this.integrated = new Float64Array(buffer, this.combinedBase + this.ringBytes, ringSize);
  }

  /**
   * Lead `l`'s two moving sums over `count` samples from sample number `next` (already in its raw
   * ring), `phase` samples into the current feature value; each feature value's second sum goes
   * to `featureSums`.
   */
  averages(l: number, next: number, count: number, phase: number): void {
    const s = this.settings;
    this.averagesKernel(this.ringAddress(l, 0), this.ringBytes, this.stateBase + l * F64_BYTES, s.leadCount * F64_BYTES, next, count, phase, this.mask, s.lengthA, s.lengthB, s.decimation);
  }

  /** Lead `l`'s `values` feature values from feature index `k`, added into `combinedEnergy` and `combinedIntegral`. */
  feature(l: number, k: number, values: number): void {
    const s = this.settings;
    this.featureKernel(
      this.ringAddress(l, 0),
      this.ringBytes,
      this.stateBase + l * F64_BYTES,
      s.leadCount * F64_BYTES,
      this.scratchBytes,
      k,
      values,
      this.mask,
      s.slopeLag,
      s.lengthLocal,
      s.lengthIntegration,
      s.powerRate,
      s.localScale,
      s.aroundScale,
      s.localFloor,
      s.weightFloor,
    );
  }

  /**
   * From value j of the block's `values` (feature index k) on: the combined energy and the leads'
   * mean integral into `energy` and `integrated`, up to the first j at which the integral has a
   * local maximum one value back or that is `due` (that one stored too). Returns that j, or
   * `values` when there is none.
   */
  scan(j: number, values: number, due: number, k: number): number {
    const s = this.settings;
    return this.scanKernel(this.combinedBase, this.combinedBase + this.ringBytes, this.scratchBytes, j, values, due, k, this.mask, s.leadCount, s.lengthIntegration);
  }

  private ringAddress(l: number, ring: number): number {
    return this.ringsBase + (l * RING_COUNT + ring) * this.ringBytes;
  }
}
