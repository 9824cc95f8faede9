import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createGrid, gridLines, styleId, STYLE, type CellGrid } from '../../src/tui/grid.js';
import { TerminalPainter } from '../../src/tui/screen-diff.js';
import { VirtualTerminal } from './virtual-terminal.js';

const COLS = 12;
const ROWS = 5;
const STYLES = [0, STYLE.trace, STYLE.beatMark, styleId({ fg: '31', bg: '44', attrs: 1 })];
const CHARS = [0x20, 0x41, 0x7a, 0x2800 + 0x47, 0x28ff, 0x2502, 0x2588];
const WIDE = 0x4e2d; // a CJK character, two cells

/** A random screen; wide characters only where their right half fits. */
const gridArbitrary = fc
  .array(fc.tuple(fc.integer({ min: 0, max: CHARS.length }), fc.integer({ min: 0, max: STYLES.length - 1 })), {
    minLength: COLS * ROWS,
    maxLength: COLS * ROWS,
  })
  .map((cells) => {
    const grid = createGrid(COLS, ROWS);
    for (let at = 0; at < cells.length; at++) {
      const [charIndex, styleIndex] = cells[at]!;
      const col = at % COLS;
      if (grid.chars[at] === 0 && col > 0 && grid.chars[at - 1] === WIDE) continue;
      if (charIndex === CHARS.length && col < COLS - 1) {
        grid.chars[at] = WIDE;
        grid.chars[at + 1] = 0;
        grid.styles[at] = STYLES[styleIndex]!;
        grid.styles[at + 1] = STYLES[styleIndex]!;
      } else {
        grid.chars[at] = CHARS[charIndex % CHARS.length]!;
        grid.styles[at] = STYLES[styleIndex]!;
      }
    }
    return grid;
  });

function expectSameScreen(terminal: CellGrid, expected: CellGrid): void {
  expect(gridLines(terminal)).toEqual(gridLines(expected));
  expect(Array.from(terminal.styles)).toEqual(Array.from(expected.styles));
}

describe('TerminalPainter', () => {
  it('reproduces any second frame on a terminal that showed the first', () => {
    fc.assert(
      fc.property(gridArbitrary, gridArbitrary, (first, second) => {
        const terminal = new VirtualTerminal(COLS, ROWS);
        const painter = new TerminalPainter();
        terminal.write(painter.paint(first));
        expectSameScreen(terminal.screen, first);
        terminal.write(painter.paint(second));
        expectSameScreen(terminal.screen, second);
      }),
      { numRuns: 300 },
    );
  });

  it('writes nothing when nothing changed', () => {
    const grid = createGrid(COLS, ROWS);
    grid.chars[3] = 0x41;
    const painter = new TerminalPainter();
    expect(painter.paint(grid)).not.toBe('');
    expect(painter.paint(grid)).toBe('');
  });

  it('sends only the changed cells: one changed column costs a few bytes per row', () => {
    const width = 78;
    const height = 12;
    const before = createGrid(width, height);
    for (let row = 0; row < height; row++) for (let col = 0; col < width; col++) before.chars[row * width + col] = 0x2800 + ((row * 7 + col) % 255) + 1;
    before.styles.fill(STYLE.trace);
    const after = createGrid(width, height);
    after.chars.set(before.chars);
    after.styles.set(before.styles);
    for (let row = 0; row < height; row++) after.chars[row * width + 40] = 0x20;
    const painter = new TerminalPainter();
    const terminal = new VirtualTerminal(width, height);
    terminal.write(painter.paint(before));
    const bytes = painter.paint(after);
    terminal.write(bytes);
    expectSameScreen(terminal.screen, after);
    // A cursor move, a style change and one character per row; a full redraw would be ~2.8 KB.
    expect(Buffer.byteLength(bytes)).toBeLessThan(height * 20);
  });

  it('repaints everything after invalidate()', () => {
    const grid = createGrid(COLS, ROWS);
    grid.chars[0] = 0x42;
    const painter = new TerminalPainter();
    painter.paint(grid);
    painter.invalidate();
    const terminal = new VirtualTerminal(COLS, ROWS);
    terminal.write('garbage');
    terminal.write(painter.paint(grid));
    expectSameScreen(terminal.screen, grid);
  });
});
