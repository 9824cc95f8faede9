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

/** Encodes annotations (sorted by sample) in MIT format, ready to write as e.g. `<record>.atr`. */
export function encodeAnnotations(annotations: readonly (Pick<Annotation, 'sample' | 'code'> & Partial<Annotation>)[]): Uint8Array {
  const bytes: number[] = [];
  const pushWord = (word: number) => {
    bytes.push(word & 0xff, (word >> 8) & 0xff);
  };
  let time = 0;
  let num = 0;
  let channel = 0;
  for (const annotation of annotations) {
    let delta = annotation.sample - time;
    if (delta < 0) throw new RangeError('annotations must be sorted by sample');
    if (delta > 1023) {
      pushWord(SKIP << 10);
      const high = Math.floor(delta / 0x10000);
      const low = delta % 0x10000;
      pushWord(high & 0xffff);
      pushWord(low);
      delta = 0;
    }
    pushWord((annotation.code << 10) | delta);
    time = annotation.sample;
    const subtype = annotation.subtype ?? 0;
    if (subtype !== 0) pushWord((SUB << 10) | (subtype & 0x3ff));
    if ((annotation.channel ?? 0) !== channel) {
      channel = annotation.channel ?? 0;
      pushWord((CHN << 10) | (channel & 0x3ff));
    }
    if ((annotation.num ?? 0) !== num) {
      num = annotation.num ?? 0;
      pushWord((NUM << 10) | (num & 0x3ff));
    }
    if (annotation.aux) {
      const text = new TextEncoder().encode(annotation.aux).subarray(0, 255);
      pushWord((AUX << 10) | text.length);
      for (const b of text) bytes.push(b);
      if (text.length & 1) bytes.push(0);
    }
  }
  pushWord(0);
  return Uint8Array.from(bytes);
}
