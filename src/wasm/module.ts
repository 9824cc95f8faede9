/**
 * A small WebAssembly module emitter (used by the DSP and WFDB kernels): enough of the binary
 * format (WebAssembly Core Specification 1.0, chapter 5) for numeric kernels over one imported
 * memory. Function bodies are written as text in the format's plain form (`FunctionBuilder.text`;
 * shared templates in text.ts); `emitModule` lays out the type, import, function, export and code
 * sections. The bytes are built at run time, so there is no build step and no binary in the
 * repository.
 */

export type ValueType = 'i32' | 'f32' | 'f64';

const VALUE_TYPE_CODE: Record<ValueType, number> = { i32: 0x7f, f32: 0x7d, f64: 0x7c };

/** Natural alignment (log2 bytes) of each memory access width, the hint every load and store carries. */
const ALIGN_1 = 0;
const ALIGN_2 = 1;
const ALIGN_4 = 2;
const ALIGN_8 = 3;

const OP = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  call: 0x10,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  f32Load: 0x2a,
  i32Load8U: 0x2d,
  i32Load16S: 0x2e,
  f64Load: 0x2b,
  i32Store: 0x36,
  f32Store: 0x38,
  f64Store: 0x39,
  i32Const: 0x41,
  f64Const: 0x44,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32Ne: 0x47,
  i32LtS: 0x48,
  i32GtS: 0x4a,
  i32LeS: 0x4c,
  i32GeS: 0x4e,
  f64Lt: 0x63,
  f64Gt: 0x64,
  f64Le: 0x65,
  f64Ge: 0x66,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Or: 0x72,
  i32Shl: 0x74,
  i32ShrS: 0x75,
  f64Abs: 0x99,
  f64Neg: 0x9a,
  f64Floor: 0x9c,
  f64Sqrt: 0x9f,
  f64Add: 0xa0,
  f64Sub: 0xa1,
  f64Mul: 0xa2,
  f64Div: 0xa3,
  i32TruncF64S: 0xaa,
  f32DemoteF64: 0xb6,
  f64ConvertI32S: 0xb7,
  f64PromoteF32: 0xbb,
} as const;

/** Block type of a block, loop or if that leaves nothing on the stack. */
const EMPTY_BLOCK = 0x40;

/** Text-format names of the instructions without an immediate (`FunctionBuilder.text`). */
const PLAIN_OPS: ReadonlyMap<string, number> = new Map(Object.entries({
  block: OP.block,
  loop: OP.loop,
  if: OP.if,
  else: OP.else,
  end: OP.end,
  select: OP.select,
  'i32.eqz': OP.i32Eqz,
  'i32.eq': OP.i32Eq,
  'i32.ne': OP.i32Ne,
  'i32.lt_s': OP.i32LtS,
  'i32.gt_s': OP.i32GtS,
  'i32.le_s': OP.i32LeS,
  'i32.ge_s': OP.i32GeS,
  'f64.lt': OP.f64Lt,
  'f64.gt': OP.f64Gt,
  'f64.le': OP.f64Le,
  'f64.ge': OP.f64Ge,
  'i32.add': OP.i32Add,
  'i32.sub': OP.i32Sub,
  'i32.mul': OP.i32Mul,
  'i32.and': OP.i32And,
  'i32.or': OP.i32Or,
  'i32.shl': OP.i32Shl,
  'i32.shr_s': OP.i32ShrS,
  'f64.abs': OP.f64Abs,
  'f64.neg': OP.f64Neg,
  'f64.floor': OP.f64Floor,
  'f64.sqrt': OP.f64Sqrt,
  'f64.add': OP.f64Add,
  'f64.sub': OP.f64Sub,
  'f64.mul': OP.f64Mul,
  'f64.div': OP.f64Div,
  'i32.trunc_f64_s': OP.i32TruncF64S,
  'f32.demote_f64': OP.f32DemoteF64,
  'f64.convert_i32_s': OP.f64ConvertI32S,
  'f64.promote_f32': OP.f64PromoteF32,
}));

