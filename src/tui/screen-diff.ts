import { CONTINUATION, cellWidth, createGrid, styleSgr, type CellGrid } from './grid.js';

/** Unchanged cells worth rewriting instead of moving the cursor over them (a move costs ~8 bytes). */
const MAX_GAP_CELLS = 4;
/** Marks a cell whose content on the terminal is unknown, so the next paint rewrites it. */
const UNKNOWN = 0xffffffff;

/**
 * Keeps what the terminal shows and turns a new frame into the fewest bytes that make the
 * terminal show it: cursor moves, style changes and the changed cells only.
 */
export class TerminalPainter {
  private shown: CellGrid | null = null;
  private cursorRow = -1;
  private cursorCol = -1;
  /** Style id the terminal's pen is set to; -1 = unknown. */
  private pen = -1;

  /** Forget the terminal's content: the next paint clears the screen and draws everything. */
  invalidate(): void {
    this.shown = null;
  }

  /** Bytes that turn the terminal's screen into `next`; empty when nothing changed. */
  paint(next: CellGrid): string {
    const out: string[] = [];
    let shown = this.shown;
    if (shown === null || shown.cols !== next.cols || shown.rows !== next.rows) {
      // After a clear the screen is blank in default colours: only non-blank cells need drawing.
      out.push('\x1b[0m\x1b[2J');
      this.pen = 0;
      this.cursorRow = -1;
      shown = createGrid(next.cols, next.rows);
      this.shown = shown;
    }
    const { cols, rows } = next;
    const nextChars = next.chars;
    const nextStyles = next.styles;
    const shownChars = shown.chars;
    const shownStyles = shown.styles;
    for (let row = 0; row < rows; row++) {
      const base = row * cols;
      for (let col = 0; col < cols; col++) {
        const at = base + col;
        if (nextChars[at] === shownChars[at] && nextStyles[at] === shownStyles[at]) continue;
        let start = col;
        // A changed right half is redrawn by writing its whole character.
        if (nextChars[at] === CONTINUATION && start > 0) start--;
        if (this.cursorRow !== row || this.cursorCol > start || start - this.cursorCol > MAX_GAP_CELLS || !this.gapIsPlain(next, row, start)) {
          out.push(`\x1b[${row + 1};${start + 1}H`);
          this.cursorRow = row;
          this.cursorCol = start;
        }
        // Rewrite the gap (unchanged cells) and the changed cell from the cursor on.
        for (let c = this.cursorCol; c <= col; c++) {
          const i = base + c;
          const cp = nextChars[i]!;
          if (cp === CONTINUATION) continue;
          const style = nextStyles[i]!;
          if (style !== this.pen) {
            out.push(styleSgr(style));
            this.pen = style;
          }
          out.push(String.fromCodePoint(cp));
          const width = cellWidth(cp) === 2 ? 2 : 1;
          shownChars[i] = cp;
          shownStyles[i] = style;
          if (width === 2 && c + 1 < cols) {
            shownChars[i + 1] = CONTINUATION;
            shownStyles[i + 1] = style;
          } else if (c + 1 < cols && shownChars[i + 1] === CONTINUATION) {
            // A narrow character over a wide one leaves the right half undefined on the terminal.
            shownChars[i + 1] = UNKNOWN;
          }
          this.cursorCol = c + width;
          c += width - 1;
        }
        col = this.cursorCol - 1;
        // At the right edge the terminal may be in its pending-wrap state: position unknown.
        if (this.cursorCol >= cols) this.cursorRow = -1;
      }
    }
    return out.join('');
  }

  /** Whether the cells between the cursor and `col` can be rewritten as they are (no wide halves). */
  private gapIsPlain(next: CellGrid, row: number, col: number): boolean {
    const base = row * next.cols;
    for (let c = this.cursorCol; c < col; c++) if (next.chars[base + c] === CONTINUATION) return false;
    return true;
  }
}

