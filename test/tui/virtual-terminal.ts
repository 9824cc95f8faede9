import { applySgr, cellWidth, CONTINUATION, createGrid, DEFAULT_PEN, styleId, type CellGrid, type Pen } from '../../src/tui/grid.js';

/**
 * A tiny terminal for tests: applies cursor positioning (CUP), clear screen, SGR and text to a
 * cell grid, with auto-wrap off as the TUI sets it. Anything else it does not know fails the test.
 */
export class VirtualTerminal {
  readonly screen: CellGrid;
  private row = 0;
  private col = 0;
  private pen: Pen = { ...DEFAULT_PEN };

  constructor(cols: number, rows: number) {
    this.screen = createGrid(cols, rows);
  }

  write(data: string): void {
    for (let i = 0; i < data.length; i++) {
      const code = data.charCodeAt(i);
      if (code === 0x1b) {
        if (data[i + 1] !== '[') throw new Error(`unsupported escape at ${i}: ${JSON.stringify(data.slice(i, i + 8))}`);
        let end = i + 2;
        while (end < data.length && !/[@-~]/.test(data[end]!)) end++;
        this.csi(data.slice(i + 2, end), data[end]!);
        i = end;
        continue;
      }
      if (code < 0x20) throw new Error(`unexpected control character ${code}`);
      const cp = data.codePointAt(i)!;
      if (cp > 0xffff) i++;
      const width = cellWidth(cp);
      if (this.col + width > this.screen.cols) continue; // auto-wrap off: the last column is overwritten
      const at = this.row * this.screen.cols + this.col;
      // Like a real terminal: overwriting either half of a wide character blanks the other half.
      if (this.screen.chars[at] === CONTINUATION && this.col > 0) this.screen.chars[at - 1] = 0x20;
      const rightHalf = at + width;
      if (this.col + width < this.screen.cols && this.screen.chars[rightHalf] === CONTINUATION) this.screen.chars[rightHalf] = 0x20;
      this.screen.chars[at] = cp;
      this.screen.styles[at] = styleId(this.pen);
      if (width === 2) {
        this.screen.chars[at + 1] = CONTINUATION;
        this.screen.styles[at + 1] = styleId(this.pen);
      }
      this.col = Math.min(this.screen.cols - 1 + width, this.col + width);
    }
  }

  private csi(params: string, final: string): void {
    if (params.startsWith('?')) return; // modes: alternate screen, cursor, auto-wrap
    if (final === 'H') {
      const [row = '1', col = '1'] = params.split(';');
      this.row = Number(row) - 1;
      this.col = Number(col) - 1;
    } else if (final === 'J' && params === '2') {
      this.screen.chars.fill(0x20);
      this.screen.styles.fill(styleId(this.pen));
    } else if (final === 'm') {
      this.pen = applySgr(this.pen, params);
    } else {
      throw new Error(`unsupported CSI ${params}${final}`);
    }
  }
}
