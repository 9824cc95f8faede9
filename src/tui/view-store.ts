import { availableLayouts, type LayoutMode } from './layout.js';
import { GAIN_STEPS_MM_PER_MV, type GainMmPerMv, type TraceMode } from './trace-raster.js';

/** How the operator is looking at the data: shared by the Ink panels and the trace painter. */
export interface ViewState {
  cols: number;
  rows: number;
  layout: LayoutMode;
  leadIndex: number;
  gainMmPerMv: GainMmPerMv;
  traceMode: TraceMode;
  frozen: boolean;
  help: boolean;
  /** Notch frequency last chosen with `n` (starts from the session's). */
  mainsHz: 50 | 60;
  /** The TUI's own one-line message (key feedback, report result); shown before the session's. */
  notice: string | null;
  /** Bumped on every change. */
  version: number;
}

export class ViewStore {
  private state: ViewState;
  private readonly listeners = new Set<() => void>();

  constructor(cols: number, rows: number, mainsHz: 50 | 60 = 50, leadIndex = 0) {
    this.state = {
      cols,
      rows,
      layout: 'single',
      leadIndex,
      gainMmPerMv: 10,
      traceMode: 'sweep',
      frozen: false,
      help: false,
      mainsHz,
      notice: null,
      version: 0,
    };
  }

  get = (): ViewState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  update(change: Partial<Omit<ViewState, 'version'>>): void {
    this.state = { ...this.state, ...change, version: this.state.version + 1 };
    for (const listener of this.listeners) listener();
  }

  resize(cols: number, rows: number): void {
    if (cols !== this.state.cols || rows !== this.state.rows) this.update({ cols, rows });
  }

  nextLead(leadCount: number, step: 1 | -1 = 1): void {
    if (leadCount === 0) return;
    this.update({ leadIndex: (this.state.leadIndex + step + leadCount) % leadCount });
  }

  /** Cycles through the layouts this terminal allows. */
  nextLayout(leadCount: number): void {
    const allowed = availableLayouts(this.state.cols, this.state.rows, leadCount);
    const current = allowed.indexOf(this.state.layout);
    const next = allowed[(current + 1) % allowed.length] ?? 'single';
    const message = allowed.length === 1 ? 'only the single-lead view fits this terminal' : `layout: ${layoutName(next)}`;
    this.update({ layout: next, notice: message });
  }

  stepGain(direction: 1 | -1): void {
    const index = GAIN_STEPS_MM_PER_MV.indexOf(this.state.gainMmPerMv);
    const next = GAIN_STEPS_MM_PER_MV[Math.min(GAIN_STEPS_MM_PER_MV.length - 1, Math.max(0, index + direction))]!;
    this.update({ gainMmPerMv: next, notice: `gain ${next} mm/mV` });
  }

  toggleFreeze(): void {
    this.update({ frozen: !this.state.frozen, notice: this.state.frozen ? 'live' : 'frozen (p to resume)' });
  }

  toggleTraceMode(): void {
    const traceMode: TraceMode = this.state.traceMode === 'sweep' ? 'scroll' : 'sweep';
    this.update({ traceMode, notice: `${traceMode} mode` });
  }

  toggleHelp(): void {
    this.update({ help: !this.state.help });
  }

  say(notice: string | null): void {
    this.update({ notice });
  }
}

export function layoutName(mode: LayoutMode): string {
  return mode === 'single' ? '1 lead' : mode === 'three' ? '3 leads' : 'all leads';
}

