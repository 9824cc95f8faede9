import { describe, expect, it } from 'vitest';
import { compiledOnce, emitModule, FunctionBuilder, instantiateWithMemory, signedLeb128, unsignedLeb128 } from '../../src/wasm/module.js';

describe('LEB128', () => {
  it('encodes unsigned integers as the specification examples do', () => {
    expect(unsignedLeb128(0)).toEqual([0x00]);
    expect(unsignedLeb128(127)).toEqual([0x7f]);
    expect(unsignedLeb128(128)).toEqual([0x80, 0x01]);
    expect(unsignedLeb128(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(unsignedLeb128(2 ** 32 - 1)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(() => unsignedLeb128(-1)).toThrow(RangeError);
  });

  it('encodes signed integers with the sign in bit 6 of the last byte', () => {
    expect(signedLeb128(0)).toEqual([0x00]);
    expect(signedLeb128(63)).toEqual([0x3f]);
    expect(signedLeb128(64)).toEqual([0xc0, 0x00]);
    expect(signedLeb128(-1)).toEqual([0x7f]);
    expect(signedLeb128(-64)).toEqual([0x40]);
    expect(signedLeb128(-65)).toEqual([0xbf, 0x7f]);
    expect(signedLeb128(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(signedLeb128(-0x80000000)).toEqual([0x80, 0x80, 0x80, 0x80, 0x78]);
    expect(() => signedLeb128(2 ** 31)).toThrow(RangeError);
  });
});

/** out[i] = in[i] * factor + 0.5 (in: Float32 widened to double), then returns the larger of the first two outputs by select. */
function scaleKernel(): FunctionBuilder {
  const f = new FunctionBuilder('scale', ['f64']);
  const input = f.param('i32');
  const output = f.param('i32');
  const count = f.param('i32');
  const factor = f.param('f64');
  const i = f.local('i32');
  const a = f.local('f64');
  const b = f.local('f64');
  f.block(() =>
    f.loop(() => {
      f.localGet(i).localGet(count).i32GeS().brIf(1);
      f.localGet(output).localGet(i).i32Const(3).i32Shl().i32Add();
      f.localGet(input).localGet(i).i32Const(2).i32Shl().i32Add().f32Load().f64PromoteF32();
      f.localGet(factor).f64Mul().f64Const(0.5).f64Add().f64Store();
      f.localGet(i).i32Const(1).i32Add().localSet(i);
      f.br(0);
    }),
  );
  f.localGet(output).f64Load().localSet(a);
  f.localGet(output).f64Load(8).localSet(b);
  f.localGet(a).localGet(b).localGet(a).localGet(b).f64Gt().select();
  return f;
}

/** Adds 1 to each i32 in place, counting down to show negative constants and if/else. */
function incrementKernel(): FunctionBuilder {
  const f = new FunctionBuilder('increment', ['i32']);
  const at = f.param('i32');
  const count = f.param('i32');
  const negatives = f.local('i32');
  f.block(() =>
    f.loop(() => {
      f.localGet(count).i32Eqz().brIf(1);
      f.localGet(at).localGet(at).i32Load().i32Const(1).i32Add().i32Store();
      f.localGet(at).i32Load().i32Const(0).i32LtS();
      f.ifElse(() => f.localGet(negatives).i32Const(1).i32Add().localSet(negatives));
      f.localGet(at).i32Const(4).i32Add().localSet(at);
      f.localGet(count).i32Const(-1).i32Add().localSet(count);
      f.br(0);
    }),
  );
  f.localGet(negatives);
  return f;
}

/** Math.floor(|x|) + sqrt(x * x) and whether x <= y, via a call to a second function: the rounding and comparison opcodes. */
function roundingKernels(): FunctionBuilder[] {
  const inner = new FunctionBuilder('floorAbs', ['f64']);
  const x = inner.param('f64');
  inner.localGet(x).f64Abs().f64Floor().localGet(x).localGet(x).f64Mul().f64Sqrt().f64Add();
  const outer = new FunctionBuilder('outer', ['f64']);
  const a = outer.param('f64');
  const b = outer.param('f64');
  // (a <= b) + (2 > 1) + (1 <= 1) + trunc(floorAbs(a)) as a double
  outer.localGet(a).localGet(b).f64Le();
  outer.i32Const(2).i32Const(1).i32GtS().i32Add();
  outer.i32Const(1).i32Const(1).i32LeS().i32Add();
  outer.localGet(a).call(0).i32TruncF64S().i32Add().f64ConvertI32S();
  return [inner, outer];
}

describe('module emitter', () => {
  const bytes = emitModule({ module: 'test', name: 'memory' }, [scaleKernel(), incrementKernel()]);

  it('emits a module WebAssembly accepts', () => {
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    expect(WebAssembly.validate(bytes)).toBe(true);
  });

  it('runs loads, stores, arithmetic and select as JavaScript computes them', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { test: { memory } });
    const scale = instance.exports.scale as (input: number, output: number, count: number, factor: number) => number;
    const input = new Float32Array(memory.buffer, 0, 5);
    const output = new Float64Array(memory.buffer, 64, 5);
    input.set([0.1, -2.7, 3.3333, 1e-8, 65504.5]);
    const factor = 1 / 3;
    const larger = scale(0, 64, input.length, factor);
    for (let i = 0; i < input.length; i += 1) expect(Object.is(output[i], input[i]! * factor + 0.5)).toBe(true);
    expect(larger).toBe(Math.max(output[0]!, output[1]!));
  });

  it('runs integer loops, negative constants and branches', () => {
    const module = compiledOnce(() => bytes);
    expect(module()).toBe(module());
    const { exports, buffer } = instantiateWithMemory(module(), { module: 'test', name: 'memory' }, 100_000);
    expect(buffer.byteLength).toBe(2 * 65536);
    const increment = exports.increment as (at: number, count: number) => number;
    const values = new Int32Array(buffer, 128, 4);
    values.set([-5, -1, 0, 41]);
    expect(increment(128, 4)).toBe(1);
    expect(Array.from(values)).toEqual([-4, 0, 1, 42]);
  });

  it('rounds, takes |x| and square roots as Math does, and calls another function', () => {
    const { exports } = instantiateWithMemory(new WebAssembly.Module(emitModule({ module: 'test', name: 'memory' }, roundingKernels())), { module: 'test', name: 'memory' }, 1);
    const floorAbs = exports.floorAbs as (x: number) => number;
    const outer = exports.outer as (a: number, b: number) => number;
    for (const v of [-2.5, -0, 0.3, 7.99, 1e-300, 12345.678]) expect(Object.is(floorAbs(v), Math.floor(Math.abs(v)) + Math.sqrt(v * v))).toBe(true);
    expect(Number.isNaN(floorAbs(Number.NaN))).toBe(true);
    // floorAbs(-3.5) = 3 + 3.5, truncated to 6; floorAbs(2) = 4.
    expect(outer(-3.5, 0)).toBe(1 + 1 + 1 + 6);
    expect(outer(2, 1)).toBe(0 + 1 + 1 + 4);
    // Truncating NaN traps: the kernels truncate only whole numbers they computed.
    expect(() => outer(Number.NaN, 1)).toThrow(WebAssembly.RuntimeError);
  });

  it('assembles the text form as the opcode helpers emit it', () => {
    const text = new FunctionBuilder('scale', ['f64']);
    for (const name of ['$input', '$output', '$count']) text.param('i32', name);
    text.param('f64', '$factor');
    text.local('i32', '$i');
    for (const name of ['$a', '$b']) text.local('f64', name);
    text.text(`block loop
        local.get $i local.get $count i32.ge_s br_if 1 ;; done
        local.get $output local.get $i i32.const 3 i32.shl i32.add
        local.get $input local.get $i i32.const 2 i32.shl i32.add f32.load f64.promote_f32
        local.get 3 f64.mul f64.const 0.5 f64.add f64.store
        local.get $i i32.const 1 i32.add local.set $i
        br 0
      end end
      f64.const 0`);
    const { exports, buffer } = instantiateWithMemory(new WebAssembly.Module(emitModule({ module: 'test', name: 'memory' }, [text])), { module: 'test', name: 'memory' }, 1);
    const input = new Float32Array(buffer, 0, 3);
    const output = new Float64Array(buffer, 64, 3);
    input.set([0.1, -2.7, 65504.5]);
    (exports.scale as (input: number, output: number, count: number, factor: number) => number)(0, 64, 3, 1 / 3);
    for (let i = 0; i < 3; i += 1) expect(Object.is(output[i], input[i]! * (1 / 3) + 0.5)).toBe(true);
    // Instruction for instruction, the same bytes as the helpers (here with a large index and negative constants).
    const byHelpers = new FunctionBuilder('same', ['i32']);
    const byText = new FunctionBuilder('same', ['i32']);
    for (let i = 0; i < 200; i += 1) {
      byHelpers.local('i32');
      byText.local('i32', `$l${i}`);
    }
    byHelpers.localGet(199).i32Const(-1000).i32Add().block(() => byHelpers.loop(() => byHelpers.br(1))).f64Const(Number.NaN).f64Const(-Infinity).f64Gt().i32Add();
    byText.text('local.get $l199 i32.const -1000 i32.add block loop br 1 end end f64.const NaN f64.const -Infinity f64.gt i32.add');
    expect(Array.from(emitModule({ module: 'test', name: 'memory' }, [byText]))).toEqual(Array.from(emitModule({ module: 'test', name: 'memory' }, [byHelpers])));
    expect(() => new FunctionBuilder('bad').text('f64.frobnicate')).toThrow(/unknown instruction/);
    expect(() => new FunctionBuilder('bad').text('local.get $nowhere')).toThrow(/no local/);
    expect(() => new FunctionBuilder('bad').text('br')).toThrow(/operand/);
  });

  it('refuses parameters declared after locals', () => {
    const f = new FunctionBuilder('late');
    f.local('i32');
    expect(() => f.param('i32')).toThrow(/parameter/);
  });
});
