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

const F64_BYTES = 8;
const I32_BYTES = 4;
const F64_SHIFT = 3;
const F32_SHIFT = 2;
const I32_SHIFT = 2;
const MEMORY_IMPORT = { module: 'delineation', name: 'memory' } as const;

/** Pushes the address of element `index` of an array at `base` (`shift` is log2 of the element size). */
function address(f: FunctionBuilder, base: number, shift: number, pushIndex: () => void): void {
  f.localGet(base);
  pushIndex();
  f.i32Const(shift).i32Shl().i32Add();
}

function loadF64(f: FunctionBuilder, base: number, pushIndex: () => void): void {
  address(f, base, F64_SHIFT, pushIndex);
  f.f64Load();
}

/** `for (i = start; i < end; i += 1) body()`, with `end` pushed again at every step. */
function forUp(f: FunctionBuilder, i: number, pushStart: () => void, pushEnd: () => void, body: () => void): void {
  pushStart();
  f.localSet(i);
  f.block(() =>
    f.loop(() => {
      f.localGet(i);
      pushEnd();
      f.i32GeS().brIf(1);
      body();
      f.localGet(i).i32Const(1).i32Add().localSet(i);
      f.br(0);
    }),
  );
}

/** `while (condition()) body()`: `condition` pushes an i32. */
function whileTrue(f: FunctionBuilder, condition: () => void, body: () => void): void {
  f.block(() =>
    f.loop(() => {
      condition();
      f.i32Eqz().brIf(1);
      body();
      f.br(0);
    }),
  );
}

/** Pushes the smaller of two i32 values (`a < b ? a : b`). */
function minI32(f: FunctionBuilder, a: () => void, b: () => void): void {
  a();
  b();
  a();
  b();
  f.i32LtS().select();
}

/** Pushes the larger of two i32 values (`a > b ? a : b`). */
function maxI32(f: FunctionBuilder, a: () => void, b: () => void): void {
  a();
  b();
  a();
  b();
  f.i32GtS().select();
}

const RUNNING_MEDIAN_INDEX = 0;

/**
 * runningMedian(input, n, half, window, out): the centred running median of width 2·half+1
 * (shrinking at the ends) of `n` doubles, a sorted window sliding along with a binary search for
 * each sample leaving and entering; `window` is scratch for 2·half+1 doubles.
 */
