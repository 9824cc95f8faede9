/**
 * The fixed screen layout, computed from the terminal size alone so that the Ink panels and the
 * trace painter agree on where every strip is. Height never depends on content.
 */

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** single: one lead, full width; three: three stacked leads; all: every lead in a 3-row grid. */
export type LayoutMode = 'single' | 'three' | 'all';
export const LAYOUT_MODES: readonly LayoutMode[] = ['single', 'three', 'all'];

export const MIN_COLS = 60;
export const MIN_ROWS = 18;
const HEADER_ROWS = 1;
const NOTICE_ROWS = 1;
const KEYS_ROWS = 1;
const BOTTOM_ROWS = 7;
/** Lead name column to the left of each strip in multi-lead views. */
export const LABEL_COLS = 4;
/** A strip needs its beat-mark row and at least two trace rows. */
const MIN_STRIP_ROWS = 3;
const MIN_STRIP_COLS = 16;

export interface StripLayout {
  /** Index into LiveState.traces. */
  traceIndex: number;
  lead: string;
  /** Beat-mark row plus trace rows, in screen cells. */
  rect: Rect;
  /** Where the lead name goes (multi-lead views), or null. */
  label: Rect | null;
}

export interface ScreenLayout {
  cols: number;
  rows: number;
  tooSmall: boolean;
  mode: LayoutMode;
  /** Status line; from here down is the part Ink renders on the live screen. */
  header: Rect;
  /** Waveform panel including its border. */
  wave: Rect;
  /** Inside the waveform border. */
  waveInner: Rect;
  strips: StripLayout[];
  metrics: Rect;
  queue: Rect;
  notice: Rect;
  keys: Rect;
}

/** Standard 12-lead order, column by column in the usual 4 x 3 arrangement. */
const STANDARD_ORDER = ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'];

function standardRank(lead: string): number {
  const rank = STANDARD_ORDER.findIndex((name) => name.toLowerCase() === lead.toLowerCase());
  return rank < 0 ? STANDARD_ORDER.length : rank;
}

/** Lead indices in display order: standard leads first in their usual order, others after. */
export function displayOrder(leads: readonly string[]): number[] {
  return leads.map((_, index) => index).sort((a, b) => standardRank(leads[a]!) - standardRank(leads[b]!) || a - b);
}

function frame(cols: number, rows: number) {
  // The trace on top; everything Ink draws (status line, panels, notice, keys) below it in one block.
  const waveHeight = rows - HEADER_ROWS - BOTTOM_ROWS - NOTICE_ROWS - KEYS_ROWS;
  const wave: Rect = { x: 0, y: 0, width: cols, height: waveHeight };
  const waveInner: Rect = { x: 1, y: 1, width: cols - 2, height: waveHeight - 2 };
  const header: Rect = { x: 0, y: waveHeight, width: cols, height: HEADER_ROWS };
  const bottomY = header.y + HEADER_ROWS;
  const metricsWidth = Math.floor(cols * 0.55);
  const metrics: Rect = { x: 0, y: bottomY, width: metricsWidth, height: BOTTOM_ROWS };
  const queue: Rect = { x: metricsWidth, y: bottomY, width: cols - metricsWidth, height: BOTTOM_ROWS };
  const notice: Rect = { x: 0, y: bottomY + BOTTOM_ROWS, width: cols, height: NOTICE_ROWS };
  const keys: Rect = { x: 0, y: notice.y + NOTICE_ROWS, width: cols, height: KEYS_ROWS };
  return { header, wave, waveInner, metrics, queue, notice, keys };
}

/** Grid shape for the multi-lead views, or null when the terminal cannot hold it. */
function gridShape(mode: LayoutMode, inner: Rect, leadCount: number): { columns: number; rows: number } | null {
  if (mode === 'single') return { columns: 1, rows: 1 };
  if (mode === 'three') {
    if (leadCount < 2) return null;
    const rows = Math.min(3, leadCount);
    return inner.height >= rows * MIN_STRIP_ROWS + 1 ? { columns: 1, rows } : null;
  }
  if (leadCount < 4) return null;
  const rows = 3;
  const columns = Math.ceil(leadCount / rows);
  const fits = Math.floor(inner.width / columns) >= LABEL_COLS + MIN_STRIP_COLS && inner.height >= rows * (MIN_STRIP_ROWS + 1);
  return fits ? { columns, rows } : null;
}

/** Layout modes this terminal and lead count allow, in the order `L` cycles through them. */
export function availableLayouts(cols: number, rows: number, leadCount: number): LayoutMode[] {
  if (cols < MIN_COLS || rows < MIN_ROWS || leadCount === 0) return ['single'];
  const { waveInner } = frame(cols, rows);
  return LAYOUT_MODES.filter((mode) => gridShape(mode, waveInner, leadCount) !== null);
}

export function computeLayout(
  cols: number,
  rows: number,
  view: { layout: LayoutMode; leadIndex: number },
  leads: readonly string[],
): ScreenLayout {
  const tooSmall = cols < MIN_COLS || rows < MIN_ROWS;
  const parts = frame(Math.max(cols, 1), Math.max(rows, 1));
  const allowed = availableLayouts(cols, rows, leads.length);
  const mode = allowed.includes(view.layout) ? view.layout : 'single';
  const strips: StripLayout[] = [];
  const inner = parts.waveInner;
  if (!tooSmall && leads.length > 0) {
    const order = displayOrder(leads);
    if (mode === 'single') {
      const traceIndex = ((view.leadIndex % leads.length) + leads.length) % leads.length;
      strips.push({ traceIndex, lead: leads[traceIndex]!, rect: { ...inner }, label: null });
    } else {
      const shape = gridShape(mode, inner, leads.length)!;
      const count = mode === 'three' ? shape.rows : leads.length;
      // In the three-lead view `l` moves the group along the display order.
      const first = mode === 'three' ? ((view.leadIndex % leads.length) + leads.length) % leads.length : 0;
      const columnWidth = Math.floor(inner.width / shape.columns);
      const rowHeight = Math.floor(inner.height / shape.rows);
      for (let slot = 0; slot < count; slot++) {
        const column = Math.floor(slot / shape.rows);
        const row = slot % shape.rows;
        const traceIndex = order[(first + slot) % leads.length]!;
        const x = inner.x + column * columnWidth;
        const y = inner.y + row * rowHeight;
        const width = column === shape.columns - 1 ? inner.x + inner.width - x : columnWidth;
        strips.push({
          traceIndex,
          lead: leads[traceIndex]!,
          label: { x, y, width: LABEL_COLS, height: rowHeight },
          rect: { x: x + LABEL_COLS, y, width: width - LABEL_COLS - (column < shape.columns - 1 ? 1 : 0), height: rowHeight },
        });
      }
    }
  }
  return { cols, rows, tooSmall, mode, ...parts, strips };
}
