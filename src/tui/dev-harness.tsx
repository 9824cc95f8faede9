/**
 * Runs the TUI on a synthetic ECG without a session, device or queue, for development and for
 * the TUI benchmark: `node dist/tui/dev-harness.js [--rate 500] [--leads 12] [--seconds 60]
 * [--fps 20] [--stats FILE]`. The queue figures it shows are made up; nothing is uploaded.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { STANDARD_LEADS, createSyntheticEcg } from '../device/synthetic.js';
import type { LiveState, SessionCommands } from '../session/types.js';
import { startTui } from './index.js';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '500' },
    leads: { type: 'string', default: '12' },
    hr: { type: 'string', default: '72' },
    seconds: { type: 'string', default: '0' },
    fps: { type: 'string', default: '20' },
    stats: { type: 'string' },
  },
});
const rateHz = Number(values.rate);
const leads = STANDARD_LEADS.slice(0, Math.max(1, Math.min(12, Number(values.leads))));
const ecg = createSyntheticEcg({ fsHz: rateHz, hrBpm: Number(values.hr), leads: [...leads], hrvMs: 20, seed: 7, truthCapacity: 64 });
const bufferSamples = rateHz * 30;
const startedAtMs = Date.now();

const state: LiveState = {
  info: {
    sessionId: 'dev-harness',
    startedAt: new Date(startedAtMs).toISOString(),
    protocol: 'openbci',
    source: 'synthetic',
    nominalRateHz: rateHz,
    leads: [...leads],
    filter: 'monitor',
    mainsHz: 50,
    patientId: null,
    operator: null,
  },
  revision: 0,
  device: { state: 'connected', message: null, measuredRateHz: null, droppedFrames: 0, badFrames: 0, lastSampleAtMs: null },
  metrics: null,
  traces: leads.map((lead) => ({ lead, samples: new Float32Array(bufferSamples), written: 0, leadOff: false })),
  beatSamples: [],
  queue: {
    is_online: true,
    total_queued: 0,
    total_synced: 0,
    total_failed: 0,
    pending_count: 0,
    queue_dir: './offline_queue',
    inflight_count: 0,
    failed_count: 0,
    synced_count: 0,
    bytes_pending: 0,
    unauthorized: false,
    throttled_until: null,
    last_sync_at: null,
    next_attempt_at: null,
    upload_enabled: true,
    disk_error: null,
    memory_only_count: 0,
  },
  notice: 'dev harness: synthetic data, made-up queue',
};

// Samples arrive in 20 ms blocks, as from a serial port, in real time.
const blockTimer = setInterval(() => {
  const due = Math.floor(((Date.now() - startedAtMs) / 1000) * rateHz) - state.traces[0]!.written;
  if (due <= 0) return;
  const block = ecg.next(due);
  for (let lead = 0; lead < state.traces.length; lead++) {
    const trace = state.traces[lead]!;
    const samples = block[lead]!;
    for (let i = 0; i < due; i++) trace.samples[(trace.written + i) % bufferSamples] = samples[i]!;
    trace.written += due;
  }
  state.beatSamples = ecg.truth().slice(-30).map((beat) => beat.rSample);
  state.device.lastSampleAtMs = Date.now();
  state.device.measuredRateHz = rateHz * (0.999 + Math.random() * 0.002);
  state.revision++;
}, 20);

// Metrics every 2 s and a queue that goes offline for 20 s of every minute.
const slowTimer = setInterval(() => {
  const t = (Date.now() - startedAtMs) / 1000;
  const beats = ecg.truth();
  const last = beats.at(-1);
  const previous = beats.at(-2);
  const rrMs = last && previous ? ((last.rSample - previous.rSample) / rateHz) * 1000 : null;
  state.metrics = {
    t,
    heartRateBpm: rrMs === null ? null : 60000 / rrMs,
    rrMs,
    prMs: 160,
    qrsMs: 90,
    qtMs: rrMs === null ? null : 400 * Math.sqrt(rrMs / 1000),
    qtcBazettMs: 400,
    qtcFridericiaMs: 400,
    signalQuality: 0.95,
    leadOff: false,
    droppedFrames: 0,
    measuredRateHz: state.device.measuredRateHz,
  };
  const queue = state.queue!;
  const online = t % 60 < 40;
  queue.is_online = online;
  queue.total_queued += 1;
  queue.pending_count += 1;
  queue.bytes_pending += 900;
  if (online) {
    queue.synced_count += queue.pending_count;
    queue.total_synced += queue.pending_count;
    queue.pending_count = 0;
    queue.bytes_pending = 0;
    queue.last_sync_at = new Date().toISOString();
  }
  queue.next_attempt_at = new Date(Date.now() + 30_000).toISOString();
  state.revision++;
}, 2000);

const commands: SessionCommands = {
  syncNow: () => {
    state.notice = 'sync pass started (harness)';
  },
  retryFailed: () => {
    state.notice = 'nothing failed (harness)';
  },
  report: async () => {
    throw new Error('no report in the dev harness');
  },
  setMainsHz: (hz) => {
    state.info.mainsHz = hz;
  },
  quit: () => undefined,
};

const tui = startTui(state, commands, { fps: Number(values.fps) });
const seconds = Number(values.seconds);
if (seconds > 0) setTimeout(() => tui.unmount(), seconds * 1000);
await tui.waitUntilExit();
clearInterval(blockTimer);
clearInterval(slowTimer);
if (values.stats) writeFileSync(values.stats, JSON.stringify(tui.stats()));
process.exit(0);