function runningMedianKernel(): FunctionBuilder {
  const f = new FunctionBuilder('runningMedian');
  const input = f.param('i32');
  const n = f.param('i32');
  const half = f.param('i32');
  const window = f.param('i32');
  const out = f.param('i32');
  const i = f.local('i32');
  const count = f.local('i32');
  const newest = f.local('i32');
  const at = f.local('i32');
  const k = f.local('i32');
  const leaving = f.local('i32');
  const lo = f.local('i32');
  const hi = f.local('i32');
  const mid = f.local('i32');
  const value = f.local('f64');

  // at = first index in the sorted window[0, count) whose value is not below `value`
  const sortedPosition = () => {
    f.i32Const(0).localSet(lo);
    f.localGet(count).localSet(hi);
    whileTrue(
      f,
      () => f.localGet(lo).localGet(hi).i32LtS(),
      () => {
        f.localGet(lo).localGet(hi).i32Add().i32Const(1).i32ShrS().localSet(mid);
        loadF64(f, window, () => f.localGet(mid));
        f.localGet(value).f64Lt();
        f.ifElse(
          () => f.localGet(mid).i32Const(1).i32Add().localSet(lo),
          () => f.localGet(mid).localSet(hi),
        );
      },
    );
    f.localGet(lo).localSet(at);
  };

  f.i32Const(-1).localSet(newest);
  forUp(
    f,
    i,
    () => f.i32Const(0),
    () => f.localGet(n),
    () => {
      f.localGet(i).localGet(half).i32Sub().i32Const(1).i32Sub().localTee(leaving).i32Const(0).i32GeS();
      f.ifElse(() => {
        loadF64(f, input, () => f.localGet(leaving));
        f.localSet(value);
        sortedPosition();
        forUp(
          f,
          k,
          () => f.localGet(at),
          () => f.localGet(count).i32Const(1).i32Sub(),
          () => {
            address(f, window, F64_SHIFT, () => f.localGet(k));
            loadF64(f, window, () => f.localGet(k).i32Const(1).i32Add());
            f.f64Store();
          },
        );
        f.localGet(count).i32Const(1).i32Sub().localSet(count);
      });
      whileTrue(
        f,
        () => {
          f.localGet(newest);
          minI32(
            f,
            () => f.localGet(n).i32Const(1).i32Sub(),
            () => f.localGet(i).localGet(half).i32Add(),
          );
          f.i32LtS();
        },
        () => {
          f.localGet(newest).i32Const(1).i32Add().localSet(newest);
          loadF64(f, input, () => f.localGet(newest));
          f.localSet(value);
          sortedPosition();
          // for (k = count; k > at; k -= 1) window[k] = window[k - 1]
          f.localGet(count).localSet(k);
          whileTrue(
            f,
            () => f.localGet(k).localGet(at).i32GtS(),
            () => {
              address(f, window, F64_SHIFT, () => f.localGet(k));
              loadF64(f, window, () => f.localGet(k).i32Const(1).i32Sub());
              f.f64Store();
              f.localGet(k).i32Const(1).i32Sub().localSet(k);
            },
          );
          address(f, window, F64_SHIFT, () => f.localGet(at));
          f.localGet(value).f64Store();
          f.localGet(count).i32Const(1).i32Add().localSet(count);
        },
      );
      f.localGet(count).i32Const(1).i32ShrS().localSet(mid);
      f.localGet(count).i32Const(1).i32And();
      f.ifElse(
        () => {
          loadF64(f, window, () => f.localGet(mid));
          f.localSet(value);
        },
        () => {
          loadF64(f, window, () => f.localGet(mid).i32Const(1).i32Sub());
          loadF64(f, window, () => f.localGet(mid));
          f.f64Add().f64Const(2).f64Div().localSet(value);
        },
      );
      address(f, out, F64_SHIFT, () => f.localGet(i));
      f.localGet(value).f64Store();
    },
  );
  return f;
}

/**
 * baseline(signal, n, factor, m, halfA, halfB, centre, decimated, smoothed, baseline, window, out):
 * the Float32 `signal` minus its baseline (delineation-filters.ts, `withoutBaseline`): block
 * means of `factor` samples, two running medians over them, the result interpolated back and
 * subtracted. `centre` is (factor − 1) / 2.
 */
