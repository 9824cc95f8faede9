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
import { at, declare, increment, loopUntil } from '../wasm/text.js';

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

// The kernels are written in the text form (FunctionBuilder.text) with the templates of wasm/text.ts.

/** `target = base + index * stride` (i32), for a ring or a state array's address. */
const setAddress = (target: string, base: string, stride: string, index: number) =>
  `local.get ${base} local.get ${stride} i32.const ${index} i32.mul i32.add local.set ${target}`;

/** The parameters every lead kernel starts with: where the lead's rings start, their stride, the lead's first state slot and the state arrays' stride. */
const LEAD_PARAMS = '$rings $ringBytes $state $stateStride';

/** Address of slot `(index & $mask)` of a ring, elements of 2^`shift` bytes. */
const ringSlot = (ring: string, index: string, shift: number) => at(ring, `${index} local.get $mask i32.and`, shift);

/** Address of value `$at` (a byte offset) of scratch array `which`. */
const scratchAt = (which: number) => `local.get $scratchBytes i32.const ${which} i32.mul local.get $at i32.add`;

/**
 * averages(rings, ringBytes, state, stateStride, next, count, phase, mask, lengthA, lengthB, decimation):
 * one lead's two moving sums over `count` samples already copied into its raw ring, the second
 * written to the feature sums at each feature sample (qrs.ts, `leadAverages`).
 */