/** ...those followed by an index (a local's, a branch depth, a function's). */
const INDEX_OPS: Readonly<Record<string, number>> = {
  'local.get': OP.localGet,
  'local.set': OP.localSet,
  'local.tee': OP.localTee,
  br: OP.br,
  br_if: OP.brIf,
  call: OP.call,
};

/** ...and the loads and stores, with their alignment hint. */
const MEMORY_OPS: Readonly<Record<string, readonly [number, number]>> = {
  'i32.load': [OP.i32Load, ALIGN_4],
  'i32.load8_u': [OP.i32Load8U, ALIGN_1],
  'i32.load16_s': [OP.i32Load16S, ALIGN_2],
  'f32.load': [OP.f32Load, ALIGN_4],
  'f64.load': [OP.f64Load, ALIGN_8],
  'i32.store': [OP.i32Store, ALIGN_4],
  'f32.store': [OP.f32Store, ALIGN_4],
  'f64.store': [OP.f64Store, ALIGN_8],
};

/** Unsigned LEB128: 7 bits a byte, low first, the high bit set on all but the last. */
export function unsignedLeb128(value: number): number[] {
  const bytes: number[] = [];
  appendUnsignedLeb128(bytes, value);
  return bytes;
}

/** `unsignedLeb128(value)` appended to `out`, with no array in between (the emitter writes thousands). */
function appendUnsignedLeb128(out: number[], value: number): void {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`not an unsigned integer: ${value}`);
  let rest = value;
  do {
    const low = rest % 128;
    rest = Math.floor(rest / 128);
    out.push(rest > 0 ? low | 0x80 : low);
  } while (rest > 0);
}

/** Signed LEB128 of a 32-bit integer: stops once the remaining bits are the sign of the last byte's bit 6. */
export function signedLeb128(value: number): number[] {
  const bytes: number[] = [];
  appendSignedLeb128(bytes, value);
  return bytes;
}

function appendSignedLeb128(out: number[], value: number): void {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) throw new RangeError(`not an i32: ${value}`);
  let rest = value;
  for (;;) {
    const low = rest & 0x7f;
    rest >>= 7;
    const done = (rest === 0 && (low & 0x40) === 0) || (rest === -1 && (low & 0x40) !== 0);
    out.push(done ? low : low | 0x80);
    if (done) return;
  }
}

/** Scratch for an f64 constant's little-endian bytes. */
const F64_SCRATCH = new Float64Array(1);
const F64_SCRATCH_BYTES = new Uint8Array(F64_SCRATCH.buffer);

const UTF8 = new TextEncoder();

/** A name as the format stores it, appended to `out`: its UTF-8 length, then its bytes. */
function appendName(out: number[], name: string): void {
  const utf8 = UTF8.encode(name);
  appendUnsignedLeb128(out, utf8.length);
  for (const byte of utf8) out.push(byte);
}

/** Elements a single `push(...)` takes: well under every engine's argument limit. */
const PUSH_CHUNK = 8192;

/** `bytes` appended to `out`, in chunks of one builtin call each (an interpreted loop a byte costs ~1 ms a module cold). */
function appendAll(out: number[], bytes: readonly number[]): void {
  for (let i = 0; i < bytes.length; i += PUSH_CHUNK) out.push(...bytes.slice(i, i + PUSH_CHUNK));
}

/** A section appended to `out`: its id, its size, then what `write` puts in it. */
function appendSection(out: number[], id: number, write: (content: number[]) => void): void {
  const content: number[] = [];
  write(content);
  out.push(id);
  appendUnsignedLeb128(out, content.length);
  appendAll(out, content);
}

/**
 * One function's signature and body. Parameters are declared first (`param`), then locals
 * (`local`), each with the `$name` its body's text uses (or by index); `text` appends
 * instructions in stack order, so a body reads as the stack machine runs it.
 */
export class FunctionBuilder {
  readonly params: ValueType[] = [];
  readonly results: ValueType[];
  private readonly locals: ValueType[] = [];
  private readonly code: number[] = [];