function baselineKernel(): FunctionBuilder {
  const f = new FunctionBuilder('baseline');
  const signal = f.param('i32');
  const n = f.param('i32');
  const factor = f.param('i32');
  const m = f.param('i32');
  const halfA = f.param('i32');
  const halfB = f.param('i32');
  const centre = f.param('f64');
  const decimated = f.param('i32');
  const smoothed = f.param('i32');
  const baseline = f.param('i32');
  const window = f.param('i32');
  const out = f.param('i32');
  const i = f.local('i32');
  const j = f.local('i32');
  const count = f.local('i32');
  const sum = f.local('f64');
  const position = f.local('f64');
  const block = f.local('f64');
  const next = f.local('f64');
  const lastBlock = f.local('f64');
  const fraction = f.local('f64');
  const loadSample = (pushIndex: () => void) => {
    address(f, signal, F32_SHIFT, pushIndex);
    f.f32Load().f64PromoteF32();
  };

  forUp(
    f,
    j,
    () => f.i32Const(0),
    () => f.localGet(m),
    () => {
      f.f64Const(0).localSet(sum);
      f.i32Const(0).localSet(count);
      forUp(
        f,
        i,
        () => f.localGet(j).localGet(factor).i32Mul(),
        () =>
          minI32(
            f,
            () => f.localGet(n),
            () => f.localGet(j).i32Const(1).i32Add().localGet(factor).i32Mul(),
          ),
        () => {
          f.localGet(sum);
          loadSample(() => f.localGet(i));
          f.f64Add().localSet(sum);
          f.localGet(count).i32Const(1).i32Add().localSet(count);
        },
      );
      address(f, decimated, F64_SHIFT, () => f.localGet(j));
      f.localGet(sum).localGet(count).f64ConvertI32S().f64Div().f64Store();
    },
  );
  f.localGet(decimated).localGet(m).localGet(halfA).localGet(window).localGet(smoothed).call(RUNNING_MEDIAN_INDEX);
  f.localGet(smoothed).localGet(m).localGet(halfB).localGet(window).localGet(baseline).call(RUNNING_MEDIAN_INDEX);

  f.localGet(m).i32Const(1).i32Sub().f64ConvertI32S().localSet(lastBlock);
  forUp(
    f,
    i,
    () => f.i32Const(0),
    () => f.localGet(n),
    () => {
      f.localGet(i).f64ConvertI32S().localGet(centre).f64Sub().localGet(factor).f64ConvertI32S().f64Div().localSet(position);
      // block = floor < 0 ? 0 : floor > lastBlock ? lastBlock : floor
      f.localGet(position).f64Floor().localSet(block);
      f.f64Const(0).localGet(lastBlock).localGet(block).localGet(block).localGet(lastBlock).f64Gt().select();
      f.localGet(block).f64Const(0).f64Lt().select().localSet(block);
      // next = block + 1 < lastBlock ? block + 1 : lastBlock
      f.localGet(block).f64Const(1).f64Add().localGet(lastBlock);
      f.localGet(block).f64Const(1).f64Add().localGet(lastBlock).f64Lt().select().localSet(next);
      // fraction = offset < 0 ? 0 : offset > 1 ? 1 : offset, offset = position − block
      f.localGet(position).localGet(block).f64Sub().localSet(fraction);
      f.f64Const(0).f64Const(1).localGet(fraction).localGet(fraction).f64Const(1).f64Gt().select();
      f.localGet(fraction).f64Const(0).f64Lt().select().localSet(fraction);
      address(f, out, F64_SHIFT, () => f.localGet(i));
      loadSample(() => f.localGet(i));
      loadF64(f, baseline, () => f.localGet(block).i32TruncF64S());
      f.f64Const(1).localGet(fraction).f64Sub().f64Mul();
      loadF64(f, baseline, () => f.localGet(next).i32TruncF64S());
      f.localGet(fraction).f64Mul().f64Add().f64Sub().f64Store();
    },
  );
  return f;
}

/**
 * lowPass(data, n, b0, b1, b2, a1, a2): the biquad run forward then backward over `n` doubles in
 * place, each pass starting in steady state at its first value (delineation-filters.ts, `lowPassZeroPhase`).
 */
function lowPassKernel(): FunctionBuilder {
  const f = new FunctionBuilder('lowPass');
  const data = f.param('i32');
  const n = f.param('i32');
  const b0 = f.param('f64');
  const b1 = f.param('f64');
  const b2 = f.param('f64');
  const a1 = f.param('f64');
  const a2 = f.param('f64');
  const k = f.local('i32');
  const at = f.local('i32');
  const x = f.local('f64');
  const x1 = f.local('f64');
  const x2 = f.local('f64');
  const y1 = f.local('f64');
  const y2 = f.local('f64');
  const y = f.local('f64');
  for (const forward of [true, false]) {
    // `at` walks the byte addresses, first to last or last to first.
    if (forward) f.localGet(data);
    else address(f, data, F64_SHIFT, () => f.localGet(n).i32Const(1).i32Sub());
    f.localSet(at);
    f.localGet(at).f64Load().localTee(x1).localTee(x2).localTee(y1).localSet(y2);
    forUp(
      f,
      k,
      () => f.i32Const(0),
      () => f.localGet(n),
      () => {
        f.localGet(at).f64Load().localSet(x);
        f.localGet(b0).localGet(x).f64Mul().localGet(b1).localGet(x1).f64Mul().f64Add();
        f.localGet(b2).localGet(x2).f64Mul().f64Add();
        f.localGet(a1).localGet(y1).f64Mul().f64Sub();
        f.localGet(a2).localGet(y2).f64Mul().f64Sub().localSet(y);
        f.localGet(x1).localSet(x2);
        f.localGet(x).localSet(x1);
        f.localGet(y1).localSet(y2);
        f.localGet(y).localSet(y1);
        f.localGet(at).localGet(y).f64Store();
        f.localGet(at).i32Const(forward ? F64_BYTES : -F64_BYTES).i32Add().localSet(at);
      },
    );
  }
  return f;
}

