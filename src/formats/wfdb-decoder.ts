/**
 * WFDB sample decoding (formats 16, 80 and 212) as WebAssembly: a fresh process such as `analyze`
 * decodes its record as machine code from the first byte instead of interpreting the loop until
 * V8 has optimised it. Each decoder owns one memory holding a chunk of a signal file's bytes and
 * one Float32 column per interleaved signal; callers read into `bytes` and take views of
 * `columns`. The arithmetic is JavaScript's: (value − baseline) × scale in doubles, rounded to a
 * float on the store.
 */

import { compiledOnce, emitModule, FunctionBuilder, instantiateWithMemory } from '../wasm/module.js';

const F32_BYTES = 4;
/** Stands for "no invalid value": no 8-, 12- or 16-bit sample equals it. */
const NO_INVALID = 0x7fffffff;
const MEMORY_IMPORT = { module: 'wfdb', name: 'memory' } as const;

/**
 * A decode kernel: `frames` samples of one signal, the first at sample index `k` of the bytes at
 * address 0, `stride` samples apart, into Float32 at `out`; `pushValue` pushes the i32 sample at
 * index `k`. An `invalid` value repeats `last`, the last valid value, which is returned.
 */
function decodeKernel(name: string, pushValue: (f: FunctionBuilder, k: number) => void): FunctionBuilder {
  const f = new FunctionBuilder(name, ['f64']);
  const out = f.param('i32');
  const k = f.param('i32');
  const stride = f.param('i32');
  const frames = f.param('i32');
  const baseline = f.param('f64');
  const scale = f.param('f64');
  const invalid = f.param('i32');
  const last = f.param('f64');
  const frame = f.local('i32');
  const value = f.local('i32');
  f.block(() =>
    f.loop(() => {
      f.localGet(frame).localGet(frames).i32GeS().brIf(1);
      pushValue(f, k);
      f.localTee(value).localGet(invalid).i32Ne();
      f.ifElse(() => f.localGet(value).f64ConvertI32S().localGet(baseline).f64Sub().localGet(scale).f64Mul().localSet(last));
      f.localGet(out).localGet(frame).i32Const(2).i32Shl().i32Add();
      f.localGet(last).f32DemoteF64().f32Store();
      f.localGet(frame).i32Const(1).i32Add().localSet(frame);
      f.localGet(k).localGet(stride).i32Add().localSet(k);
      f.br(0);
    }),
  );
  f.localGet(last);
  return f;
}

/** Format 16: little-endian two's-complement 16-bit samples. */
function format16(f: FunctionBuilder, k: number): void {
  f.localGet(k).i32Const(1).i32Shl().i32Load16S();
}

/** Format 80: offset binary bytes (128 is zero). */
function format80(f: FunctionBuilder, k: number): void {
  f.localGet(k).i32Load8U().i32Const(128).i32Sub();
}

/**
 * Format 212: each pair of samples is 12 + 12 bits in 3 bytes, the middle byte holding both top
 * nibbles (low nibble: first sample). Sample k is in the pair at byte (k >> 1) × 3, its low byte
 * at +0 or +2 and its top nibble shifted by 0 or 4, by k & 1; then sign-extended from 12 bits.
 */
function format212(f: FunctionBuilder, k: number): void {
  const pairAt = () => f.localGet(k).i32Const(1).i32ShrS().i32Const(3).i32Mul();
  const second = () => f.localGet(k).i32Const(1).i32And();
  pairAt();
  second();
  f.i32Const(1).i32Shl().i32Add().i32Load8U();
  pairAt();
  f.i32Load8U(1);
  second();
  f.i32Const(2).i32Shl().i32ShrS().i32Const(0x0f).i32And().i32Const(8).i32Shl();
  f.i32Or().i32Const(20).i32Shl().i32Const(20).i32ShrS();
}

const KERNEL_OF_FORMAT: Record<number, string> = { 16: 'decode16', 80: 'decode80', 212: 'decode212' };

/** The decoder module's bytes: one kernel per format over an imported memory. */
export function wfdbDecoderModuleBytes(): Uint8Array {
  return emitModule(MEMORY_IMPORT, [decodeKernel('decode16', format16), decodeKernel('decode80', format80), decodeKernel('decode212', format212)]);
}

const decoderModule = compiledOnce(wfdbDecoderModuleBytes);

type DecodeExport = (out: number, k: number, stride: number, frames: number, baseline: number, scale: number, invalid: number, last: number) => number;

/** One signal file's decoder: room for `frameCapacity` frames of `stride` interleaved signals of one format. */
export class SampleDecoder {
  /** The file's bytes to decode, read or copied here by the caller (sample 0 at index 0). */
  readonly bytes: Uint8Array;
  /** Decoded samples, one array per interleaved signal, `frameCapacity` long. */
  readonly columns: Float32Array[];
  private readonly stride: number;
  private readonly decodeKernel: DecodeExport;
  private readonly columnsAt: number;
  private readonly columnBytes: number;

  constructor(format: number, stride: number, frameCapacity: number, byteCapacity: number) {
    const kernel = KERNEL_OF_FORMAT[format];
    if (kernel === undefined) throw new RangeError(`signal format ${format} has no decoder`);
    this.stride = stride;
    this.columnsAt = Math.ceil(byteCapacity / F32_BYTES) * F32_BYTES;
    this.columnBytes = frameCapacity * F32_BYTES;
    const { exports, buffer } = instantiateWithMemory(decoderModule(), MEMORY_IMPORT, this.columnsAt + stride * this.columnBytes);
    this.decodeKernel = exports[kernel] as unknown as DecodeExport;
    this.bytes = new Uint8Array(buffer, 0, byteCapacity);
    this.columns = Array.from({ length: stride }, (_, column) => new Float32Array(buffer, this.columnsAt + column * this.columnBytes, frameCapacity));
  }

  /**
   * Decodes `frames` frames of signal `column` from `bytes` into `columns[column]` as (value −
   * baseline) × scale; an `invalid` value (null: none) repeats the last valid one (`last` before
   * the first). Returns the last valid value.
   */
  decode(column: number, frames: number, baseline: number, scale: number, invalid: number | null, last: number): number {
    return this.decodeKernel(this.columnsAt + column * this.columnBytes, column, this.stride, frames, baseline, scale, invalid ?? NO_INVALID, last);
  }
}