  constructor(
    readonly name: string,
    results: readonly ValueType[] = [],
  ) {
    this.results = [...results];
  }

  /** Declares a parameter; `name` (`$…`) lets `text` refer to it. */
  param(type: ValueType, name?: string): number {
    if (this.locals.length > 0) throw new Error('declare every parameter before the first local');
    this.params.push(type);
    return this.named(name, this.params.length - 1);
  }

  /** Declares a local; `name` (`$…`) lets `text` refer to it. */
  local(type: ValueType, name?: string): number {
    this.locals.push(type);
    return this.named(name, this.params.length + this.locals.length - 1);
  }

  /**
   * Appends instructions written in the WebAssembly text format's plain (unfolded) form:
   * mnemonics separated by white space, a local by its `$name` or index, `;;` comments to the
   * end of a line; `block`, `loop` and `if` leave nothing on the stack, loads and stores have
   * offset 0 unless followed by `offset=N`. One tight loop over the words: on a cold start this
   * costs far less than a call per instruction, which V8 would first have to compile.
   */
  text(source: string): this {
    const words = source.replace(/;;[^\n]*/g, '').split(/\s+/);
    const code = this.code;
    for (let w = 0; w < words.length; w += 1) {
      const word = words[w]!;
      const plain = PLAIN_OPS.get(word);
      if (plain !== undefined) {
        code.push(plain);
        if (plain === OP.block || plain === OP.loop || plain === OP.if) code.push(EMPTY_BLOCK);
        continue;
      }
      if (word === '') continue;
      const local = word === 'local.get' || word === 'local.set' || word === 'local.tee' ? this.names.get(words[w + 1]!) : undefined;
      if (local !== undefined && local < 0x80) {
        // The common case in one step: a named local, its index one LEB128 byte.
        code.push(INDEX_OPS[word]!, local);
        w += 1;
        continue;
      }
      const access = MEMORY_OPS[word];
      if (access !== undefined) {
        // An optional `offset=N` after it: a constant added to the address on the stack.
        const offset = words[w + 1]?.startsWith('offset=') === true ? Number(words[(w += 1)]!.slice('offset='.length)) : 0;
        this.memoryAccess(access[0], access[1], offset);
        continue;
      }
      const indexed = INDEX_OPS[word];
      if (indexed === undefined && word !== 'i32.const' && word !== 'f64.const') throw new Error(`unknown instruction: ${word}`);
      const operand = words[(w += 1)];
      if (operand === undefined || operand === '') throw new Error(`${word} needs an operand`);
      if (indexed !== undefined) this.withIndex(indexed, operand.startsWith('$') ? this.localIndex(operand) : Number(operand));
      else if (word === 'i32.const') this.i32Const(Number(operand));
      else this.f64Const(Number(operand));
    }
    return this;
  }

  private readonly names = new Map<string, number>();

  private named(name: string | undefined, index: number): number {
    if (name !== undefined) {
      if (!name.startsWith('$') || this.names.has(name)) throw new Error(`bad or repeated local name: ${name}`);
      this.names.set(name, index);
    }
    return index;
  }

  private localIndex(name: string): number {
    const index = this.names.get(name);
    if (index === undefined) throw new Error(`no local named ${name}`);
    return index;
  }

  private i32Const(value: number): void {
    this.code.push(OP.i32Const);
    appendSignedLeb128(this.code, value);
  }

  private f64Const(value: number): void {
    F64_SCRATCH[0] = value;
    this.code.push(OP.f64Const);
    // Typed arrays use the platform's byte order: little-endian on every platform Node runs on.
    for (let i = 0; i < 8; i += 1) this.code.push(F64_SCRATCH_BYTES[i]!);
  }

  /** The function type appended to `out`: parameter and result types. */
  appendSignature(out: number[]): void {
    out.push(0x60);
    for (const list of [this.params, this.results]) {
      appendUnsignedLeb128(out, list.length);
      for (const type of list) out.push(VALUE_TYPE_CODE[type]);
    }
  }

