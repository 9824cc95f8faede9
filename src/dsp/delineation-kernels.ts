/**
 * The interval measurement's numeric loops (delineation-filters.ts and median-beat.ts: the
 * baseline's running medians, the zero-phase low-pass, the |slope| moving mean, the median beat's
 * column medians and the QRS alignment search) as WebAssembly. They run on a few 10 s windows
 * near the end of a fresh process, where V8 would still interpret them; WebAssembly runs as
 * machine code from its first call. Each loop nest is one call. The arithmetic is the
 * JavaScript's, operation for operation (doubles throughout, Float32 samples widened as
 * JavaScript widens them, comparisons as its conditionals), so the results are bit-identical.
 *
 * One module for the process and one memory, replaced by a larger one when a call needs more
 * (no view onto it is kept between calls, so no held view is ever detached). Inputs are copied
 * in and results copied out by each call.
 */

import { compiledOnce, emitModule, FunctionBuilder, instantiateWithMemory } from '../wasm/module.js';
import { at, declare, f64At, forUp, increment, loadF64, maxI32, minI32, whileTrue } from '../wasm/text.js';

const F64_BYTES = 8;
const I32_BYTES = 4;
const MEMORY_IMPORT = { module: 'delineation', name: 'memory' } as const;

// The kernels are written in the text form (FunctionBuilder.text) with the templates of wasm/text.ts.

const RUNNING_MEDIAN_INDEX = 0;

/**
 * runningMedian(input, n, half, window, out): the centred running median of width 2·half+1
 * (shrinking at the ends) of `n` doubles, a sorted window sliding along with a binary search for
 * each sample leaving and entering; `window` is scratch for 2·half+1 doubles.
 */
function runningMedianKernel(): FunctionBuilder {
  const f = new FunctionBuilder('runningMedian');
  declare(f, 'param', 'i32', '$input $n $half $window $out');
  declare(f, 'local', 'i32', '$i $count $newest $at $k $leaving $lo $hi $mid');
  declare(f, 'local', 'f64', '$value');
  // $at = the first index in the sorted window[0, count) whose value is not below $value
  const sortedPosition = `i32.const 0 local.set $lo local.get $count local.set $hi
    ${whileTrue(
      'local.get $lo local.get $hi i32.lt_s',
      `local.get $lo local.get $hi i32.add i32.const 1 i32.shr_s local.set $mid
       ${loadF64('$window', 'local.get $mid')} local.get $value f64.lt
       if local.get $mid i32.const 1 i32.add local.set $lo else local.get $mid local.set $hi end`,
    )}
    local.get $lo local.set $at`;
  return f.text(`i32.const -1 local.set $newest
    ${forUp(
      '$i',
      'i32.const 0',
      'local.get $n',
      `;; the sample leaving: out of the window, which closes up over it
      local.get $i local.get $half i32.sub i32.const 1 i32.sub local.tee $leaving i32.const 0 i32.ge_s
      if
        ${loadF64('$input', 'local.get $leaving')} local.set $value
        ${sortedPosition}
        ${forUp('$k', 'local.get $at', 'local.get $count i32.const 1 i32.sub', `${f64At('$window', 'local.get $k')} ${loadF64('$window', 'local.get $k i32.const 1 i32.add')} f64.store`)}
        ${increment('$count', -1)}
      end
      ;; the samples entering, up to i + half, each into its sorted place
      ${whileTrue(
        `local.get $newest ${minI32('local.get $n i32.const 1 i32.sub', 'local.get $i local.get $half i32.add')} i32.lt_s`,
        `${increment('$newest', 1)}
        ${loadF64('$input', 'local.get $newest')} local.set $value
        ${sortedPosition}
        local.get $count local.set $k
        ${whileTrue('local.get $k local.get $at i32.gt_s', `${f64At('$window', 'local.get $k')} ${loadF64('$window', 'local.get $k i32.const 1 i32.sub')} f64.store ${increment('$k', -1)}`)}
        ${f64At('$window', 'local.get $at')} local.get $value f64.store
        ${increment('$count', 1)}`,
      )}
      ;; odd count: the middle; even: the mean of the two middles
      local.get $count i32.const 1 i32.shr_s local.set $mid
      local.get $count i32.const 1 i32.and
      if ${loadF64('$window', 'local.get $mid')} local.set $value
      else ${loadF64('$window', 'local.get $mid i32.const 1 i32.sub')} ${loadF64('$window', 'local.get $mid')} f64.add f64.const 2 f64.div local.set $value
      end
      ${f64At('$out', 'local.get $i')} local.get $value f64.store`,
    )}`);
}

