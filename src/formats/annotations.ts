import { readFileSync } from 'node:fs';

/** One annotation of a WFDB (MIT format) annotation file. */
export interface Annotation {
  /** Time in samples of the record (already converted from the annotation's own resolution). */
  sample: number;
  code: number;
  symbol: string;
  subtype: number;
  channel: number;
  num: number;
  aux: string | null;
}

/** WFDB annotation codes used by this project. */
export const ANN = {
  NOTQRS: 0,
  NORMAL: 1,
  PVC: 5,
  NOTE: 22,
  PWAVE: 24,
  TWAVE: 27,
  RHYTHM: 28,
  WFON: 39,
  WFOFF: 40,
} as const;

const SKIP = 59;
const NUM = 60;
const SUB = 61;
const CHN = 62;
const AUX = 63;

/** Mnemonics for codes 0..49, as the WFDB library prints them. */
export const ANNOTATION_SYMBOLS: readonly string[] = [
  ' ', 'N', 'L', 'R', 'a', 'V', 'F', 'J', 'A', 'S', 'E', 'j', '/', 'Q', '~', '[15]', '|', '[17]', 's', 'T',
  '*', 'D', '"', '=', 'p', 'B', '^', 't', '+', 'u', '?', '!', '[', ']', 'e', 'n', '@', 'x', 'f', '(',
  ')', 'r', '[42]', '[43]', '[44]', '[45]', '[46]', '[47]', '[48]', '[49]',
];

const QRS_CODES = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 25, 30, 34, 35, 38, 41]);

/** True for annotation codes that mark a beat (WFDB's isqrs). */
export function isBeatCode(code: number): boolean {
  return QRS_CODES.has(code);
}

export function codeForSymbol(symbol: string): number {
  const code = ANNOTATION_SYMBOLS.indexOf(symbol);
  if (code < 0) throw new RangeError(`unknown annotation symbol "${symbol}"`);
  return code;
}

/**
 * Decodes an MIT-format annotation file. `fsHz` is the record's sampling frequency; a leading
 * `## time resolution: N` note means annotation times count ticks of 1/N s instead.
 */
export function parseAnnotations(bytes: Uint8Array, fsHz?: number): Annotation[] {
  const out: Annotation[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let position = 0;
  let time = 0;
  let num = 0;
  let channel = 0;
  let current: Annotation | null = null;
  let resolutionHz: number | null = null;

  while (position + 2 <= bytes.length) {
    const word = view.getUint16(position, true);
    position += 2;
    const code = word >> 10;
    const value = word & 0x3ff;
    if (code === 0 && value === 0) break;
    if (code === SKIP) {
      if (position + 4 > bytes.length) break;
      const high = view.getInt16(position, true);
      const low = view.getUint16(position + 2, true);
      time += high * 0x10000 + low;
      position += 4;
    } else if (code === NUM) {
      num = value >= 512 ? value - 1024 : value;
      if (current) current.num = num;
    } else if (code === SUB) {
      if (current) current.subtype = value >= 512 ? value - 1024 : value;
    } else if (code === CHN) {
      channel = value;
      if (current) current.channel = channel;
    } else if (code === AUX) {
      const text = new TextDecoder('latin1').decode(bytes.subarray(position, position + value)).replace(/\0+$/, '');
      position += value + (value & 1);
      if (current) {
        current.aux = text;
        const match = /^## time resolution:\s*([0-9.]+)/.exec(text);
        if (match && current.code === ANN.NOTE && out.length === 1) resolutionHz = Number(match[1]);
      }
    } else {
      time += value;
      current = {
        sample: time,
        code,
        symbol: ANNOTATION_SYMBOLS[code] ?? `[${code}]`,
        subtype: 0,
        channel,
        num,
        aux: null,
      };
      out.push(current);
    }
  }

  if (resolutionHz !== null && fsHz !== undefined && resolutionHz !== fsHz) {
    const ratio = fsHz / resolutionHz;
    for (const annotation of out) annotation.sample = Math.round(annotation.sample * ratio);
    return out.filter((a) => !(a.code === ANN.NOTE && a.aux?.startsWith('## time resolution')));
  }
  return out;
}

export function readAnnotations(path: string, fsHz?: number): Annotation[] {
  return parseAnnotations(readFileSync(path), fsHz);
}

export type AnnotationInput = Pick<Annotation, 'sample' | 'code'> & Partial<Annotation>;

/**
 * Encodes annotations one at a time, keeping the running time, NUM and CHN state, so a writer
 * can append each beat to a file as it is detected. `end()` gives the terminator.
 */
export class AnnotationEncoder {
  private time = 0;
  private num = 0;
  private channel = 0;

  encode(annotation: AnnotationInput): Uint8Array {
    const words: number[] = [];
    const text: number[] = [];
    let delta = annotation.sample - this.time;
    if (delta < 0) throw new RangeError('annotations must be sorted by sample');
    if (!(Number.isInteger(annotation.code) && annotation.code >= 1 && annotation.code <= 49)) {
      throw new RangeError(`annotation code ${annotation.code} is outside 1..49`);
    }
    if (delta > 1023) {
      // SKIP carries a 32-bit interval, high 16 bits first, each half little-endian.
      words.push(SKIP << 10, Math.floor(delta / 0x10000) & 0xffff, delta % 0x10000);
      delta = 0;
    }
    words.push((annotation.code << 10) | delta);
    this.time = annotation.sample;
    const subtype = annotation.subtype ?? 0;
    if (subtype !== 0) words.push((SUB << 10) | (subtype & 0x3ff));
    if ((annotation.channel ?? 0) !== this.channel) {
      this.channel = annotation.channel ?? 0;
      words.push((CHN << 10) | (this.channel & 0x3ff));
    }
    if ((annotation.num ?? 0) !== this.num) {
      this.num = annotation.num ?? 0;
      words.push((NUM << 10) | (this.num & 0x3ff));
    }
    if (annotation.aux) {
      const bytes = new TextEncoder().encode(annotation.aux).subarray(0, 255);
      words.push((AUX << 10) | bytes.length);
      text.push(...bytes);
      if (bytes.length & 1) text.push(0);
    }
    const out = new Uint8Array(words.length * 2 + text.length);
    words.forEach((word, index) => {
      out[2 * index] = word & 0xff;
      out[2 * index + 1] = (word >> 8) & 0xff;
    });
    out.set(text, words.length * 2);
    return out;
  }

  /** The end-of-file word. */
  end(): Uint8Array {
    return new Uint8Array(2);
  }
}

/** Encodes annotations (sorted by sample) in MIT format, ready to write as e.g. `<record>.atr`. */
export function encodeAnnotations(annotations: readonly AnnotationInput[]): Uint8Array {
  const encoder = new AnnotationEncoder();
  const parts = annotations.map((annotation) => encoder.encode(annotation));
  parts.push(encoder.end());
  return Buffer.concat(parts);
}