  /** The code entry appended to `out`: size, locals (one group per run of one type), instructions, end. */
  appendBody(out: number[]): void {
    const runs: [number, ValueType][] = [];
    for (let i = 0; i < this.locals.length; ) {
      let run = 1;
      while (i + run < this.locals.length && this.locals[i + run] === this.locals[i]) run += 1;
      runs.push([run, this.locals[i]!]);
      i += run;
    }
    const content: number[] = [];
    appendUnsignedLeb128(content, runs.length);
    for (const [run, type] of runs) {
      appendUnsignedLeb128(content, run);
      content.push(VALUE_TYPE_CODE[type]);
    }
    appendAll(content, this.code);
    content.push(OP.end);
    appendUnsignedLeb128(out, content.length);
    appendAll(out, content);
  }

  /** An opcode followed by an index or depth. */
  private withIndex(code: number, index: number): void {
    this.code.push(code);
    appendUnsignedLeb128(this.code, index);
  }

  /** A load or store: opcode, alignment hint, constant offset. */
  private memoryAccess(code: number, align: number, offset: number): void {
    this.code.push(code, align);
    appendUnsignedLeb128(this.code, offset);
  }
}

/** Where the module's one memory comes from: the instance's imports as `imports[module][name]`. */
export interface MemoryImport {
  module: string;
  name: string;
}

const MAGIC_AND_VERSION = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const SECTION = { type: 1, import: 2, function: 3, export: 7, code: 10 } as const;
const EXTERNAL_KIND = { function: 0x00, memory: 0x02 } as const;

/** A module importing one memory (at least one page, no maximum) and exporting each function by its name. */
export function emitModule(memory: MemoryImport, functions: readonly FunctionBuilder[]): Uint8Array {
  const bytes: number[] = [...MAGIC_AND_VERSION];
  const count = (out: number[]) => appendUnsignedLeb128(out, functions.length);
  appendSection(bytes, SECTION.type, (out) => {
    count(out);
    for (const f of functions) f.appendSignature(out);
  });
  appendSection(bytes, SECTION.import, (out) => {
    appendUnsignedLeb128(out, 1);
    appendName(out, memory.module);
    appendName(out, memory.name);
    // The memory's limits: a minimum of one page, no maximum.
    out.push(EXTERNAL_KIND.memory, 0x00, 0x01);
  });
  // Function i has type i: no two kernels share a signature worth deduplicating.
  appendSection(bytes, SECTION.function, (out) => {
    count(out);
    for (let i = 0; i < functions.length; i += 1) appendUnsignedLeb128(out, i);
  });
  appendSection(bytes, SECTION.export, (out) => {
    count(out);
    functions.forEach((f, i) => {
      appendName(out, f.name);
      out.push(EXTERNAL_KIND.function);
      appendUnsignedLeb128(out, i);
    });
  });
  appendSection(bytes, SECTION.code, (out) => {
    count(out);
    for (const f of functions) f.appendBody(out);
  });
  return Uint8Array.from(bytes);
}

/** A module compiled from `build()`'s bytes at its first use, then kept for the process. */
export function compiledOnce(build: () => Uint8Array): () => WebAssembly.Module {
  let module: WebAssembly.Module | null = null;
  return () => {
    module ??= new WebAssembly.Module(build());
    return module;
  };
}

const PAGE_BYTES = 65536;

/**
 * An instance of `module` over a fresh memory of at least `bytes` bytes, imported as `memory`
 * says. The memory is sized once with no room to grow: growing would detach every view onto it.
 */
export function instantiateWithMemory(module: WebAssembly.Module, memory: MemoryImport, bytes: number): { exports: WebAssembly.Instance['exports']; buffer: ArrayBuffer } {
  const pages = Math.max(1, Math.ceil(bytes / PAGE_BYTES));
  const own = new WebAssembly.Memory({ initial: pages, maximum: pages });
  const instance = new WebAssembly.Instance(module, { [memory.module]: { [memory.name]: own } });
  return { exports: instance.exports, buffer: own.buffer };
}