/**
 * baseline(signal, n, factor, m, halfA, halfB, centre, decimated, smoothed, baseline, window, out):
 * the Float32 `signal` minus its baseline (delineation-filters.ts, `withoutBaseline`): block
 * means of `factor` samples, two running medians over them, the result interpolated back and
 * subtracted. `centre` is (factor − 1) / 2.
 */
function baselineKernel(): FunctionBuilder {
  const f = new FunctionBuilder('baseline');
  declare(f, 'param', 'i32', '$signal $n $factor $m $halfA $halfB');
  declare(f, 'param', 'f64', '$centre');
  declare(f, 'param', 'i32', '$decimated $smoothed $baseline $window $out');
  declare(f, 'local', 'i32', '$i $j $count');
  declare(f, 'local', 'f64', '$sum $position $block $next $lastBlock $fraction');
  const sample = (index: string) => `${at('$signal', index, 2)} f32.load f64.promote_f32`;
  return f.text(`
    ${forUp(
      '$j',
      'i32.const 0',
      'local.get $m',
      `f64.const 0 local.set $sum i32.const 0 local.set $count
      ${forUp(
        '$i',
        'local.get $j local.get $factor i32.mul',
        minI32('local.get $n', 'local.get $j i32.const 1 i32.add local.get $factor i32.mul'),
        `local.get $sum ${sample('local.get $i')} f64.add local.set $sum ${increment('$count', 1)}`,
      )}
      ${f64At('$decimated', 'local.get $j')} local.get $sum local.get $count f64.convert_i32_s f64.div f64.store`,
    )}
    local.get $decimated local.get $m local.get $halfA local.get $window local.get $smoothed call ${RUNNING_MEDIAN_INDEX}
    local.get $smoothed local.get $m local.get $halfB local.get $window local.get $baseline call ${RUNNING_MEDIAN_INDEX}
    local.get $m i32.const 1 i32.sub f64.convert_i32_s local.set $lastBlock
    ${forUp(
      '$i',
      'i32.const 0',
      'local.get $n',
      `local.get $i f64.convert_i32_s local.get $centre f64.sub local.get $factor f64.convert_i32_s f64.div local.set $position
      ;; block = floor < 0 ? 0 : floor > lastBlock ? lastBlock : floor
      local.get $position f64.floor local.set $block
      f64.const 0 local.get $lastBlock local.get $block local.get $block local.get $lastBlock f64.gt select
      local.get $block f64.const 0 f64.lt select local.set $block
      ;; next = block + 1 < lastBlock ? block + 1 : lastBlock
      local.get $block f64.const 1 f64.add local.get $lastBlock
      local.get $block f64.const 1 f64.add local.get $lastBlock f64.lt select local.set $next
      ;; fraction = offset < 0 ? 0 : offset > 1 ? 1 : offset, offset = position − block
      local.get $position local.get $block f64.sub local.set $fraction
      f64.const 0 f64.const 1 local.get $fraction local.get $fraction f64.const 1 f64.gt select
      local.get $fraction f64.const 0 f64.lt select local.set $fraction
      ${f64At('$out', 'local.get $i')} ${sample('local.get $i')}
      ${loadF64('$baseline', 'local.get $block i32.trunc_f64_s')} f64.const 1 local.get $fraction f64.sub f64.mul
      ${loadF64('$baseline', 'local.get $next i32.trunc_f64_s')} local.get $fraction f64.mul f64.add f64.sub f64.store`,
    )}`);
}

/**
 * lowPass(data, n, b0, b1, b2, a1, a2): the biquad run forward then backward over `n` doubles in
 * place, each pass starting in steady state at its first value (delineation-filters.ts, `lowPassZeroPhase`).
 */
