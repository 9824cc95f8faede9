import type { TraceBuffer } from '../session/types.js';
import { BLANK, STYLE, type CellGrid } from './grid.js';

/**
 * The waveform drawn in braille: a character cell holds 2 x 4 dots, and one dot is one "mm" of
 * ECG paper in both directions (a terminal cell is about twice as tall as wide, so dots are
 * roughly square). Gain and sweep speed are therefore real paper units, never autoscaled.
 */
export const DOTS_PER_CELL_X = 2;
export const DOTS_PER_CELL_Y = 4;
/** Paper speed: 25 mm/s, i.e. 12.5 character columns per second. */
export const SWEEP_MM_PER_S = 25;
export const GAIN_STEPS_MM_PER_MV = [5, 10, 20] as const;
export type GainMmPerMv = (typeof GAIN_STEPS_MM_PER_MV)[number];
/** Width of the erase bar ahead of the sweep head, in dots (mm). */
export const ERASE_DOTS = 6;

export type TraceMode = 'sweep' | 'scroll';

/** Braille dot bits by [column within the cell][row within the cell]. */
const DOT_BITS = [
  [0x01, 0x02, 0x04, 0x40],
  [0x08, 0x10, 0x20, 0x80],
] as const;
const COLUMN_BITS = [0x47, 0xb8] as const;
const BRAILLE_BASE = 0x2800;
const BEAT_MARK = 0x76; // 'v', pointing down at the R peak

export interface RasterSettings {
  /** Cells across. */
  widthCells: number;
  /** Character rows of trace (the beat-mark row above them is extra). */
  traceRows: number;
  sampleRateHz: number;
  gainMmPerMv: GainMmPerMv;
  mode: TraceMode;
}

/**
 * One lead's strip: a beat-mark row plus braille trace rows. In sweep mode each update draws only
 * the samples that arrived since the last one, at a fixed place on the strip, and clears the
 * erase bar ahead of them; in scroll mode the strip is redrawn whenever it moves by a cell.
 */
export class TraceRaster {
  readonly widthCells: number;
  readonly traceRows: number;
  readonly widthDots: number;
  readonly heightDots: number;
  readonly mode: TraceMode;
  readonly gainMmPerMv: GainMmPerMv;
  readonly samplesPerDot: number;
  /** Braille dot bits per trace cell, row-major. */
  readonly masks: Uint8Array;
  /** 1 where a beat mark sits in the mark row. */
  readonly marks: Uint8Array;
  private readonly uvPerDot: number;
  private readonly centerDot: number;
  /** First sample not drawn yet; -1 before the first update. */
  private nextSample = -1;
  /** Absolute dot column (sample / samplesPerDot) being drawn; -1 = none. */
  private currentDot = -1;
  private lastDotRow = -1;
  private lastMarkedBeat = -1;
  /** Scroll mode: absolute dot shown in the leftmost dot column. */
  private originDot = 0;

  constructor(settings: RasterSettings) {
    this.widthCells = Math.max(1, settings.widthCells);
    this.traceRows = Math.max(1, settings.traceRows);
    this.widthDots = this.widthCells * DOTS_PER_CELL_X;
    this.heightDots = this.traceRows * DOTS_PER_CELL_Y;
    this.mode = settings.mode;
    this.gainMmPerMv = settings.gainMmPerMv;
    this.samplesPerDot = settings.sampleRateHz / SWEEP_MM_PER_S;
    this.uvPerDot = 1000 / settings.gainMmPerMv;
    this.centerDot = Math.floor(this.heightDots / 2);
    this.masks = new Uint8Array(this.widthCells * this.traceRows);
    this.marks = new Uint8Array(this.widthCells);
  }

  /** Samples that fit on the strip (less the erase bar in sweep mode). */
  get visibleSamples(): number {
    const dots = this.mode === 'sweep' ? this.widthDots - ERASE_DOTS : this.widthDots;
    return Math.max(1, Math.floor(dots * this.samplesPerDot));
  }

  /** The cell column the sweep head is in, or -1 before anything was drawn. */
  get headCell(): number {
    if (this.currentDot < 0) return -1;
    return Math.floor(this.columnOf(this.currentDot) / DOTS_PER_CELL_X);
  }

  /** Draws what arrived since the last update; returns whether the strip changed. */
  update(trace: TraceBuffer, beatSamples: readonly number[]): boolean {
    const written = trace.written;
    if (written <= 0 || trace.samples.length === 0) return false;
    return this.mode === 'sweep' ? this.updateSweep(trace, beatSamples) : this.updateScroll(trace, beatSamples);
  }

  private updateSweep(trace: TraceBuffer, beatSamples: readonly number[]): boolean {
    const written = trace.written;
    const oldest = Math.max(0, written - trace.samples.length, written - this.visibleSamples);
    let from = this.nextSample;
    if (from < oldest) {
      // First update, or we fell behind (freeze, slow frames): restart the line where the data is.
      from = oldest;
      this.currentDot = -1;
      // Join the line to the sample before, when the ring buffer still holds it.
      const before = from - 1;
      this.lastDotRow = before >= 0 && before >= written - trace.samples.length ? this.dotRowOf(trace.samples[before % trace.samples.length]!) : -1;
    }
    let changed = false;
    if (from < written) {
      this.drawSamples(trace, from, written);
      changed = true;
    }
    this.nextSample = written;
    return this.markBeats(beatSamples) || changed;
  }

