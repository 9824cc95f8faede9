/**
 * A terminal screen as a grid of cells (code point + style id), and the parser that turns a
 * frame of text with SGR colour codes into such a grid. Every character the TUI draws is one
 * cell wide (ASCII, box drawing, braille, block elements), so widths are known without measuring.
 */

export const BLANK = 0x20;
/** The right half of a double-width character: nothing is written for it. */
export const CONTINUATION = 0;

export interface CellGrid {
  cols: number;
  rows: number;
  /** Code point per cell, row-major. */
  chars: Uint32Array;
  /** Style id per cell (see `styleSgr`), 0 = default colours. */
  styles: Uint16Array;
}

export function createGrid(cols: number, rows: number): CellGrid {
  const grid: CellGrid = {
    cols,
    rows,
    chars: new Uint32Array(cols * rows),
    styles: new Uint16Array(cols * rows),
  };
  grid.chars.fill(BLANK);
  return grid;
}

export function copyGrid(from: CellGrid, to: CellGrid): void {
  to.chars.set(from.chars);
  to.styles.set(from.styles);
}

/** The grid as plain text lines (styles dropped), for tests and debugging. */
export function gridLines(grid: CellGrid): string[] {
  const lines: string[] = [];
  for (let row = 0; row < grid.rows; row++) {
    let line = '';
    for (let col = 0; col < grid.cols; col++) {
      const cp = grid.chars[row * grid.cols + col]!;
      if (cp !== CONTINUATION) line += String.fromCodePoint(cp);
    }
    lines.push(line);
  }
  return lines;
}

// ---- styles -------------------------------------------------------------------------------

const BOLD = 1;
const DIM = 2;
const ITALIC = 4;
const UNDERLINE = 8;
const BLINK = 16;
const INVERSE = 32;
const HIDDEN = 64;
const STRIKE = 128;
const ATTR_CODES: ReadonlyArray<[number, number]> = [
  [BOLD, 1],
  [DIM, 2],
  [ITALIC, 3],
  [UNDERLINE, 4],
  [BLINK, 5],
  [INVERSE, 7],
  [HIDDEN, 8],
  [STRIKE, 9],
];

/** The graphic rendition state of the terminal's pen. Colours are kept as their SGR parameters. */
export interface Pen {
  fg: string;
  bg: string;
  attrs: number;
}

export const DEFAULT_PEN: Readonly<Pen> = { fg: '', bg: '', attrs: 0 };

const styleIds = new Map<string, number>([['||0', 0]]);
const styleSequences: string[] = ['\x1b[0m'];

/** Interns a pen; the id is stable for the life of the process. */
export function styleId(pen: Pen): number {
  const key = `${pen.fg}|${pen.bg}|${pen.attrs}`;
  let id = styleIds.get(key);
  if (id === undefined) {
    id = styleSequences.length;
    const params = ['0'];
    for (const [bit, code] of ATTR_CODES) if (pen.attrs & bit) params.push(String(code));
    if (pen.fg) params.push(pen.fg);
    if (pen.bg) params.push(pen.bg);
    styleIds.set(key, id);
    styleSequences.push(`\x1b[${params.join(';')}m`);
  }
  return id;
}

/** The SGR sequence that sets the pen to this style from any previous state. */
export function styleSgr(id: number): string {
  return styleSequences[id] ?? '\x1b[0m';
}

/** Styles by name for the panels the TUI paints itself (the trace layer). */
export const STYLE = {
  default: 0,
  trace: styleId({ fg: '32', bg: '', attrs: 0 }),
  traceLeadOff: styleId({ fg: '31', bg: '', attrs: DIM }),
  beatMark: styleId({ fg: '33', bg: '', attrs: BOLD }),
} as const;