function lowPassKernel(): FunctionBuilder {
  const f = new FunctionBuilder('lowPass');
  declare(f, 'param', 'i32', '$data $n');
  declare(f, 'param', 'f64', '$b0 $b1 $b2 $a1 $a2');
  declare(f, 'local', 'i32', '$k $at');
  declare(f, 'local', 'f64', '$x $x1 $x2 $y1 $y2 $y');
  // `$at` walks the byte addresses, first to last or last to first.
  const pass = (first: string, step: number) => `${first} local.set $at
    local.get $at f64.load local.tee $x1 local.tee $x2 local.tee $y1 local.set $y2
    ${forUp(
      '$k',
      'i32.const 0',
      'local.get $n',
      `local.get $at f64.load local.set $x
      local.get $b0 local.get $x f64.mul local.get $b1 local.get $x1 f64.mul f64.add
      local.get $b2 local.get $x2 f64.mul f64.add
      local.get $a1 local.get $y1 f64.mul f64.sub
      local.get $a2 local.get $y2 f64.mul f64.sub local.set $y
      local.get $x1 local.set $x2 local.get $x local.set $x1
      local.get $y1 local.set $y2 local.get $y local.set $y1
      local.get $at local.get $y f64.store
      ${increment('$at', step)}`,
    )}`;
  return f.text(`${pass('local.get $data', F64_BYTES)} ${pass(f64At('$data', 'local.get $n i32.const 1 i32.sub'), -F64_BYTES)}`);
}

/**
 * movingMeanAbs(values, n, half, edgeWeight, out): the centred mean of |values| over 2·half+1
 * samples plus the two next ones at `edgeWeight`, fewer at the ends (delineation-filters.ts, `movingMeanAbs`).
 */
function movingMeanAbsKernel(): FunctionBuilder {
  const f = new FunctionBuilder('movingMeanAbs');
  declare(f, 'param', 'i32', '$values $n $half');
  declare(f, 'param', 'f64', '$edgeWeight');
  declare(f, 'param', 'i32', '$out');
  declare(f, 'local', 'i32', '$i $j $edge');
  declare(f, 'local', 'f64', '$sum $count');
  const addEdge = `local.get $sum local.get $edgeWeight ${loadF64('$values', 'local.get $edge')} f64.abs f64.mul f64.add local.set $sum
    local.get $count local.get $edgeWeight f64.add local.set $count`;
  return f.text(
    forUp(
      '$i',
      'i32.const 0',
      'local.get $n',
      `f64.const 0 local.tee $sum local.set $count
      ;; j from max(0, i − half) to min(last, i + half), as j < min(n, i + half + 1)
      ${forUp(
        '$j',
        maxI32('i32.const 0', 'local.get $i local.get $half i32.sub'),
        minI32('local.get $n', 'local.get $i local.get $half i32.add i32.const 1 i32.add'),
        `local.get $sum ${loadF64('$values', 'local.get $j')} f64.abs f64.add local.set $sum
        local.get $count f64.const 1 f64.add local.set $count`,
      )}
      local.get $edgeWeight f64.const 0 f64.gt
      if
        local.get $i local.get $half i32.sub i32.const 1 i32.sub local.tee $edge i32.const 0 i32.ge_s
        if ${addEdge} end
        local.get $i local.get $half i32.add i32.const 1 i32.add local.tee $edge local.get $n i32.lt_s
        if ${addEdge} end
      end
      ${f64At('$out', 'local.get $i')} local.get $sum local.get $count f64.div f64.store`,
    ),
  );
}

/**
 * medianColumns(signal, peaks, count, pre, length, center, out, column): per sample k of the beat
 * window, the median over the `count` beats (Int32 R peaks) of signal[R + k − pre], or with a
 * `center` address other than −1 the median of their absolute deviations from center[k]
 * (median-beat.ts, `medianOfBeats`). Each column is put in `column` and selected in place
 * (Hoare's selection, delineation-filters.ts `medianInPlace`); an empty column's median is NaN.
 */
