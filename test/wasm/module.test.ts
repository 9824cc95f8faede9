import { describe, expect, it } from 'vitest';
import { compiledOnce, emitModule, FunctionBuilder, instantiateWithMemory, signedLeb128, unsignedLeb128, type ValueType } from '../../src/wasm/module.js';
import { at, declare, f64At, increment, loopUntil, whileTrue } from '../../src/wasm/text.js';

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

const TEST_MEMORY = { module: 'test', name: 'memory' } as const;

/** out[i] = in[i] * factor + 0.5 (in: Float32 widened to double), then returns the larger of the first two outputs by select. */
function scaleKernel(): FunctionBuilder {
  const f = new FunctionBuilder('scale', ['f64']);
  declare(f, 'param', 'i32', '$input $output $count');
  declare(f, 'param', 'f64', '$factor');
  declare(f, 'local', 'i32', '$i');
  declare(f, 'local', 'f64', '$a $b');
  return f.text(`${loopUntil(
    'local.get $i local.get $count i32.ge_s',
    `${f64At('$output', 'local.get $i')}
    ${at('$input', 'local.get $i', 2)} f32.load f64.promote_f32
    local.get $factor f64.mul f64.const 0.5 f64.add f64.store
    ${increment('$i', 1)}`,
  )}
  local.get $output f64.load local.set $a
  local.get $output f64.load offset=8 local.set $b
  local.get $a local.get $b local.get $a local.get $b f64.gt select`);
}

/** Adds 1 to each i32 in place, counting down: returns 1000 × the negative results + the others (negative constants, local.tee, if/else). */
function incrementKernel(): FunctionBuilder {
  const f = new FunctionBuilder('increment', ['i32']);
  declare(f, 'param', 'i32', '$at $count');
  declare(f, 'local', 'i32', '$negatives $others $value');
  return f.text(`${whileTrue(
    'local.get $count',
    `local.get $at local.get $at i32.load i32.const 1 i32.add local.tee $value i32.store
    local.get $value i32.const 0 i32.lt_s
    if ${increment('$negatives', 1)} else ${increment('$others', 1)} end
    ${increment('$at', 4)}
    ${increment('$count', -1)}`,
  )}
  local.get $negatives i32.const 1000 i32.mul local.get $others i32.add`);
}

/** Math.floor(|x|) + sqrt(x * x) and whether x <= y, via a call to a second function: the rounding and comparison opcodes. */
function roundingKernels(): FunctionBuilder[] {
  const inner = new FunctionBuilder('floorAbs', ['f64']);
  inner.param('f64', '$x');
  inner.text('local.get $x f64.abs f64.floor local.get $x local.get $x f64.mul f64.sqrt f64.add');
  const outer = new FunctionBuilder('outer', ['f64']);
  declare(outer, 'param', 'f64', '$a $b');
  // (a <= b) + (2 > 1) + (1 <= 1) + trunc(floorAbs(a)) as a double
  outer.text(`local.get $a local.get $b f64.le
    i32.const 2 i32.const 1 i32.gt_s i32.add
    i32.const 1 i32.const 1 i32.le_s i32.add
    local.get $a call 0 i32.trunc_f64_s i32.add f64.convert_i32_s`);
  return [inner, outer];
}

/** A function exported as `name`: `params` declared as $a, $b, $c, then `body`. */
function oneOp(name: string, params: readonly ValueType[], result: ValueType, body: string): FunctionBuilder {
  const f = new FunctionBuilder(name, [result]);
  params.forEach((type, i) => f.param(type, ['$a', '$b', '$c'][i]));
  return f.text(body);
}

type Numeric = (...args: number[]) => number;

const I32_VALUES = [0, 1, -1, 7, -8, 31, 32, 1000, -123456, 0x7fffffff, -0x80000000];
const F64_VALUES = [0, -0, 0.1, 1.5, -2.5, 1e-300, -1e300, Number.MIN_VALUE, Infinity, -Infinity, Number.NaN];

/** Each i32 instruction of two operands and what JavaScript computes for it. */
const I32_BINARY: Record<string, Numeric> = {
  'i32.add': (a, b) => (a + b) | 0,
  'i32.sub': (a, b) => (a - b) | 0,
  'i32.mul': (a, b) => Math.imul(a, b),
  'i32.and': (a, b) => a & b,
  'i32.or': (a, b) => a | b,
  'i32.shl': (a, b) => a << b,
  'i32.shr_s': (a, b) => a >> b,
  'i32.eq': (a, b) => Number(a === b),
  'i32.ne': (a, b) => Number(a !== b),
  'i32.lt_s': (a, b) => Number(a < b),
  'i32.gt_s': (a, b) => Number(a > b),
  'i32.le_s': (a, b) => Number(a <= b),
  'i32.ge_s': (a, b) => Number(a >= b),
};
const F64_ARITHMETIC: Record<string, Numeric> = {
  'f64.add': (a, b) => a + b,
  'f64.sub': (a, b) => a - b,
  'f64.mul': (a, b) => a * b,
  'f64.div': (a, b) => a / b,
};
const F64_COMPARISON: Record<string, Numeric> = {
  'f64.lt': (a, b) => Number(a < b),
  'f64.gt': (a, b) => Number(a > b),
  'f64.le': (a, b) => Number(a <= b),
  'f64.ge': (a, b) => Number(a >= b),
};
const F64_UNARY: Record<string, Numeric> = {
  'f64.abs': Math.abs,
  'f64.neg': (a) => -a,
  'f64.floor': Math.floor,
  'f64.sqrt': Math.sqrt,
  // Rounded to the nearest float and back, as a Float32Array store and load do.
  'f32.demote_f64 f64.promote_f32': Math.fround,
};