/**
 * movingMeanAbs(values, n, half, edgeWeight, out): the centred mean of |values| over 2·half+1
 * samples plus the two next ones at `edgeWeight`, fewer at the ends (delineation-filters.ts, `movingMeanAbs`).
 */
function movingMeanAbsKernel(): FunctionBuilder {
  const f = new FunctionBuilder('movingMeanAbs');
  const values = f.param('i32');
  const n = f.param('i32');
  const half = f.param('i32');
  const edgeWeight = f.param('f64');
  const out = f.param('i32');
  const i = f.local('i32');
  const j = f.local('i32');
  const edge = f.local('i32');
  const sum = f.local('f64');
  const count = f.local('f64');
  // sum += edgeWeight * |values[edge]|; count += edgeWeight
  const addEdge = () => {
    f.localGet(sum).localGet(edgeWeight);
    loadF64(f, values, () => f.localGet(edge));
    f.f64Abs().f64Mul().f64Add().localSet(sum);
    f.localGet(count).localGet(edgeWeight).f64Add().localSet(count);
  };
  forUp(
    f,
    i,
    () => f.i32Const(0),
    () => f.localGet(n),
    () => {
      f.f64Const(0).localTee(sum).localSet(count);
      forUp(
        f,
        j,
        () =>
          maxI32(
            f,
            () => f.i32Const(0),
            () => f.localGet(i).localGet(half).i32Sub(),
          ),
        // j <= min(last, i + half), as j < min(n, i + half + 1)
        () =>
          minI32(
            f,
            () => f.localGet(n),
            () => f.localGet(i).localGet(half).i32Add().i32Const(1).i32Add(),
          ),
        () => {
          f.localGet(sum);
          loadF64(f, values, () => f.localGet(j));
          f.f64Abs().f64Add().localSet(sum);
          f.localGet(count).f64Const(1).f64Add().localSet(count);
        },
      );
      f.localGet(edgeWeight).f64Const(0).f64Gt();
      f.ifElse(() => {
        f.localGet(i).localGet(half).i32Sub().i32Const(1).i32Sub().localTee(edge).i32Const(0).i32GeS();
        f.ifElse(addEdge);
        f.localGet(i).localGet(half).i32Add().i32Const(1).i32Add().localTee(edge).localGet(n).i32LtS();
        f.ifElse(addEdge);
      });
      address(f, out, F64_SHIFT, () => f.localGet(i));
      f.localGet(sum).localGet(count).f64Div().f64Store();
    },
  );
  return f;
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
  const signal = f.param('i32');
  const peaks = f.param('i32');
  const count = f.param('i32');
  const pre = f.param('i32');
  const length = f.param('i32');
  const center = f.param('i32');
  const out = f.param('i32');
  const column = f.param('i32');
  const k = f.local('i32');
  const b = f.local('i32');
  const mid = f.local('i32');
  const lo = f.local('i32');
  const hi = f.local('i32');
  const i = f.local('i32');
  const j = f.local('i32');
  const c = f.local('f64');
  const pivot = f.local('f64');
  const swap = f.local('f64');
  const upper = f.local('f64');
  const lower = f.local('f64');
  const value = f.local('f64');
  const columnAt = (index: number) => address(f, column, F64_SHIFT, () => f.localGet(index));
  const columnValue = (index: number) => loadF64(f, column, () => f.localGet(index));

  // Hoare's selection of the mid-th smallest of column[0, count) into `upper`.
  const select = () => {
    f.i32Const(0).localSet(lo);
    f.localGet(count).i32Const(1).i32Sub().localSet(hi);
    f.block(() =>
      f.loop(() => {
        f.localGet(hi).localGet(lo).i32GtS().i32Eqz().brIf(1);
        loadF64(f, column, () => f.localGet(lo).localGet(hi).i32Add().i32Const(1).i32ShrS());
        f.localSet(pivot);
        f.localGet(lo).localSet(i);
        f.localGet(hi).localSet(j);
        whileTrue(
          f,
          () => f.localGet(i).localGet(j).i32LeS(),
          () => {
            whileTrue(
              f,
              () => {
                columnValue(i);
                f.localGet(pivot).f64Lt();
              },
              () => f.localGet(i).i32Const(1).i32Add().localSet(i),
            );
            whileTrue(
              f,
              () => {
                columnValue(j);
                f.localGet(pivot).f64Gt();
              },
              () => f.localGet(j).i32Const(1).i32Sub().localSet(j),
            );
            f.localGet(i).localGet(j).i32LeS();
            f.ifElse(() => {
              columnValue(i);
              f.localSet(swap);
              columnAt(i);
              columnValue(j);
              f.f64Store();
              columnAt(j);
              f.localGet(swap).f64Store();
              f.localGet(i).i32Const(1).i32Add().localSet(i);
              f.localGet(j).i32Const(1).i32Sub().localSet(j);
            });
          },
        );
        // if (mid <= j) hi = j; else if (mid >= i) lo = i; else break
        f.localGet(mid).localGet(j).i32LeS();
        f.ifElse(
          () => f.localGet(j).localSet(hi),
          () => {
            f.localGet(mid).localGet(i).i32GeS();
            f.ifElse(
              () => f.localGet(i).localSet(lo),
              () => f.br(3),
            );
          },
        );
        f.br(0);
      }),
    );
    columnValue(mid);
    f.localSet(upper);
  };

  f.localGet(count).i32Const(1).i32ShrS().localSet(mid);
  forUp(
    f,
    k,
    () => f.i32Const(0),
    () => f.localGet(length),
    () => {
      f.localGet(center).i32Const(-1).i32Ne();
      f.ifElse(() => {
        loadF64(f, center, () => f.localGet(k));
        f.localSet(c);
      });
      forUp(
        f,
        b,
        () => f.i32Const(0),
        () => f.localGet(count),
        () => {
          address(f, peaks, I32_SHIFT, () => f.localGet(b));
          f.i32Load();
          f.localGet(k).i32Add().localGet(pre).i32Sub().localSet(i);
          loadF64(f, signal, () => f.localGet(i));
          f.localSet(value);
          columnAt(b);
          f.localGet(center).i32Const(-1).i32Ne();
          f.ifElse(
            () => f.localGet(value).localGet(c).f64Sub().f64Abs().localSet(value),
          );
          f.localGet(value).f64Store();
        },
      );
      f.localGet(count).i32Eqz();
      f.ifElse(
        () => f.f64Const(Number.NaN).localSet(value),
        () => {
          select();
          f.localGet(count).i32Const(1).i32And();
          f.ifElse(
            () => f.localGet(upper).localSet(value),
            () => {
              // Everything before `mid` is <= the upper middle: the lower middle is their maximum.
              loadF64(f, column, () => f.i32Const(0));
              f.localSet(lower);
              forUp(
                f,
                i,
                () => f.i32Const(1),
                () => f.localGet(mid),
                () => {
                  columnValue(i);
                  f.localGet(lower).f64Gt();
                  f.ifElse(() => {
                    columnValue(i);
                    f.localSet(lower);
                  });
                },
              );
              f.localGet(lower).localGet(upper).f64Add().f64Const(2).f64Div().localSet(value);
            },
          );
        },
      );
      address(f, out, F64_SHIFT, () => f.localGet(k));
      f.localGet(value).f64Store();
    },
  );
  return f;
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
  const signal = f.param('i32');
  const template = f.param('i32');
  const width = f.param('i32');
  const tMean = f.param('f64');
  const tVar = f.param('f64');
  const peaks = f.param('i32');
  const count = f.param('i32');
  const half = f.param('i32');
  const maxLag = f.param('i32');
  const outR = f.param('i32');
  const outCorrelation = f.param('i32');
  const b = f.local('i32');
  const r = f.local('i32');
  const bestR = f.local('i32');
  const k = f.local('i32');
  const lag = f.local('i32');
  const s0 = f.local('i32');
  const widthF = f.local('f64');
  const best = f.local('f64');
  const sum = f.local('f64');
  const squares = f.local('f64');
  const s = f.local('f64');
  const leaving = f.local('f64');
  const entering = f.local('f64');
  const products = f.local('f64');
  const sMean = f.local('f64');
  const sVar = f.local('f64');
  const correlation = f.local('f64');

  f.localGet(width).f64ConvertI32S().localSet(widthF);
  forUp(
    f,
    b,
    () => f.i32Const(0),
    () => f.localGet(count),
    () => {
      address(f, peaks, I32_SHIFT, () => f.localGet(b));
      f.i32Load().localTee(r).localSet(bestR);
      f.f64Const(-Infinity).localSet(best);
      f.f64Const(0).localTee(sum).localSet(squares);
      // s0 = the first lag's QRS start
      f.localGet(r).localGet(maxLag).i32Sub().localGet(half).i32Sub().localSet(s0);
      forUp(
        f,
        k,
        () => f.i32Const(0),
        () => f.localGet(width),
        () => {
          loadF64(f, signal, () => f.localGet(s0).localGet(k).i32Add());
          f.localSet(s);
          f.localGet(sum).localGet(s).f64Add().localSet(sum);
          f.localGet(squares).localGet(s).localGet(s).f64Mul().f64Add().localSet(squares);
        },
      );
      f.i32Const(0).localGet(maxLag).i32Sub().localSet(lag);
      whileTrue(
        f,
        () => f.localGet(lag).localGet(maxLag).i32LeS(),
        () => {
          f.localGet(r).localGet(lag).i32Add().localGet(half).i32Sub().localSet(s0);
          f.localGet(lag).i32Const(0).localGet(maxLag).i32Sub().i32GtS();
          f.ifElse(() => {
            loadF64(f, signal, () => f.localGet(s0).i32Const(1).i32Sub());
            f.localSet(leaving);
            loadF64(f, signal, () => f.localGet(s0).localGet(width).i32Add().i32Const(1).i32Sub());
            f.localSet(entering);
            f.localGet(sum).localGet(entering).localGet(leaving).f64Sub().f64Add().localSet(sum);
            f.localGet(squares).localGet(entering).localGet(entering).f64Mul().localGet(leaving).localGet(leaving).f64Mul().f64Sub().f64Add().localSet(squares);
          });
          f.f64Const(0).localSet(products);
          forUp(
            f,
            k,
            () => f.i32Const(0),
            () => f.localGet(width),
            () => {
              f.localGet(products);
              loadF64(f, signal, () => f.localGet(s0).localGet(k).i32Add());
              loadF64(f, template, () => f.localGet(k));
              f.f64Mul().f64Add().localSet(products);
            },
          );
          f.localGet(sum).localGet(widthF).f64Div().localSet(sMean);
          f.localGet(squares).localGet(widthF).localGet(sMean).f64Mul().localGet(sMean).f64Mul().f64Sub().localSet(sVar);
          f.f64Const(0).localSet(correlation);
          f.localGet(sVar).f64Const(0).f64Gt().localGet(tVar).f64Const(0).f64Gt().i32And();
          f.ifElse(() => {
            // cross / sqrt(sVar · tVar), cross = products − width · sMean · tMean
            f.localGet(products).localGet(widthF).localGet(sMean).f64Mul().localGet(tMean).f64Mul().f64Sub();
            f.localGet(sVar).localGet(tVar).f64Mul().f64Sqrt().f64Div().localSet(correlation);
          });
          f.localGet(correlation).localGet(best).f64Gt();
          f.ifElse(() => {
            f.localGet(r).localGet(lag).i32Add().localSet(bestR);
            f.localGet(correlation).localSet(best);
          });
          f.localGet(lag).i32Const(1).i32Add().localSet(lag);
        },
      );
      address(f, outR, I32_SHIFT, () => f.localGet(b));
      f.localGet(bestR).i32Store();
      address(f, outCorrelation, F64_SHIFT, () => f.localGet(b));
      f.localGet(best).f64Store();
    },
  );
  return f;
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
  const signal = layout.take(n, 4);
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
