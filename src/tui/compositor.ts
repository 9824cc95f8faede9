import { renderToString } from 'ink';
import { createElement } from 'react';
import type { LiveState } from '../session/types.js';
import type { InkFrameSink } from './frame-sink.js';
import { copyGrid, createGrid, parseFrame, type CellGrid } from './grid.js';
import { computeLayout, type ScreenLayout, type StripLayout } from './layout.js';
import { WaveformPanel, wavePanelProps } from './panels/waveform-panel.js';
import { TerminalPainter } from './screen-diff.js';
import { TraceRaster } from './trace-raster.js';
import type { ViewStore } from './view-store.js';

/** Alternate screen, hidden cursor, no auto-wrap (so the bottom-right cell never scrolls). */
export const ENTER_SCREEN = '\x1b[?1049h\x1b[?25l\x1b[?7l';
export const LEAVE_SCREEN = '\x1b[0m\x1b[?7h\x1b[?25h\x1b[?1049l';

/** Where the compositor writes: the real terminal. */
export interface TerminalOut {
  write(data: string): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

export interface CompositorStats {
  ticks: number;
  /** Ticks that wrote something. */
  paints: number;
  bytes: number;
  /** Ticks skipped because the terminal (or SSH link) had not taken the previous bytes yet. */
  backpressureSkips: number;
  inkFrames: number;
  /** Time from the newest sample's arrival to the write that showed it. */
  latencyMs: { p50: number; p95: number; max: number; count: number };
}

interface Strip {
  layout: StripLayout;
  raster: TraceRaster;
}

const LATENCY_KEEP = 4096;

/**
 * The frame clock and sole writer to the terminal. Each tick it lays Ink's latest frame (the text
 * panels, re-rendered only when they change) under the trace strips, which it draws itself from
 * the ring buffers, and writes only the cells that differ from what the terminal shows.
 */
export class Compositor {
  private readonly painter = new TerminalPainter();
  private base: CellGrid;
  private next: CellGrid;
  private parsedVersion = -1;
  private strips: Strip[] = [];
  private stripKey = '';
  private layout: ScreenLayout | null = null;
  /** What the waveform panel's frame (border, title, labels, help) was last drawn for. */
  private waveKey = '';
  private timer: NodeJS.Timeout | null = null;
  private waitingForDrain = false;
  private readonly latencies: number[] = [];
  private counters = { ticks: 0, paints: 0, bytes: 0, backpressureSkips: 0, inkFrames: 0 };
  private readonly restoreOnExit = () => this.out.write(LEAVE_SCREEN);

  constructor(
    private readonly out: TerminalOut,
    private readonly sink: InkFrameSink,
    private readonly state: LiveState,
    private readonly view: ViewStore,
    private readonly fps: number,
  ) {
    const { cols, rows } = view.get();
    this.base = createGrid(cols, rows);
    this.next = createGrid(cols, rows);
  }

  start(): void {
    this.out.write(ENTER_SCREEN);
    process.once('exit', this.restoreOnExit);
    this.timer = setInterval(() => this.tick(Date.now()), Math.max(1, Math.round(1000 / this.fps)));
  }

  stop(): void {
    if (this.timer === null) return;
    clearInterval(this.timer);
    this.timer = null;
    process.off('exit', this.restoreOnExit);
    this.out.write(LEAVE_SCREEN);
  }

  /** The terminal was resized or scribbled on: redraw everything on the next tick. */
  invalidate(): void {
    this.painter.invalidate();
    this.parsedVersion = -1;
    this.waveKey = '';
  }