/** Loads (an address in) and stores (an address and a value in), with the DataView access each matches. */
const LOADS: [string, ValueType, (view: DataView, at: number) => number][] = [
  ['i32.load8_u', 'i32', (view, at) => view.getUint8(at)],
  ['i32.load16_s', 'i32', (view, at) => view.getInt16(at, true)],
  ['i32.load', 'i32', (view, at) => view.getInt32(at, true)],
  ['f32.load', 'f32', (view, at) => view.getFloat32(at, true)],
  ['f64.load', 'f64', (view, at) => view.getFloat64(at, true)],
];
const STORES: [string, ValueType, (view: DataView, at: number) => number][] = [
  ['i32.store', 'i32', (view, at) => view.getInt32(at, true)],
  ['f32.store', 'f32', (view, at) => view.getFloat32(at, true)],
  ['f64.store', 'f64', (view, at) => view.getFloat64(at, true)],
];

describe('module emitter', () => {
  const bytes = emitModule(TEST_MEMORY, [scaleKernel(), incrementKernel()]);

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

  it('runs integer loops, negative constants and both branches', () => {
    const module = compiledOnce(() => bytes);
    expect(module()).toBe(module());
    const { exports, buffer } = instantiateWithMemory(module(), TEST_MEMORY, 100_000);
    expect(buffer.byteLength).toBe(2 * 65536);
    const increment = exports.increment as (at: number, count: number) => number;
    const values = new Int32Array(buffer, 128, 4);
    values.set([-5, -1, 0, 41]);
    expect(increment(128, 4)).toBe(1 * 1000 + 3);
    expect(Array.from(values)).toEqual([-4, 0, 1, 42]);
  });

  it('rounds, takes |x| and square roots as Math does, and calls another function', () => {
    const { exports } = instantiateWithMemory(new WebAssembly.Module(emitModule(TEST_MEMORY, roundingKernels())), TEST_MEMORY, 1);
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

  it('runs every arithmetic, comparison and conversion instruction as JavaScript computes it', () => {
    const functions = [
      ...Object.keys(I32_BINARY).map((op) => oneOp(op, ['i32', 'i32'], 'i32', `local.get $a local.get $b ${op}`)),
      ...Object.keys(F64_ARITHMETIC).map((op) => oneOp(op, ['f64', 'f64'], 'f64', `local.get $a local.get $b ${op}`)),
      ...Object.keys(F64_COMPARISON).map((op) => oneOp(op, ['f64', 'f64'], 'i32', `local.get $a local.get $b ${op}`)),
      ...Object.keys(F64_UNARY).map((op) => oneOp(op, ['f64'], 'f64', `local.get $a ${op}`)),
      oneOp('i32.eqz', ['i32'], 'i32', 'local.get $a i32.eqz'),
      oneOp('i32.trunc_f64_s', ['f64'], 'i32', 'local.get $a i32.trunc_f64_s'),
      oneOp('f64.convert_i32_s', ['i32'], 'f64', 'local.get $a f64.convert_i32_s'),
      oneOp('select', ['f64', 'f64', 'i32'], 'f64', 'local.get $a local.get $b local.get $c select'),
    ];
    const { exports } = instantiateWithMemory(new WebAssembly.Module(emitModule(TEST_MEMORY, functions)), TEST_MEMORY, 1);
    const run = (op: string) => exports[op] as unknown as Numeric;
    const same = (op: string, got: number, want: number, ...args: number[]) => expect({ op, args, result: got }).toEqual({ op, args, result: want });
    for (const [op, js] of Object.entries(I32_BINARY)) for (const a of I32_VALUES) for (const b of I32_VALUES) same(op, run(op)(a, b), js(a, b), a, b);
    for (const [op, js] of Object.entries({ ...F64_ARITHMETIC, ...F64_COMPARISON })) {
      for (const a of F64_VALUES) for (const b of F64_VALUES) same(op, run(op)(a, b), js(a, b), a, b);
    }
    for (const [op, js] of Object.entries(F64_UNARY)) for (const a of F64_VALUES) same(op, run(op)(a), js(a), a);
    for (const a of I32_VALUES) {
      same('i32.eqz', run('i32.eqz')(a), Number(a === 0), a);
      same('f64.convert_i32_s', run('f64.convert_i32_s')(a), a, a);
    }
    for (const a of [0, -0, 1.9, -1.9, 2147483647.5, -2147483648.9]) same('i32.trunc_f64_s', run('i32.trunc_f64_s')(a), Math.trunc(a) | 0, a);
    same('select', run('select')(1.5, -0, 7), 1.5);
    same('select', run('select')(1.5, -0, 0), -0);
  });

  it('loads and stores each width at any address and offset, little-endian', () => {
    const functions = [
      ...LOADS.map(([op, result]) => oneOp(op, ['i32'], result, `local.get $a ${op}`)),
      ...LOADS.map(([op, result]) => oneOp(`${op} offset=3`, ['i32'], result, `local.get $a ${op} offset=3`)),
      ...STORES.map(([op, type]) => oneOp(op, ['i32', type], 'i32', `local.get $a local.get $b ${op} i32.const 0`)),
      ...STORES.map(([op, type]) => oneOp(`${op} offset=5`, ['i32', type], 'i32', `local.get $a local.get $b ${op} offset=5 i32.const 0`)),
    ];
    const { exports, buffer } = instantiateWithMemory(new WebAssembly.Module(emitModule(TEST_MEMORY, functions)), TEST_MEMORY, 1);
    const run = (op: string) => exports[op] as unknown as Numeric;
    const view = new DataView(buffer);
    const bytes = new Uint8Array(buffer, 0, 64);
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = (i * 73 + 41) & 0xff;
    for (const [op, , js] of LOADS) {
      for (const address of [0, 1, 2, 7, 13]) {
        expect(Object.is(run(op)(address), js(view, address))).toBe(true);
        expect(Object.is(run(`${op} offset=3`)(address), js(view, address + 3))).toBe(true);
      }
    }
    const values: Record<string, number[]> = { 'i32.store': [-2, 0x12345678, -0x80000000], 'f32.store': [0.1, -3.5, 65504.5], 'f64.store': [0.1, -0, -1e300] };
    for (const [op, type, js] of STORES) {
      for (const value of values[op]!) {
        const want = type === 'f32' ? Math.fround(value) : value;
        run(op)(9, value);
        expect(Object.is(js(view, 9), want)).toBe(true);
        run(`${op} offset=5`)(17, value);
        expect(Object.is(js(view, 22), want)).toBe(true);
      }
    }
  });

  it('encodes each instruction as the binary format does', () => {
    const f = new FunctionBuilder('encoded', ['i32']);
    for (let i = 0; i < 200; i += 1) f.local('i32', `$l${i}`);
    f.text(`local.get $l199 local.get 3 i32.add i32.const -1000 i32.add ;; a comment: local.get $nowhere
      block loop br 1 end end
      f64.const NaN f64.const -Infinity f64.gt i32.add
      i32.const 0 i32.load8_u offset=200 local.tee $l0 local.set $l1 local.get $l0 i32.add`);
    const body = [
      ...[0x01, ...unsignedLeb128(200), 0x7f], // one run of 200 i32 locals
      ...[0x20, ...unsignedLeb128(199), 0x20, 3, 0x6a, 0x41, ...signedLeb128(-1000), 0x6a],
      ...[0x02, 0x40, 0x03, 0x40, 0x0c, 1, 0x0b, 0x0b],
      ...[0x44, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f, 0x44, 0, 0, 0, 0, 0, 0, 0xf0, 0xff, 0x64, 0x6a],
      ...[0x41, 0, 0x2d, 0, ...unsignedLeb128(200), 0x22, 0, 0x21, 1, 0x20, 0, 0x6a],
      0x0b,
    ];
    const module = Array.from(emitModule(TEST_MEMORY, [f]));
    // The code section ends the module: its body, after the body's size.
    expect(module.slice(-body.length - 1)).toEqual([body.length, ...body]);
    expect(WebAssembly.validate(Uint8Array.from(module))).toBe(true);
  });

  it('refuses unknown instructions, unknown locals, missing operands and bad names', () => {
    expect(() => new FunctionBuilder('bad').text('f64.frobnicate')).toThrow(/unknown instruction/);
    expect(() => new FunctionBuilder('bad').text('local.get $nowhere')).toThrow(/no local/);
    expect(() => new FunctionBuilder('bad').text('br')).toThrow(/operand/);
    expect(() => new FunctionBuilder('bad').text('i32.load offset=-1')).toThrow(RangeError);
    expect(() => new FunctionBuilder('bad').param('i32', 'x')).toThrow(/name/);
    const f = new FunctionBuilder('twice');
    f.local('i32', '$x');
    expect(() => f.local('i32', '$x')).toThrow(/repeated/);
  });

  it('refuses parameters declared after locals', () => {
    const f = new FunctionBuilder('late');
    f.local('i32');
    expect(() => f.param('i32')).toThrow(/parameter/);
  });
});