function averagesKernel(): FunctionBuilder {
  const f = new FunctionBuilder('averages');
  declare(f, 'param', 'i32', `${LEAD_PARAMS} $n $count $phase $mask $lengthA $lengthB $decimation`);
  declare(f, 'local', 'i32', '$raw $smoothA $sumAAt $sumBAt $i $out');
  declare(f, 'local', 'f64', '$sumA $sumB');
  const sample = (index: string) => `${ringSlot('$raw', index, F32_SHIFT)} f32.load f64.promote_f32`;
  return f.text(`${setAddress('$raw', '$rings', '$ringBytes', RING.raw)}
    ${setAddress('$smoothA', '$rings', '$ringBytes', RING.smoothA)}
    ${setAddress('$sumAAt', '$state', '$stateStride', STATE.sumA)}
    ${setAddress('$sumBAt', '$state', '$stateStride', STATE.sumB)}
    local.get $sumAAt f64.load local.set $sumA
    local.get $sumBAt f64.load local.set $sumB
    i32.const ${SCRATCH.featureSums} local.set $out
    ${loopUntil(
      'local.get $i local.get $count i32.ge_s',
      `;; sumA += raw[n & m] - raw[(n - lengthA) & m], the Float32 samples widened to doubles
      local.get $sumA ${sample('local.get $n')} ${sample('local.get $n local.get $lengthA i32.sub')} f64.sub f64.add local.set $sumA
      ;; sumB += sumA - smoothA[(n - lengthB) & m]
      local.get $sumB local.get $sumA ${ringSlot('$smoothA', 'local.get $n local.get $lengthB i32.sub', F64_SHIFT)} f64.load f64.sub f64.add local.set $sumB
      ;; smoothA[n & m] = sumA
      ${ringSlot('$smoothA', 'local.get $n', F64_SHIFT)} local.get $sumA f64.store
      local.get $phase i32.const 1 i32.add local.tee $phase local.get $decimation i32.eq
      if
        i32.const 0 local.set $phase
        local.get $out local.get $sumB f64.store
        ${increment('$out', F64_BYTES)}
      end
      ${increment('$i', 1)}
      ${increment('$n', 1)}`,
    )}
    local.get $sumAAt local.get $sumA f64.store
    local.get $sumBAt local.get $sumB f64.store`);
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
  declare(f, 'param', 'i32', `${LEAD_PARAMS} $scratchBytes $k $values $mask $slopeLag $lengthLocal $lengthIntegration`);
  declare(f, 'param', 'f64', '$powerRate $localScale $aroundScale $localFloor $weightFloor');
  // $at: byte offset of value j in a scratch array; $slot: byte offset of slot k & mask in a ring.
  declare(f, 'local', 'i32', '$smoothB $slopes $signed $lobes $cleanness $refreshPower $localHalf $j $at $slot');
  declare(f, 'local', 'i32', '$localSumAt $risingAt $fallingAt $powerAt $totalAt $weightAt');
  declare(f, 'local', 'f64', '$localSum $rising $falling $power $total $weight');
  declare(f, 'local', 'f64', '$sumB $slope $e $leaving $local $floor $around $centreSlope $weighted $old $lobe');
  const rings = (
    [
      ['$smoothB', RING.smoothB],
      ['$slopes', RING.slopes],
      ['$signed', RING.signedEnergy],
      ['$lobes', RING.lobes],
      ['$cleanness', RING.cleanness],
      ['$refreshPower', RING.refreshPower],
    ] as const
  ).map(([ring, index]) => setAddress(ring, '$rings', '$ringBytes', index));
  const carried = [
    ['$localSumAt', '$localSum', STATE.localSum],
    ['$risingAt', '$rising', STATE.risingSum],
    ['$fallingAt', '$falling', STATE.fallingSum],
    ['$powerAt', '$power', STATE.leadPower],
    ['$totalAt', '$total', STATE.energyTotal],
    ['$weightAt', '$weight', STATE.leadWeight],
  ] as const;
  const load = carried.map(([address, value, index]) => `${setAddress(address, '$state', '$stateStride', index)} local.get ${address} f64.load local.set ${value}`);
  const save = carried.map(([address, value]) => `local.get ${address} local.get ${value} f64.store`);
  /** `ring[(k - lag) & m]`. */
  const lagged = (ring: string, lag: string) => `${ringSlot(ring, `local.get $k local.get ${lag} i32.sub`, F64_SHIFT)} f64.load`;
  /** `ring[k & m] = value` of a local. */
  const storeAtK = (ring: string, value: string) => `local.get ${ring} local.get $slot i32.add local.get ${value} f64.store`;
  /** `scratch[j] += value`, scratch array `which` of the block. */
  const addToScratch = (which: number, value: string) => `${scratchAt(which)} ${scratchAt(which)} f64.load local.get ${value} f64.add f64.store`;
  return f.text(`${rings.join(' ')}
    ${load.join(' ')}
    ;; lengthLocal is odd: (lengthLocal - 1) / 2 exactly.
    local.get $lengthLocal i32.const 1 i32.sub i32.const 1 i32.shr_s local.set $localHalf
    ${loopUntil(
      'local.get $j local.get $values i32.ge_s',
      `local.get $j i32.const ${F64_SHIFT} i32.shl local.set $at
      local.get $k local.get $mask i32.and i32.const ${F64_SHIFT} i32.shl local.set $slot
      ;; sumB = sums[j]; slope = sumB - smoothB[(k - slopeLag) & m]; smoothB[k & m] = sumB
      i32.const ${SCRATCH.featureSums} local.get $at i32.add f64.load local.set $sumB
      local.get $sumB ${lagged('$smoothB', '$slopeLag')} f64.sub local.set $slope
      ${storeAtK('$smoothB', '$sumB')}
      ;; e = slope²; leaving = slopes[(k - lengthLocal) & m]; slopes[k & m] = slope
      local.get $slope local.get $slope f64.mul local.set $e
      ${lagged('$slopes', '$lengthLocal')} local.set $leaving
      ${storeAtK('$slopes', '$slope')}
      ;; localSum += e - leaving²; power += (e - power) * powerRate; total += e
      local.get $localSum local.get $e local.get $leaving local.get $leaving f64.mul f64.sub f64.add local.set $localSum
      local.get $power local.get $e local.get $power f64.sub local.get $powerRate f64.mul f64.add local.set $power
      local.get $total local.get $e f64.add local.set $total
      ;; The weight moves slowly: refreshed every 4th feature index (fixed indices, so results do not depend on block sizes).
      local.get $k i32.const 3 i32.and i32.eqz
      if
        local.get $localSum local.get $localScale f64.mul local.set $local
        local.get $localFloor local.get $power f64.mul local.set $floor
        ;; around = (localSum - (rising + falling) / weight) * aroundScale: the local power without the integration window
        ;; at the centre (its slope power is the rising and falling sums unweighted), so a candidate's own QRS never makes its lead look noisy.
        local.get $localSum local.get $rising local.get $falling f64.add local.get $weight f64.div f64.sub
        local.get $aroundScale f64.mul local.set $around
        ;; cleanness[k & m] = around > floor ? floor / around : 1
        local.get $cleanness local.get $slot i32.add
        local.get $floor local.get $around f64.div f64.const 1 local.get $around local.get $floor f64.gt select
        f64.store
        ${storeAtK('$refreshPower', '$power')}
        ;; weight = 1 / ((local > floor ? local : floor) + weightFloor)
        f64.const 1
        local.get $local local.get $floor local.get $local local.get $floor f64.gt select
        local.get $weightFloor f64.add f64.div local.set $weight
      end
      ;; centreSlope = slopes[(k - localHalf) & m]; weighted = centreSlope * centreSlope * weight
      ${lagged('$slopes', '$localHalf')} local.set $centreSlope
      local.get $centreSlope local.get $centreSlope f64.mul local.get $weight f64.mul local.set $weighted
      ;; The value leaving the integration window leaves the sum it went into.
      ${lagged('$signed', '$lengthIntegration')} local.tee $old f64.const 0 f64.gt
      if local.get $rising local.get $old f64.sub local.set $rising
      else local.get $falling local.get $old f64.add local.set $falling
      end
      local.get $centreSlope f64.const 0 f64.gt
      if
        local.get $rising local.get $weighted f64.add local.set $rising
        ${storeAtK('$signed', '$weighted')}
      else
        local.get $falling local.get $weighted f64.add local.set $falling
        local.get $signed local.get $slot i32.add local.get $weighted f64.neg f64.store
      end
      ${addToScratch(SCRATCH.combinedEnergy, '$weighted')}
      ;; lobe = 2 * (rising < falling ? rising : falling): a select on the comparison, as JavaScript does (not f64.min, which differs at -0 and NaN)
      f64.const 2 local.get $rising local.get $falling local.get $rising local.get $falling f64.lt select f64.mul local.set $lobe
      ${storeAtK('$lobes', '$lobe')}
      ${addToScratch(SCRATCH.combinedIntegral, '$lobe')}
      ${increment('$j', 1)}
      ${increment('$k', 1)}`,
    )}
    ${save.join(' ')}`);
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
  declare(f, 'param', 'i32', '$energy $integrated $scratchBytes $j $values $due $k $mask');
  declare(f, 'param', 'f64', '$leadCount $lengthIntegration');
  declare(f, 'local', 'i32', '$at');
  declare(f, 'local', 'f64', '$value $previous');
  /** `integrated[(k - back) & m]`. */
  const integralBack = (back: number) => `${ringSlot('$integrated', `local.get $k i32.const ${back} i32.sub`, F64_SHIFT)} f64.load`;
  return f.text(`${loopUntil(
    'local.get $j local.get $values i32.ge_s',
    `local.get $j i32.const ${F64_SHIFT} i32.shl local.set $at
    ;; energy[k & m] = combinedEnergy[j]
    ${ringSlot('$energy', 'local.get $k', F64_SHIFT)} ${scratchAt(SCRATCH.combinedEnergy)} f64.load f64.store
    ;; integrated[k & m] = combinedIntegral[j] / leadCount / lengthIntegration
    ${ringSlot('$integrated', 'local.get $k', F64_SHIFT)} ${scratchAt(SCRATCH.combinedIntegral)} f64.load
    local.get $leadCount f64.div local.get $lengthIntegration f64.div local.tee $value f64.store
    ;; A local maximum at k - 1: integrated[k - 1] > integrated[k - 2] and >= the value just stored.
    ${integralBack(1)} local.tee $previous ${integralBack(2)} f64.gt local.get $previous local.get $value f64.ge i32.and br_if 1
    local.get $j local.get $due i32.ge_s br_if 1
    ${increment('$j', 1)}
    ${increment('$k', 1)}`,
  )}
  local.get $j`);
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