function medianColumnsKernel(): FunctionBuilder {
  const f = new FunctionBuilder('medianColumns');
  declare(f, 'param', 'i32', '$signal $peaks $count $pre $length $center $out $column');
  declare(f, 'local', 'i32', '$k $b $mid $lo $hi $i $j');
  declare(f, 'local', 'f64', '$c $pivot $swap $upper $lower $value');
  const columnAt = (index: string) => f64At('$column', `local.get ${index}`);
  const columnValue = (index: string) => loadF64('$column', `local.get ${index}`);
  // Hoare's selection of the mid-th smallest of column[0, count) into $upper.
  const select = `i32.const 0 local.set $lo local.get $count i32.const 1 i32.sub local.set $hi
    block loop
      local.get $hi local.get $lo i32.gt_s i32.eqz br_if 1
      ${loadF64('$column', 'local.get $lo local.get $hi i32.add i32.const 1 i32.shr_s')} local.set $pivot
      local.get $lo local.set $i local.get $hi local.set $j
      ${whileTrue(
        'local.get $i local.get $j i32.le_s',
        `${whileTrue(`${columnValue('$i')} local.get $pivot f64.lt`, increment('$i', 1))}
        ${whileTrue(`${columnValue('$j')} local.get $pivot f64.gt`, increment('$j', -1))}
        local.get $i local.get $j i32.le_s
        if
          ${columnValue('$i')} local.set $swap
          ${columnAt('$i')} ${columnValue('$j')} f64.store
          ${columnAt('$j')} local.get $swap f64.store
          ${increment('$i', 1)} ${increment('$j', -1)}
        end`,
      )}
      ;; if (mid <= j) hi = j; else if (mid >= i) lo = i; else break
      local.get $mid local.get $j i32.le_s
      if local.get $j local.set $hi
      else
        local.get $mid local.get $i i32.ge_s
        if local.get $i local.set $lo else br 3 end
      end
      br 0
    end end
    ${columnValue('$mid')} local.set $upper`;
  return f.text(`local.get $count i32.const 1 i32.shr_s local.set $mid
    ${forUp(
      '$k',
      'i32.const 0',
      'local.get $length',
      `local.get $center i32.const -1 i32.ne
      if ${loadF64('$center', 'local.get $k')} local.set $c end
      ${forUp(
        '$b',
        'i32.const 0',
        'local.get $count',
        `${at('$peaks', 'local.get $b', 2)} i32.load local.get $k i32.add local.get $pre i32.sub local.set $i
        ${loadF64('$signal', 'local.get $i')} local.set $value
        ${columnAt('$b')}
        local.get $center i32.const -1 i32.ne
        if local.get $value local.get $c f64.sub f64.abs local.set $value end
        local.get $value f64.store`,
      )}
      local.get $count i32.eqz
      if f64.const NaN local.set $value
      else
        ${select}
        local.get $count i32.const 1 i32.and
        if local.get $upper local.set $value
        else
          ;; everything before mid is <= the upper middle: the lower middle is their maximum
          ${loadF64('$column', 'i32.const 0')} local.set $lower
          ${forUp('$i', 'i32.const 1', 'local.get $mid', `${columnValue('$i')} local.get $lower f64.gt if ${columnValue('$i')} local.set $lower end`)}
          local.get $lower local.get $upper f64.add f64.const 2 f64.div local.set $value
        end
      end
      ${f64At('$out', 'local.get $k')} local.get $value f64.store`,
    )}`);
}

/**
 * alignments(signal, template, width, tMean, tVar, peaks, count, half, maxLag, outR, outCorrelation):
 * for each of `count` beats (Int32 R peaks), the shift within ±maxLag whose QRS (`width` = 2·half+1
 * samples) correlates best with the template's (its mean and sum of squared deviations given),
 * as an R sample and that correlation (median-beat.ts, `bestAlignment`): the beat's sum and sum
 * of squares slide from lag to lag, the products take a full pass.
 */
