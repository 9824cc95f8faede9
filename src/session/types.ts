import type { DeviceState, Protocol } from '../device/types.js';
import type { Metrics } from '../dsp/types.js';
import type { QueueStats } from '../queue/types.js';

/** Fixed facts about a running session. */
export interface SessionInfo {
  sessionId: string;
  startedAt: string;
  protocol: Protocol;
  /** "synthetic", a record path, or the serial port path. */
  source: string;
  nominalRateHz: number;
  leads: string[];
  filter: 'monitor' | 'diagnostic';
  mainsHz: 50 | 60;
  patientId: string | null;
  operator: string | null;
}

/**
 * Display samples of one lead: a ring buffer the session writes and the TUI only reads.
 * `written` counts samples ever written, so a reader can tell what changed since its last frame.
 */
export interface TraceBuffer {
  lead: string;
  /** Filtered signal in µV; index = sample % samples.length. */
  samples: Float32Array;
  written: number;
  leadOff: boolean;
}

/** Silence after which a device that is still connected counts as giving no data. */
export const NO_DATA_MS = 5000;

/** Everything the TUI reads; the session mutates it in place and bumps `revision`. */
export interface LiveState {
  info: SessionInfo;
  revision: number;
  device: {
    state: DeviceState;
    message: string | null;
    measuredRateHz: number | null;
    droppedFrames: number;
    badFrames: number;
    /** Wall-clock ms of the last sample, null before the first. */
    lastSampleAtMs: number | null;
  };
  metrics: Metrics | null;
  traces: TraceBuffer[];
  /** Sample indices (stream counting) of recent R peaks, oldest first. */
  beatSamples: number[];
  queue: QueueStats | null;
  /** One-line message for the status bar (e.g. "report written to …"). */
  notice: string | null;
}

/** What the TUI may ask the session to do. */
export interface SessionCommands {
  syncNow(): void;
  retryFailed(): void;
  /** Writes a PDF of the last 10 s; resolves to the file path. */
  report(): Promise<string>;
  setMainsHz(hz: 50 | 60): void;
  quit(): void;
}
