import type { Metrics } from '../../src/dsp/types.js';
import type { QueueStats } from '../../src/queue/types.js';
import type { LiveState, SessionCommands } from '../../src/session/types.js';

export function metricsFixture(change: Partial<Metrics> = {}): Metrics {
  return {
    t: 12,
    heartRateBpm: 72,
    rrMs: 833,
    prMs: 160,
    qrsMs: 92,
    qtMs: 380,
    qtcBazettMs: 416,
    qtcFridericiaMs: 404,
    signalQuality: 0.93,
    leadOff: false,
    droppedFrames: 0,
    measuredRateHz: 359.8,
    ...change,
  };
}

export function queueFixture(change: Partial<QueueStats> = {}): QueueStats {
  return {
    is_online: true,
    total_queued: 15,
    total_synced: 10,
    total_failed: 2,
    pending_count: 3,
    queue_dir: '/tmp/q',
    inflight_count: 0,
    failed_count: 2,
    synced_count: 10,
    bytes_pending: 1536,
    unauthorized: false,
    throttled_until: null,
    last_sync_at: null,
    next_attempt_at: null,
    upload_enabled: true,
    disk_error: null,
    memory_only_count: 0,
    ...change,
  };
}

export function liveStateFixture(leads: string[] = ['I', 'II', 'III'], rateHz = 250): LiveState {
  return {
    info: {
      sessionId: 'test-session',
      startedAt: new Date().toISOString(),
      protocol: 'ascii',
      source: 'synthetic',
      nominalRateHz: rateHz,
      leads,
      filter: 'monitor',
      mainsHz: 50,
      patientId: null,
      operator: null,
    },
    revision: 0,
    device: { state: 'connected', message: null, measuredRateHz: rateHz, droppedFrames: 0, badFrames: 0, lastSampleAtMs: Date.now() },
    metrics: metricsFixture(),
    traces: leads.map((lead) => ({ lead, samples: new Float32Array(rateHz * 20), written: 0, leadOff: false })),
    beatSamples: [],
    queue: queueFixture(),
    notice: null,
  };
}

/** Commands that record what was asked of them. */
export function recordingCommands(report: () => Promise<string> = async () => '/tmp/report.pdf') {
  const calls: string[] = [];
  const commands: SessionCommands = {
    syncNow: () => void calls.push('syncNow'),
    retryFailed: () => void calls.push('retryFailed'),
    report: () => {
      calls.push('report');
      return report();
    },
    setMainsHz: (hz) => void calls.push(`setMainsHz ${hz}`),
    quit: () => void calls.push('quit'),
  };
  return { commands, calls };
}