function alignmentsKernel(): FunctionBuilder {
  const f = new FunctionBuilder('alignments');
  declare(f, 'param', 'i32', '$signal $template $width');
  declare(f, 'param', 'f64', '$tMean $tVar');
  declare(f, 'param', 'i32', '$peaks $count $half $maxLag $outR $outCorrelation');
  declare(f, 'local', 'i32', '$b $r $bestR $k $lag $s0');
  declare(f, 'local', 'f64', '$widthF $best $sum $squares $s $leaving $entering $products $sMean $sVar $correlation');
  return f.text(`local.get $width f64.convert_i32_s local.set $widthF
    ${forUp(
      '$b',
      'i32.const 0',
      'local.get $count',
      `${at('$peaks', 'local.get $b', 2)} i32.load local.tee $r local.set $bestR
      f64.const -Infinity local.set $best
      f64.const 0 local.tee $sum local.set $squares
      ;; the first lag's QRS
      local.get $r local.get $maxLag i32.sub local.get $half i32.sub local.set $s0
      ${forUp(
        '$k',
        'i32.const 0',
        'local.get $width',
        `${loadF64('$signal', 'local.get $s0 local.get $k i32.add')} local.set $s
        local.get $sum local.get $s f64.add local.set $sum
        local.get $squares local.get $s local.get $s f64.mul f64.add local.set $squares`,
      )}
      i32.const 0 local.get $maxLag i32.sub local.set $lag
      ${whileTrue(
        'local.get $lag local.get $maxLag i32.le_s',
        `local.get $r local.get $lag i32.add local.get $half i32.sub local.set $s0
        local.get $lag i32.const 0 local.get $maxLag i32.sub i32.gt_s
        if
          ${loadF64('$signal', 'local.get $s0 i32.const 1 i32.sub')} local.set $leaving
          ${loadF64('$signal', 'local.get $s0 local.get $width i32.add i32.const 1 i32.sub')} local.set $entering
          local.get $sum local.get $entering local.get $leaving f64.sub f64.add local.set $sum
          local.get $squares local.get $entering local.get $entering f64.mul local.get $leaving local.get $leaving f64.mul f64.sub f64.add local.set $squares
        end
        f64.const 0 local.set $products
        ${forUp(
          '$k',
          'i32.const 0',
          'local.get $width',
          `local.get $products ${loadF64('$signal', 'local.get $s0 local.get $k i32.add')} ${loadF64('$template', 'local.get $k')} f64.mul f64.add local.set $products`,
        )}
        local.get $sum local.get $widthF f64.div local.set $sMean
        local.get $squares local.get $widthF local.get $sMean f64.mul local.get $sMean f64.mul f64.sub local.set $sVar
        f64.const 0 local.set $correlation
        local.get $sVar f64.const 0 f64.gt local.get $tVar f64.const 0 f64.gt i32.and
        if
          ;; cross / sqrt(sVar · tVar), cross = products − width · sMean · tMean
          local.get $products local.get $widthF local.get $sMean f64.mul local.get $tMean f64.mul f64.sub
          local.get $sVar local.get $tVar f64.mul f64.sqrt f64.div local.set $correlation
        end
        local.get $correlation local.get $best f64.gt
        if local.get $r local.get $lag i32.add local.set $bestR local.get $correlation local.set $best end
        ${increment('$lag', 1)}`,
      )}
      ${at('$outR', 'local.get $b', 2)} local.get $bestR i32.store
      ${f64At('$outCorrelation', 'local.get $b')} local.get $best f64.store`,
    )}`);
}

/** The module's bytes: runningMedian first, as `baseline` calls it by index. */
export function delineationModuleBytes(): Uint8Array {
  return emitModule(MEMORY_IMPORT, [runningMedianKernel(), baselineKernel(), lowPassKernel(), movingMeanAbsKernel(), medianColumnsKernel(), alignmentsKernel()]);
}

const delineationModule = compiledOnce(delineationModuleBytes);

interface Exports {
  baseline(signal: number, n: number, factor: number, m: number, halfA: number, halfB: number, centre: number, decimated: number, smoothed: number, baseline: number, window: number, out: number): void;
  lowPass(data: number, n: number, b0: number, b1: number, b2: number, a1: number, a2: number): void;
  movingMeanAbs(values: number, n: number, half: number, edgeWeight: number, out: number): void;
  medianColumns(signal: number, peaks: number, count: number, pre: number, length: number, center: number, out: number, column: number): void;
  alignments(
    signal: number,
    template: number,
    width: number,
    tMean: number,
    tVar: number,
    peaks: number,
    count: number,
    half: number,
    maxLag: number,
    outR: number,
    outCorrelation: number,
  ): void;
}

/** Byte addresses of a call's arrays, laid out one after another on 8-byte boundaries. */
class Layout {
  bytes = 0;
  take(count: number, elementBytes: number): number {
    const at = this.bytes;
    this.bytes += Math.ceil((count * elementBytes) / F64_BYTES) * F64_BYTES;
    return at;
  }
}

let instance: { exports: Exports; buffer: ArrayBuffer } | null = null;

/** The instance, over a memory of at least `bytes` bytes: a new, larger one (doubling) when the current is too small. */
function kernels(bytes: number): { exports: Exports; buffer: ArrayBuffer } {
  if (instance === null || instance.buffer.byteLength < bytes) {
    const size = Math.max(bytes, 2 * (instance?.buffer.byteLength ?? 0));
    const made = instantiateWithMemory(delineationModule(), MEMORY_IMPORT, size);
    instance = { exports: made.exports as unknown as Exports, buffer: made.buffer };
  }
  return instance;
}

/**
 * `signalUv` minus its baseline: block means of `factor` samples (`blocks` of them), running
 * medians of half-widths `halfA` then `halfB` over those, interpolated back.
 */