/** Applies the parameters of one `ESC [ … m` sequence to a pen. */
export function applySgr(pen: Pen, params: string): Pen {
  const next: Pen = { ...pen };
  const codes = params === '' ? [0] : params.split(/[;:]/).map((p) => (p === '' ? 0 : Number(p)));
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i]!;
    if (code === 0) {
      next.fg = '';
      next.bg = '';
      next.attrs = 0;
    } else if (code >= 1 && code <= 9) {
      const attr = ATTR_CODES.find(([, c]) => c === code);
      if (attr) next.attrs |= attr[0];
    } else if (code === 22) next.attrs &= ~(BOLD | DIM);
    else if (code === 23) next.attrs &= ~ITALIC;
    else if (code === 24) next.attrs &= ~UNDERLINE;
    else if (code === 25) next.attrs &= ~BLINK;
    else if (code === 27) next.attrs &= ~INVERSE;
    else if (code === 28) next.attrs &= ~HIDDEN;
    else if (code === 29) next.attrs &= ~STRIKE;
    else if ((code >= 30 && code <= 37) || (code >= 90 && code <= 97)) next.fg = String(code);
    else if (code === 39) next.fg = '';
    else if ((code >= 40 && code <= 47) || (code >= 100 && code <= 107)) next.bg = String(code);
    else if (code === 49) next.bg = '';
    else if (code === 38 || code === 48) {
      // Extended colour: 5;n (256 colours) or 2;r;g;b (true colour).
      const kind = codes[i + 1];
      const take = kind === 5 ? 2 : kind === 2 ? 4 : 1;
      const value = codes.slice(i, i + 1 + take).join(';');
      if (code === 38) next.fg = value;
      else next.bg = value;
      i += take;
    }
  }
  return next;
}

// ---- widths -------------------------------------------------------------------------------

/** Columns a code point takes: 0 for controls and combining marks, 2 for East Asian wide, else 1. */
export function cellWidth(cp: number): 0 | 1 | 2 {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (cp < 0x300) return 1;
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    cp >= 0x20000
  )
    return 2;
  return 1;
}

// ---- frame parsing ------------------------------------------------------------------------

/**
 * Fills rows `top`..`top + height` of `grid` from a frame of text: lines separated by `\n`, SGR
 * sequences for colour. Other escape sequences are skipped; text beyond the area is clipped.
 */
export function parseFrame(text: string, grid: CellGrid, top = 0, height = grid.rows - top): void {
  const bottom = Math.min(grid.rows, top + height);
  grid.chars.fill(BLANK, top * grid.cols, bottom * grid.cols);
  grid.styles.fill(0, top * grid.cols, bottom * grid.cols);
  let pen: Pen = { ...DEFAULT_PEN };
  let style = 0;
  let row = top;
  let col = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const unit = text.charCodeAt(i);
    if (unit === 0x1b) {
      const kind = text.charCodeAt(i + 1);
      if (kind === 0x5b) {
        // CSI: parameters up to the final byte.
        let end = i + 2;
        while (end < length) {
          const c = text.charCodeAt(end);
          if (c >= 0x40 && c <= 0x7e) break;
          end++;
        }
        if (text.charCodeAt(end) === 0x6d) {
          pen = applySgr(pen, text.slice(i + 2, end));
          style = styleId(pen);
        }
        i = end;
      } else if (kind === 0x5d) {
        // OSC (e.g. hyperlinks): skip to BEL or ST.
        let end = i + 2;
        while (end < length && text.charCodeAt(end) !== 0x07 && !(text.charCodeAt(end) === 0x1b && text.charCodeAt(end + 1) === 0x5c)) end++;
        i = text.charCodeAt(end) === 0x07 ? end : end + 1;
      } else {
        i += 1;
      }
      continue;
    }
    if (unit === 0x0a) {
      row++;
      col = 0;
      if (row >= bottom) return;
      continue;
    }
    if (unit === 0x0d) {
      col = 0;
      continue;
    }
    let cp = unit;
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < length) {
      cp = text.codePointAt(i)!;
      i++;
    }
    const width = cellWidth(cp);
    if (width === 0) continue;
    if (col + width <= grid.cols) {
      const at = row * grid.cols + col;
      grid.chars[at] = cp;
      grid.styles[at] = style;
      if (width === 2) {
        grid.chars[at + 1] = CONTINUATION;
        grid.styles[at + 1] = style;
      }
    }
    col += width;
  }
}