  private updateScroll(trace: TraceBuffer, beatSamples: readonly number[]): boolean {
    const written = trace.written;
    const headDot = Math.floor((written - 1) / this.samplesPerDot);
    const headCell = Math.floor(headDot / DOTS_PER_CELL_X);
    const originDot = (headCell + 1 - this.widthCells) * DOTS_PER_CELL_X;
    if (originDot === this.originDot && this.nextSample >= 0) {
      this.nextSample = written;
      return false;
    }
    this.originDot = originDot;
    this.masks.fill(0);
    this.marks.fill(0);
    this.currentDot = -1;
    this.lastDotRow = -1;
    this.lastMarkedBeat = -1;
    const from = Math.max(0, written - trace.samples.length, Math.ceil(originDot * this.samplesPerDot));
    if (from < written) this.drawSamples(trace, from, written);
    this.nextSample = written;
    this.markBeats(beatSamples);
    return true;
  }

  private drawSamples(trace: TraceBuffer, from: number, to: number): void {
    const samples = trace.samples;
    const length = samples.length;
    const samplesPerDot = this.samplesPerDot;
    for (let sample = from; sample < to; sample++) {
      const dot = Math.floor(sample / samplesPerDot);
      if (dot !== this.currentDot) {
        this.enterDot(dot);
        this.currentDot = dot;
      }
      const row = this.dotRowOf(samples[sample % length]!);
      const previous = this.lastDotRow < 0 ? row : this.lastDotRow;
      this.setDots(this.columnOf(dot), Math.min(row, previous), Math.max(row, previous));
      this.lastDotRow = row;
    }
  }

  /** The strip's dot column for an absolute dot. */
  private columnOf(dot: number): number {
    if (this.mode === 'sweep') return dot % this.widthDots;
    return dot - this.originDot;
  }

  private dotRowOf(microvolts: number): number {
    const row = this.centerDot - Math.round(microvolts / this.uvPerDot);
    if (!(row >= 0)) return 0; // also catches NaN
    return row >= this.heightDots ? this.heightDots - 1 : row;
  }

  /** Starts a new dot column: in sweep mode, clears it and the erase bar ahead of it. */
  private enterDot(dot: number): void {
    if (this.mode !== 'sweep') return;
    const column = this.columnOf(dot);
    for (let ahead = 0; ahead <= ERASE_DOTS; ahead++) {
      const x = (column + ahead) % this.widthDots;
      const bits = COLUMN_BITS[x % DOTS_PER_CELL_X]!;
      const cell = Math.floor(x / DOTS_PER_CELL_X);
      for (let row = 0; row < this.traceRows; row++) this.masks[row * this.widthCells + cell]! &= ~bits;
      // Beat marks go with their cell, but not the one the head has just reached the middle of.
      if (ahead > 0 || x % DOTS_PER_CELL_X === 0) this.marks[cell] = 0;
    }
  }

  private setDots(x: number, fromRow: number, toRow: number): void {
    if (x < 0 || x >= this.widthDots) return;
    const cell = Math.floor(x / DOTS_PER_CELL_X);
    const bits = DOT_BITS[x % DOTS_PER_CELL_X]!;
    for (let y = fromRow; y <= toRow; y++) {
      this.masks[Math.floor(y / DOTS_PER_CELL_Y) * this.widthCells + cell]! |= bits[y % DOTS_PER_CELL_Y]!;
    }
  }

  /** Marks beats that are on the drawn part of the strip and not marked yet. */
  private markBeats(beatSamples: readonly number[]): boolean {
    let changed = false;
    const oldestShown = this.nextSample - this.visibleSamples;
    for (const beat of beatSamples) {
      if (beat <= this.lastMarkedBeat) continue;
      if (beat >= this.nextSample) break;
      this.lastMarkedBeat = beat;
      if (beat < oldestShown) continue;
      const x = this.columnOf(Math.floor(beat / this.samplesPerDot));
      if (x < 0 || x >= this.widthDots) continue;
      this.marks[Math.floor(x / DOTS_PER_CELL_X)] = 1;
      changed = true;
    }
    return changed;
  }

  /** Copies the strip into a screen grid: mark row at `top`, trace rows below it. */
  blit(grid: CellGrid, left: number, top: number, leadOff: boolean): void {
    const width = Math.min(this.widthCells, grid.cols - left);
    const traceStyle = leadOff ? STYLE.traceLeadOff : STYLE.trace;
    if (top >= 0 && top < grid.rows) {
      const base = top * grid.cols + left;
      for (let col = 0; col < width; col++) {
        const marked = this.marks[col] === 1;
        grid.chars[base + col] = marked ? BEAT_MARK : BLANK;
        grid.styles[base + col] = marked ? STYLE.beatMark : 0;
      }
    }
    for (let row = 0; row < this.traceRows; row++) {
      const y = top + 1 + row;
      if (y < 0 || y >= grid.rows) continue;
      const base = y * grid.cols + left;
      for (let col = 0; col < width; col++) {
        const mask = this.masks[row * this.widthCells + col]!;
        grid.chars[base + col] = mask === 0 ? BLANK : BRAILLE_BASE + mask;
        grid.styles[base + col] = mask === 0 ? 0 : traceStyle;
      }
    }
  }

  /** The strip as text: the mark row, then the trace rows. */
  toLines(): string[] {
    const lines: string[] = [];
    let markRow = '';
    for (let col = 0; col < this.widthCells; col++) markRow += this.marks[col] === 1 ? 'v' : ' ';
    lines.push(markRow);
    for (let row = 0; row < this.traceRows; row++) {
      let line = '';
      for (let col = 0; col < this.widthCells; col++) {
        const mask = this.masks[row * this.widthCells + col]!;
        line += mask === 0 ? ' ' : String.fromCodePoint(BRAILLE_BASE + mask);
      }
      lines.push(line);
    }
    return lines;
  }
}