export function subtractBaseline(signalUv: Float32Array, factor: number, blocks: number, halfA: number, halfB: number): Float64Array {
  const n = signalUv.length;
  const layout = new Layout();
  const signal = layout.take(n, Float32Array.BYTES_PER_ELEMENT);
  const decimated = layout.take(blocks, F64_BYTES);
  const smoothed = layout.take(blocks, F64_BYTES);
  const baseline = layout.take(blocks, F64_BYTES);
  const window = layout.take(2 * Math.max(halfA, halfB) + 1, F64_BYTES);
  const out = layout.take(n, F64_BYTES);
  const { exports, buffer } = kernels(layout.bytes);
  new Float32Array(buffer, signal, n).set(signalUv);
  exports.baseline(signal, n, factor, blocks, halfA, halfB, (factor - 1) / 2, decimated, smoothed, baseline, window, out);
  return new Float64Array(buffer.slice(out, out + n * F64_BYTES));
}

/** Biquad coefficients, normalised by a0. */
export interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

/** Runs the biquad over `data` forward then backward, in place. */
export function lowPassInPlace(data: Float64Array, { b0, b1, b2, a1, a2 }: Biquad): void {
  const { exports, buffer } = kernels(data.length * F64_BYTES);
  const view = new Float64Array(buffer, 0, data.length);
  view.set(data);
  exports.lowPass(0, data.length, b0, b1, b2, a1, a2);
  data.set(view);
}

/** Centred moving mean of |values| over 2·half+1 samples, plus one more on each side at `edgeWeight` when it is positive. */
export function movingMeanAbsOf(values: Float64Array, half: number, edgeWeight: number): Float64Array {
  const n = values.length;
  const layout = new Layout();
  const input = layout.take(n, F64_BYTES);
  const out = layout.take(n, F64_BYTES);
  const { exports, buffer } = kernels(layout.bytes);
  new Float64Array(buffer, input, n).set(values);
  exports.movingMeanAbs(input, n, half, edgeWeight, out);
  return new Float64Array(buffer.slice(out, out + n * F64_BYTES));
}

/**
 * Per sample k of a `length`-sample beat window starting `pre` before each R: the median of
 * signal[R + k − pre] over the beats, or with `center` the median of |signal[R + k − pre] − center[k]|.
 */
export function medianColumns(signal: Float64Array, rPeaks: Int32Array, pre: number, length: number, center: Float64Array | null): Float64Array {
  const layout = new Layout();
  const signalAt = layout.take(signal.length, F64_BYTES);
  const peaksAt = layout.take(rPeaks.length, I32_BYTES);
  const centerAt = center === null ? -1 : layout.take(length, F64_BYTES);
  const out = layout.take(length, F64_BYTES);
  const column = layout.take(rPeaks.length, F64_BYTES);
  const { exports, buffer } = kernels(layout.bytes);
  new Float64Array(buffer, signalAt, signal.length).set(signal);
  new Int32Array(buffer, peaksAt, rPeaks.length).set(rPeaks);
  if (center !== null) new Float64Array(buffer, centerAt, length).set(center.subarray(0, length));
  exports.medianColumns(signalAt, peaksAt, rPeaks.length, pre, length, centerAt, out, column);
  return new Float64Array(buffer.slice(out, out + length * F64_BYTES));
}

/** A template's QRS samples with their mean and sum of squared deviations. */
export interface AlignmentTemplate {
  qrs: Float64Array;
  mean: number;
  variance: number;
}

/** For each R peak, the R (within ±maxLag) whose QRS best correlates with the template's, and that correlation. */
export function alignments(signal: Float64Array, template: AlignmentTemplate, rPeaks: Int32Array, half: number, maxLag: number): { r: Int32Array; correlation: Float64Array } {
  const count = rPeaks.length;
  const width = 2 * half + 1;
  const layout = new Layout();
  const signalAt = layout.take(signal.length, F64_BYTES);
  const templateAt = layout.take(width, F64_BYTES);
  const peaksAt = layout.take(count, I32_BYTES);
  const rAt = layout.take(count, I32_BYTES);
  const correlationAt = layout.take(count, F64_BYTES);
  const { exports, buffer } = kernels(layout.bytes);
  new Float64Array(buffer, signalAt, signal.length).set(signal);
  new Float64Array(buffer, templateAt, width).set(template.qrs.subarray(0, width));
  new Int32Array(buffer, peaksAt, count).set(rPeaks);
  exports.alignments(signalAt, templateAt, width, template.mean, template.variance, peaksAt, count, half, maxLag, rAt, correlationAt);
  return { r: new Int32Array(buffer.slice(rAt, rAt + count * I32_BYTES)), correlation: new Float64Array(buffer.slice(correlationAt, correlationAt + count * F64_BYTES)) };
}
