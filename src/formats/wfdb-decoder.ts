/**
 * WFDB sample decoding (formats 16, 80 and 212) as WebAssembly: a fresh process such as `analyze`
 * decodes its record as machine code from the first byte instead of interpreting the loop until
 * V8 has optimised it. Each decoder owns one memory holding a chunk of a signal file's bytes and
 * one Float32 column per interleaved signal; callers read into `bytes` and take views of
 * `columns`. The arithmetic is JavaScript's: (value − baseline) × scale in doubles, rounded to a
 * float on the store.
 */

import { compiledOnce, emitModule, FunctionBuilder, instantiateWithMemory } from '../wasm/module.js';
import { at, declare, increment, loopUntil } from '../wasm/text.js';

const F32_BYTES = 4;
/** Stands for "no invalid value": no 8-, 12- or 16-bit sample equals it. */
const NO_INVALID = 0x7fffffff;
const MEMORY_IMPORT = { module: 'wfdb', name: 'memory' } as const;

/**
 * A decode kernel, in the text form (FunctionBuilder.text): `frames` samples of one signal, the
 * first at sample index `k` of the bytes at address 0, `stride` samples apart, into Float32 at
 * `out`; `sampleAtK` is the text that pushes the i32 sample at index `$k`. An `invalid` value
 * repeats `last`, the last valid value, which is returned.
 */
function decodeKernel(name: string, sampleAtK: string): FunctionBuilder {
  const f = new FunctionBuilder(name, ['f64']);
  declare(f, 'param', 'i32', '$out $k $stride $frames');
  declare(f, 'param', 'f64', '$baseline $scale');
  declare(f, 'param', 'i32', '$invalid');
  declare(f, 'param', 'f64', '$last');
  declare(f, 'local', 'i32', '$frame $value');
  return f.text(`${loopUntil(
    'local.get $frame local.get $frames i32.ge_s',
    `${sampleAtK} local.tee $value local.get $invalid i32.ne
    if local.get $value f64.convert_i32_s local.get $baseline f64.sub local.get $scale f64.mul local.set $last end
    ${at('$out', 'local.get $frame', 2)} local.get $last f32.demote_f64 f32.store
    ${increment('$frame', 1)}
    local.get $k local.get $stride i32.add local.set $k`,
  )}
  local.get $last`);
}

/** Format 16: little-endian two's-complement 16-bit samples. */
const FORMAT_16 = 'local.get $k i32.const 1 i32.shl i32.load16_s';

/** Format 80: offset binary bytes (128 is zero). */
const FORMAT_80 = 'local.get $k i32.load8_u i32.const 128 i32.sub';

/**
 * Format 212: each pair of samples is 12 + 12 bits in 3 bytes, the middle byte holding both top
 * nibbles (low nibble: first sample). Sample k is in the pair at byte (k >> 1) × 3, its low byte
 * at +0 or +2 and its top nibble shifted by 0 or 4, by k & 1; then sign-extended from 12 bits.
 */
const PAIR_AT = 'local.get $k i32.const 1 i32.shr_s i32.const 3 i32.mul';
const SECOND = 'local.get $k i32.const 1 i32.and';
const FORMAT_212 = `${PAIR_AT} ${SECOND} i32.const 1 i32.shl i32.add i32.load8_u
  ${PAIR_AT} i32.load8_u offset=1 ${SECOND} i32.const 2 i32.shl i32.shr_s i32.const 0x0f i32.and i32.const 8 i32.shl
  i32.or i32.const 20 i32.shl i32.const 20 i32.shr_s`;

const KERNEL_OF_FORMAT: Record<number, string> = { 16: 'decode16', 80: 'decode80', 212: 'decode212' };

/** The decoder module's bytes: one kernel per format over an imported memory. */
export function wfdbDecoderModuleBytes(): Uint8Array {
  return emitModule(MEMORY_IMPORT, [decodeKernel('decode16', FORMAT_16), decodeKernel('decode80', FORMAT_80), decodeKernel('decode212', FORMAT_212)]);
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
