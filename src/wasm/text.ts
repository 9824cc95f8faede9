/**
 * Templates for the recurring shapes of kernels written in the text form (`FunctionBuilder.text`),
 * shared by every kernel file. Each template's arguments and result are instruction text; locals
 * are `$name`s the kernel declared.
 */

import type { FunctionBuilder, ValueType } from './module.js';

/** Address of element `index` of the array at local `base`, elements of 2^`shift` bytes. */
export const at = (base: string, index: string, shift: number) => `local.get ${base} ${index} i32.const ${shift} i32.shl i32.add`;
export const f64At = (base: string, index: string) => at(base, index, 3);
export const loadF64 = (base: string, index: string) => `${f64At(base, index)} f64.load`;

/** Repeats `body` until `exit` (evaluated before each pass) is non-zero. */
export const loopUntil = (exit: string, body: string) => `block loop ${exit} br_if 1 ${body} br 0 end end`;
export const whileTrue = (condition: string, body: string) => loopUntil(`${condition} i32.eqz`, body);
/** `local += by` on an i32. */
export const increment = (local: string, by: number) => `local.get ${local} i32.const ${by} i32.add local.set ${local}`;
/** `for (i = start; i < end; i += 1) body`, `end` evaluated at every step. */
export const forUp = (i: string, start: string, end: string, body: string) =>
  `${start} local.set ${i} ${loopUntil(`local.get ${i} ${end} i32.ge_s`, `${body} ${increment(i, 1)}`)}`;

/** `a < b ? a : b` and `a > b ? a : b` on i32. */
export const minI32 = (a: string, b: string) => `${a} ${b} ${a} ${b} i32.lt_s select`;
export const maxI32 = (a: string, b: string) => `${a} ${b} ${a} ${b} i32.gt_s select`;

/** Declares `$name`s (separated by spaces) of one type, as parameters or locals, in order. */
export function declare(f: FunctionBuilder, kind: 'param' | 'local', type: ValueType, names: string): void {
  for (const name of names.split(' ')) {
    if (kind === 'param') f.param(type, name);
    else f.local(type, name);
  }
}
