import { render } from 'ink';
import { limitHeapGrowth } from '../heap.js';
import { log } from '../log.js';
import type { LiveState, SessionCommands } from '../session/types.js';
import { App } from './app.js';
import { Compositor, type CompositorStats, type TerminalOut } from './compositor.js';
import { InkFrameSink } from './frame-sink.js';
import { ViewStore } from './view-store.js';

export interface TuiOptions {
  /** The terminal (default process.stdout). Needs `columns`/`rows` and 'resize' events to fit it. */
  stdout?: NodeJS.WriteStream;
  /** Keys come from here (default process.stdin); without a TTY the screen shows but keys are off. */
  stdin?: NodeJS.ReadStream;
  /** Trace frames per second, 1..30 (default 20). Text panels re-render about once a second. */
  fps?: number;
}

export interface TuiHandle {
  /** Resolves when the screen is gone: after `q` (which also calls commands.quit()) or unmount(). */
  waitUntilExit(): Promise<void>;
  /** Takes the screen down and gives the terminal back; safe to call more than once. */
  unmount(): void;
  stats(): CompositorStats;
}

export const DEFAULT_FPS = 20;
const MAX_FPS = 30;

/**
 * Shows the live monitor until `q` or unmount(). Ink renders the panels into an in-memory frame;
 * the compositor draws the traces over it and alone writes to the terminal, cell by changed cell.
 */
export function startTui(state: LiveState, commands: SessionCommands, options: TuiOptions = {}): TuiHandle {
  const stdout = options.stdout ?? process.stdout;
  const stdin = options.stdin ?? process.stdin;
  const fps = Math.min(MAX_FPS, Math.max(1, options.fps ?? DEFAULT_FPS));
  limitHeapGrowth();
  const size = () => ({ cols: stdout.columns || 80, rows: stdout.rows || 24 });
  const { cols, rows } = size();
  // Lead II is the usual monitoring lead; start on it when the device has it.
  const leadII = state.traces.findIndex((trace) => trace.lead === 'II');
  const view = new ViewStore(cols, rows, state.info.mainsHz, Math.max(0, leadII));
  const sink = new InkFrameSink(cols, rows);
  const compositor = new Compositor(stdout as TerminalOut, sink, state, view, fps);
  compositor.start();
  const ink = render(<App state={state} commands={commands} view={view} waveform="painter" />, {
    stdout: sink as unknown as NodeJS.WriteStream,
    stdin,
    // Debug mode hands over each frame whole, unthrottled: the compositor does the pacing and diffing.
    debug: true,
    patchConsole: false,
    exitOnCtrlC: false,
  });
  const onResize = () => {
    const next = size();
    sink.resize(next.cols, next.rows);
    view.resize(next.cols, next.rows);
    compositor.invalidate();
  };
  stdout.on('resize', onResize);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    stdout.off('resize', onResize);
    compositor.stop();
    log.info('tui stopped', { ...compositor.stats(), memory: process.memoryUsage() });
  };
  const exited = ink.waitUntilExit().then(stop, (error: unknown) => {
    stop();
    log.error('tui failed', error);
  });
  return {
    waitUntilExit: () => exited,
    unmount: () => {
      ink.unmount();
      stop();
    },
    stats: () => compositor.stats(),
  };
}

export type { CompositorStats } from './compositor.js';
