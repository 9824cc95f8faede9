import { useEffect, useRef, useState } from 'react';
import type { Metrics } from '../dsp/types.js';
import type { QueueStats } from '../queue/types.js';
import type { LiveState } from '../session/types.js';
import { dropTier, type DropTier } from './format.js';

/** The slowly changing part of LiveState that the text panels show, copied so React can compare it. */
export interface LiveSnapshot {
  /** Wall clock of the snapshot, whole seconds (relative times change once a second). */
  nowMs: number;
  elapsedS: number;
  deviceState: LiveState['device']['state'];
  deviceMessage: string | null;
  measuredRateHz: number | null;
  droppedFrames: number;
  dropTier: DropTier;
  metrics: Metrics | null;
  leads: { name: string; off: boolean }[];
  queue: QueueStats | null;
  notice: string | null;
}

/** How far back dropped frames count towards the tier. */
const DROP_WINDOW_MS = 10_000;

interface Reading {
  atMs: number;
  dropped: number;
  received: number;
}

/** Keeps recent counter readings so tiers reflect the last few seconds, not the whole session. */
export class DropHistory {
  private readings: Reading[] = [];

  tier(state: LiveState, nowMs: number, startedAtMs: number): DropTier {
    const received = state.traces[0]?.written ?? 0;
    const reading = { atMs: nowMs, dropped: state.device.droppedFrames, received };
    this.readings.push(reading);
    while (this.readings.length > 1 && nowMs - this.readings[0]!.atMs > DROP_WINDOW_MS) this.readings.shift();
    const first = this.readings[0]!;
    return dropTier({
      dropped: reading.dropped - first.dropped + (this.readings.length === 1 ? reading.dropped : 0),
      received: reading.received - first.received + (this.readings.length === 1 ? reading.received : 0),
      silenceMs: state.device.lastSampleAtMs === null ? null : nowMs - state.device.lastSampleAtMs,
      uptimeMs: nowMs - startedAtMs,
    });
  }
}

export function takeSnapshot(state: LiveState, nowMs: number, tier: DropTier): LiveSnapshot {
  const started = Date.parse(state.info.startedAt);
  const elapsedS = Number.isNaN(started) ? 0 : Math.floor((nowMs - started) / 1000);
  return {
    // Whole seconds in the same phase as elapsedS, so both clocks tick in one render a second, not two.
    nowMs: Number.isNaN(started) ? Math.floor(nowMs / 1000) * 1000 : started + elapsedS * 1000,
    elapsedS,
    deviceState: state.device.state,
    deviceMessage: state.device.message,
    measuredRateHz: state.device.measuredRateHz === null ? null : Math.round(state.device.measuredRateHz * 10) / 10,
    droppedFrames: state.device.droppedFrames,
    dropTier: tier,
    metrics: state.metrics === null ? null : { ...state.metrics },
    leads: state.traces.map((trace) => ({ name: trace.lead, off: trace.leadOff })),
    queue: state.queue === null ? null : { ...state.queue },
    notice: state.notice,
  };
}

/**
 * Polls LiveState a few times a second and hands React a new snapshot only when what the panels
 * show has changed, so Ink re-renders the text panels about once a second, not per sample.
 */
export function useLiveSnapshot(state: LiveState, periodMs: number): LiveSnapshot {
  const history = useRef<DropHistory>(new DropHistory());
  const startedAt = useRef(Date.now());
  const [snapshot, setSnapshot] = useState(() => takeSnapshot(state, Date.now(), history.current.tier(state, Date.now(), startedAt.current)));
  const lastKey = useRef(JSON.stringify(snapshot));
  useEffect(() => {
    const timer = setInterval(() => {
      const now = Date.now();
      const next = takeSnapshot(state, now, history.current.tier(state, now, startedAt.current));
      const key = JSON.stringify(next);
      if (key !== lastKey.current) {
        lastKey.current = key;
        setSnapshot(next);
      }
    }, periodMs);
    return () => clearInterval(timer);
  }, [state, periodMs]);
  return snapshot;
}