  /** One frame: returns the bytes written (empty when nothing changed). */
  tick(nowMs: number): string {
    this.counters.ticks++;
    if (this.waitingForDrain) {
      this.counters.backpressureSkips++;
      return '';
    }
    const view = this.view.get();
    let changed = false;
    if (this.base.cols !== view.cols || this.base.rows !== view.rows) {
      this.base = createGrid(view.cols, view.rows);
      this.next = createGrid(view.cols, view.rows);
      this.invalidate();
    }
    if (this.rebuildStrips()) changed = true;
    const layout = this.layout!;
    if (this.drawWavePanel(layout)) changed = true;
    if (this.sink.version !== this.parsedVersion) {
      // Ink renders everything from the status line down.
      parseFrame(this.sink.frame, this.base, layout.header.y);
      this.parsedVersion = this.sink.version;
      this.counters.inkFrames++;
      changed = true;
    }
    const showTraces = !view.help;
    let drewSamples = false;
    if (showTraces && !view.frozen) {
      for (const strip of this.strips) {
        const trace = this.state.traces[strip.layout.traceIndex];
        if (trace && strip.raster.update(trace, this.state.beatSamples)) drewSamples = true;
      }
    }
    if (!changed && !drewSamples) return '';
    copyGrid(this.base, this.next);
    if (showTraces) {
      for (const strip of this.strips) {
        const leadOff = this.state.traces[strip.layout.traceIndex]?.leadOff ?? false;
        strip.raster.blit(this.next, strip.layout.rect.x, strip.layout.rect.y, leadOff);
      }
    }
    const bytes = this.painter.paint(this.next);
    if (bytes === '') return '';
    this.counters.paints++;
    this.counters.bytes += Buffer.byteLength(bytes);
    if (!this.out.write(bytes)) {
      // A slow link: stop producing frames until it catches up; the next paint sends the net change.
      this.waitingForDrain = true;
      this.out.once('drain', () => {
        this.waitingForDrain = false;
      });
    }
    const lastSampleAtMs = this.state.device.lastSampleAtMs;
    if (drewSamples && lastSampleAtMs !== null) {
      if (this.latencies.length >= LATENCY_KEEP) this.latencies.shift();
      this.latencies.push(Math.max(0, nowMs - lastSampleAtMs));
    }
    return bytes;
  }

  /** Redraws the waveform panel's frame when what it shows changed (keys, lead-off); true if it did. */
  private drawWavePanel(layout: ScreenLayout): boolean {
    const view = this.view.get();
    const leadOff = this.state.traces.map((trace) => trace.leadOff);
    const key = [this.stripKey, view.frozen, view.help, leadOff.map(Number).join('')].join('|');
    if (key === this.waveKey) return false;
    this.waveKey = key;
    const text = renderToString(createElement(WaveformPanel, wavePanelProps(layout, view, leadOff)), { columns: view.cols });
    parseFrame(text, this.base, layout.wave.y, layout.wave.height);
    return true;
  }

  /** Recreates the strips when the layout, gain, mode or leads change; true if it did. */
  private rebuildStrips(): boolean {
    const view = this.view.get();
    const leads = this.state.traces.map((trace) => trace.lead);
    const rateHz = this.state.info.nominalRateHz > 0 ? this.state.info.nominalRateHz : (this.state.device.measuredRateHz ?? 0);
    const key = [view.cols, view.rows, view.layout, view.leadIndex, view.gainMmPerMv, view.traceMode, rateHz, leads.join(',')].join('|');
    if (key === this.stripKey && this.layout !== null) return false;
    this.stripKey = key;
    const layout = computeLayout(view.cols, view.rows, view, leads);
    this.layout = layout;
    if (rateHz <= 0) {
      this.strips = [];
      return true;
    }
    this.strips = layout.strips.map((stripLayout) => ({
      layout: stripLayout,
      raster: new TraceRaster({
        widthCells: stripLayout.rect.width,
        traceRows: stripLayout.rect.height - 1,
        sampleRateHz: rateHz,
        gainMmPerMv: view.gainMmPerMv,
        mode: view.traceMode,
      }),
    }));
    return true;
  }

  stats(): CompositorStats {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const at = (q: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
    return {
      ...this.counters,
      latencyMs: { p50: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? 0, count: sorted.length },
    };
  }
}
