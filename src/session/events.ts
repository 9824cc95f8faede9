/**
 * The events `record --no-tui` prints (CONTRACTS section 1): NDJSON with `--json`, else one
 * readable line each. The same objects feed both, so the two outputs never disagree.
 */
import type { Metrics } from '../dsp/types.js';
import type { QueueStats } from '../queue/types.js';
import type { SessionSummary } from './summary.js';

export interface MetricsEvent {
  type: 'metrics';
  t: number;
  heart_rate: number | null;
  rr_ms: number | null;
  pr_ms: number | null;
  qrs_ms: number | null;
  qt_ms: number | null;
  qtc_ms: number | null;
  signal_quality: number;
  lead_off: boolean;
  dropped_frames: number;
  measured_rate_hz: number | null;
}

export type SessionEvent =
  | {
      type: 'session_start';
      session_id: string;
      started_at: string;
      protocol: string;
      source: string;
      device_serial: string;
      sample_rate_hz: number;
      leads: string[];
      patient_id: string | null;
      operator: string | null;
      out_dir: string;
    }
  | MetricsEvent
  | ({ type: 'queue' } & QueueStats)
  | { type: 'device'; state: string; message: string | null; t: number }
  | { type: 'session_end'; session_id: string; ended_at: string; reason: string; summary: SessionSummary };

const roundTo = (value: number | null, digits: number): number | null =>
  value === null || !Number.isFinite(value) ? null : Math.round(value * 10 ** digits) / 10 ** digits;

/** The metrics event with exactly the CONTRACTS fields; QTc is Bazett's. */
export function metricsEvent(metrics: Metrics): MetricsEvent {
  return {
    type: 'metrics',
    t: roundTo(metrics.t, 3)!,
    heart_rate: roundTo(metrics.heartRateBpm, 1),
    rr_ms: roundTo(metrics.rrMs, 0),
    pr_ms: roundTo(metrics.prMs, 0),
    qrs_ms: roundTo(metrics.qrsMs, 0),
    qt_ms: roundTo(metrics.qtMs, 0),
    qtc_ms: roundTo(metrics.qtcBazettMs, 0),
    signal_quality: roundTo(metrics.signalQuality, 3)!,
    lead_off: metrics.leadOff,
    dropped_frames: metrics.droppedFrames,
    measured_rate_hz: roundTo(metrics.measuredRateHz, 2),
  };
}

/** The metrics upload body (CONTRACTS section 3): the event without the device-only fields. */
export function metricsBody(event: MetricsEvent): Record<string, unknown> {
  const { t, heart_rate, rr_ms, pr_ms, qrs_ms, qt_ms, qtc_ms, signal_quality } = event;
  return { t, heart_rate, rr_ms, pr_ms, qrs_ms, qt_ms, qtc_ms, signal_quality };
}

const show = (value: number | null, unit: string) => (value === null ? '--' : `${value}${unit}`);

/** One readable line per event, for `--no-tui` without `--json`. */
export function readableLine(event: SessionEvent): string {
  switch (event.type) {
    case 'session_start':
      return `session ${event.session_id} started: ${event.protocol} from ${event.source}, ${event.sample_rate_hz} Hz, leads ${event.leads.join(',')}; recording to ${event.out_dir}`;
    case 'metrics':
      return (
        `t=${event.t.toFixed(0)}s HR ${show(event.heart_rate, ' bpm')}  RR ${show(event.rr_ms, ' ms')}  PR ${show(event.pr_ms, ' ms')}` +
        `  QRS ${show(event.qrs_ms, ' ms')}  QT ${show(event.qt_ms, ' ms')}  QTc ${show(event.qtc_ms, ' ms')}` +
        `  quality ${event.signal_quality.toFixed(2)}${event.lead_off ? '  LEAD OFF' : ''}` +
        `  dropped ${event.dropped_frames}  rate ${show(event.measured_rate_hz, ' Hz')}`
      );
    case 'queue': {
      const link = event.unauthorized ? 'unauthorized' : !event.upload_enabled ? 'uploads off' : event.is_online ? 'online' : 'offline';
      return `queue: ${link}, ${event.pending_count} pending, ${event.total_synced} synced, ${event.failed_count} failed, ${event.bytes_pending} bytes waiting`;
    }
    case 'device':
      return `device: ${event.message ?? event.state}`;
    case 'session_end': {
      const s = event.summary;
      return (
        `session ${event.session_id} ended (${event.reason}): ${s.duration_s.toFixed(1)} s, ${s.beats} beats, ` +
        `HR mean ${show(s.heart_rate_mean, '')} min ${show(s.heart_rate_min, '')} max ${show(s.heart_rate_max, '')} bpm, ` +
        `PR ${show(s.pr_ms, ' ms')} QRS ${show(s.qrs_ms, ' ms')} QT ${show(s.qt_ms, ' ms')} QTc ${show(s.qtc_ms, ' ms')}, ` +
        `dropped ${s.dropped_frames}, lead off ${s.lead_off_s} s, gaps ${s.gap_s} s, quality ${show(s.signal_quality, '')}`
      );
    }
  }
}

/** Writes events to a stream as NDJSON or readable lines. */
export function eventPrinter(out: NodeJS.WritableStream, json: boolean): (event: SessionEvent) => void {
  return (event) => out.write(`${json ? JSON.stringify(event) : readableLine(event)}\n`);
}
