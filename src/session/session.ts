/**
 * A recording session: device blocks -> DSP pipeline -> LiveState (for the TUI), the WFDB
 * recording and the upload queue. Every 2 s a metrics item, every 10 s of samples a waveform
 * chunk, `session_start` once the rate and leads are known and `session_end` with the summary
 * on stop. Queue items are durably enqueued as they are made and the recording is appended as
 * samples arrive, so a crash loses nothing already written.
 *
 *   const session = new Session({ ...identity, api, outDir });
 *   session.attach(device); session.start(); await device.start();
 *   ... session.commands (for the TUI) ...
 *   const summary = await session.stop('duration');
 *
 * Sample positions in the recording, the summary, the traces and `beatSamples` count from the
 * session's first sample (0); a gap in the device's `firstSample` is kept as a gap.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deriveLeads, expandedLeadNames, leadNames } from '../device/leads.js';
import type { DecoderStats, DeviceState, Protocol, SampleBlock } from '../device/types.js';
import { createPipeline, type Pipeline } from '../dsp/pipeline.js';
import type { Metrics } from '../dsp/types.js';
import { errorMessage } from '../errors.js';
import { log } from '../log.js';
import { waitAtMost } from '../wait.js';
import type { BackendApi } from '../queue/backend-api.js';
import { metricsBody, metricsEvent, type SessionEvent } from './events.js';
import { WfdbRecording } from './recording.js';
import { emptySummary, SummaryBuilder, type SessionSummary } from './summary.js';
import { NO_DATA_MS, type LiveState, type SessionCommands, type TraceBuffer } from './types.js';
import { WaveformChunker } from './waveform.js';

export const METRICS_EVERY_MS = 2_000;
const QUEUE_REFRESH_MS = 1_000;
/** The queue event is printed every this many metrics ticks (10 s). */
const QUEUE_EVENT_EVERY_TICKS = 5;
/** Seconds of filtered signal kept per lead for the screen and the 10-s report. */
export const TRACE_SECONDS = 16;
/** How long `stop()` waits for a last upload pass when uploads are on. */
const FINAL_SYNC_TIMEOUT_MS = 5_000;
/** Gaps at least this long are listed in the summary and noted in the annotation file. */
const MIN_LISTED_GAP_S = 0.5;
/** How long an unknown sample rate is measured before the recording starts. */
const RATE_SETTLE_MS = 2_000;
export const DISCONNECT_MESSAGE = 'device disconnected, reconnecting…';
/** A session holds a patient's ECG and ID: its directory (and any it creates above) is the user's alone. */
const SESSION_DIR_MODE = 0o700;
export const NO_DATA_MESSAGE = `no data from the device for ${NO_DATA_MS / 1000} s`;

/** What the session needs from a device (SerialDevice and the simulated device both fit). */
export interface LiveDevice {
  on(event: 'block', listener: (block: SampleBlock) => void): unknown;
  on(event: 'state', listener: (state: DeviceState | { state: DeviceState; message?: string | null }, message?: string | null) => void): unknown;
  stats(): DecoderStats;
  /** Channel names in block order, when the device knows them (after the first block for ascii). */
  readonly leads?: string[];
}

/** The part of the queue facade a session uses. */
export type SessionQueue = Pick<
  BackendApi,
  'startSession' | 'uploadMetrics' | 'uploadWaveform' | 'uploadReport' | 'endSession' | 'getQueueStats' | 'forceSync' | 'retryFailed'
>;

export interface SessionOptions {
  sessionId: string;
  protocol: Protocol;
  /** "synthetic", a record path or the serial port path. */
  source: string;
  deviceSerial: string;
  /** Names of the device's channels (`--leads`); null = CH1..CHn. Derived limb leads are added. */
  deviceLeads: string[] | null;
  /** Nominal or `--rate` sample rate; null = use the rate the decoder measures. */
  rateHz: number | null;
  filter: 'monitor' | 'diagnostic';
  mainsHz: 50 | 60;
  patientId: string | null;
  operator: string | null;
  /** Recordings go to `<outDir>/<sessionId>/`. */
  outDir: string;
  api: SessionQueue;
  uploadEnabled: boolean;
  onEvent?: (event: SessionEvent) => void;
  /** Start the 2-s metrics and 1-s queue timers (default true; tests call tick() themselves). */
  timers?: boolean;
  now?: () => number;
}

/** The `session.json` document (CONTRACTS section 5; the report reads it). */
export interface SessionFile {
  session_id: string;
  started_at: string;
  ended_at: string | null;
  duration_s: number;
  device: { protocol: Protocol; source: string; serial: string };
  sample_rate_hz: number | null;
  leads: string[];
  filter: 'monitor' | 'diagnostic';
  mains_hz: 50 | 60;
  patient_id: string | null;
  operator: string | null;
  summary: SessionSummary;
}

/** Sortable, time-based: `20261124T165434Z-3f9a`. */
export function makeSessionId(date: Date = new Date(), random: () => number = Math.random): string {
  const stamp = date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const suffix = Math.floor(random() * 0x10000).toString(16).padStart(4, '0');
  return `${stamp}-${suffix}`;
}

/** Rates ECG devices commonly run at; a measured rate within 2 % of one is taken to be it. */
const COMMON_RATES_HZ = [100, 120, 125, 128, 200, 240, 250, 256, 300, 360, 400, 480, 500, 512, 1000, 1024];

/** A measured sample rate, snapped to a common one when it is that rate plus timing jitter. */
export function snapRateHz(measuredHz: number): number {
  let best: number | null = null;
  for (const rate of COMMON_RATES_HZ) {
    const off = Math.abs(measuredHz - rate);
    if (off <= rate * 0.02 && (best === null || off < Math.abs(measuredHz - best))) best = rate;
  }
  return best ?? Math.round(measuredHz);
}

/** Everything that exists once the sample rate and the leads are known. */
interface Running {
  fsHz: number;
  deviceLeads: string[];
  leads: string[];
  originSample: number;
  pipeline: Pipeline;
  recording: WfdbRecording;
  chunker: WaveformChunker;
  summary: SummaryBuilder;
}

export class Session {
  readonly state: LiveState;
  readonly dir: string;
  readonly commands: SessionCommands;
  private readonly startedAtMs: number;
  private readonly now: () => number;
  private running: Running | null = null;
  private device: LiveDevice | null = null;
  private pendingBlocks: SampleBlock[] = [];
  private readonly uploads = new Set<Promise<unknown>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private ticks = 0;
  private stopping: Promise<SessionSummary> | null = null;
  private readonly stopRequests: ((reason: string) => void)[] = [];
  private lastDeviceState: DeviceState = 'connecting';
  /** Set by a lost link; the next gap in the stream is the outage. */
  private reconnected = false;
  /** Session clock at the last block, null before the first. */
  private lastBlockAtMs: number | null = null;

  constructor(private readonly options: SessionOptions) {
    this.now = options.now ?? Date.now;
    this.startedAtMs = this.now();
    this.dir = join(options.outDir, options.sessionId);
    const leads = options.deviceLeads ? expandedLeadNames(options.deviceLeads) : [];
    this.state = {
      info: {
        sessionId: options.sessionId,
        startedAt: new Date(this.startedAtMs).toISOString(),
        protocol: options.protocol,
        source: options.source,
        nominalRateHz: options.rateHz ?? 0,
        leads,
        filter: options.filter,
        mainsHz: options.mainsHz,
        patientId: options.patientId,
        operator: options.operator,
      },
      revision: 0,
      device: { state: 'connecting', message: null, measuredRateHz: null, droppedFrames: 0, badFrames: 0, lastSampleAtMs: null },
      metrics: null,
      traces: [],
      beatSamples: [],
      queue: null,
      notice: null,
    };
    this.commands = {
      syncNow: () => this.runCommand('sync', async () => {
        await this.options.api.forceSync();
        return 'sync pass done';
      }),
      retryFailed: () => this.runCommand('retry', async () => `${await this.options.api.retryFailed()} failed item(s) back in the queue`),
      report: () => this.writeReport(),
      setMainsHz: (hz) => {
        this.state.info.mainsHz = hz;
        this.running?.pipeline.setMainsHz(hz);
        this.bump();
      },
      quit: () => this.requestStop('quit'),
    };
  }

  /** Seconds since the session started (wall clock). */
  elapsedS(): number {
    return (this.now() - this.startedAtMs) / 1000;
  }

  /** Listens to a device's blocks and state changes. */
  attach(device: LiveDevice): void {
    this.device = device;
    device.on('block', (block) => {
      try {
        this.onBlock(block);
      } catch (error) {
        log.error('session: a block could not be processed', error);
      }
    });
    device.on('state', (state, message) => this.onDeviceState(state, message));
  }

  /** Starts the metrics and queue timers; when the rate and leads are known, `session_start` now. */
  start(): void {
    this.writeSessionFile(null);
    if (this.options.timers !== false) {
      this.timers.push(setInterval(() => this.tick(), METRICS_EVERY_MS));
      this.timers.push(setInterval(() => void this.refreshQueue(), QUEUE_REFRESH_MS));
    }
    void this.refreshQueue();
  }

  /** Called when something (q, a signal, --duration) wants the session to end. */
  onStopRequest(listener: (reason: string) => void): void {
    this.stopRequests.push(listener);
  }

  requestStop(reason: string): void {
    for (const listener of this.stopRequests) listener(reason);
    if (this.stopRequests.length === 0) void this.stop(reason);
  }

  /** One metrics period: metrics item and event, device figures, `session.json`. */
  tick(): Metrics | null {
    // Before the first samples (or while an unknown rate is measured) there is nothing to report.
    if (!this.running || this.stopping) return null;
    const stats = this.deviceStats();
    const t = this.elapsedS();
    this.running.pipeline.noteDeviceStats(stats);
    const measured = this.running.pipeline.metrics(t);
    // With the device gone, or connected but silent, there is no signal: not the last heart rate
    // and quality until they age out.
    const silent = this.lastBlockAtMs !== null && this.now() - this.lastBlockAtMs >= NO_DATA_MS;
    if (silent && this.state.notice !== NO_DATA_MESSAGE && this.lastDeviceState !== 'reconnecting') {
      this.state.notice = NO_DATA_MESSAGE;
      log.warn(`session: ${NO_DATA_MESSAGE}`);
    }
    const noSignal = silent || this.lastDeviceState === 'reconnecting';
    const metrics = noSignal ? { ...measured, heartRateBpm: null, rrMs: null, signalQuality: 0, leadOff: true } : measured;
    this.running.summary.addMetrics(metrics);
    this.state.metrics = metrics;
    Object.assign(this.state.device, { measuredRateHz: stats.measuredRateHz, droppedFrames: stats.droppedFrames, badFrames: stats.badFrames });
    const event = metricsEvent(metrics);
    // Printed once durably queued, so what a reader has seen survives a kill.
    this.track(this.options.api.uploadMetrics(this.options.sessionId, metricsBody(event)), 'metrics', () => this.emit(event));
    this.running.recording.flush();
    this.writeSessionFile(null);
    this.ticks += 1;
    if (this.ticks % QUEUE_EVENT_EVERY_TICKS === 0) void this.refreshQueue(true);
    this.bump();
    return metrics;
  }

  /** Ends the session: last beats and samples written, `session_end` queued, files closed. Idempotent. */
  stop(reason: string): Promise<SessionSummary> {
    this.stopping ??= this.finish(reason);
    return this.stopping;
  }

  private async finish(reason: string): Promise<SessionSummary> {
    for (const timer of this.timers) clearInterval(timer);
    if (!this.running) {
      // Ended before the rate was settled (or before any sample): keep what did arrive.
      const measured = this.device?.stats().measuredRateHz ?? null;
      const first = this.pendingBlocks[0];
      const deviceLeads = first ? this.deviceLeadsFor(first) : this.device?.leads ?? this.options.deviceLeads ?? [];
      this.initialise(this.options.rateHz ?? (measured === null ? null : snapRateHz(measured)), deviceLeads, first?.firstSample ?? 0);
      for (const block of this.pendingBlocks.splice(0)) this.process(this.running!, block);
    }
    const run = this.running!;
    for (const beat of run.pipeline.flush()) this.recordBeat(run, beat.sample, beat.rrMs);
    const last = run.chunker.flush();
    if (last) this.track(this.options.api.uploadWaveform(this.options.sessionId, { ...last }), 'waveform');
    run.summary.noteDroppedFrames(this.deviceStats().droppedFrames);
    run.recording.close();
    const endedAt = new Date(this.now()).toISOString();
    const summary = run.summary.summary();
    this.writeSessionFile(endedAt);
    this.track(this.options.api.endSession(this.options.sessionId, { ended_at: endedAt, summary }), 'session_end');
    await this.settleUploads();
    if (this.options.uploadEnabled) {
      // A last pass so a short session reaches the backend now; whatever is left stays queued.
      const pass = this.options.api.forceSync().catch((error) => log.warn(`final sync: ${errorMessage(error)}`));
      await waitAtMost(pass, FINAL_SYNC_TIMEOUT_MS);
    }
    await this.refreshQueue(true);
    this.emit({ type: 'session_end', session_id: this.options.sessionId, ended_at: endedAt, reason, summary });
    log.info('session ended', { sessionId: this.options.sessionId, reason, summary });
    return summary;
  }

  private deviceStats(): DecoderStats {
    return this.device?.stats() ?? { frames: 0, badFrames: 0, droppedFrames: 0, discardedBytes: 0, measuredRateHz: null };
  }

  private onBlock(block: SampleBlock): void {
    if (this.stopping) return;
    if (!this.running) {
      this.pendingBlocks.push(block);
      // ascii without --rate: hold the blocks until the decoder has measured the rate for a while.
      const measuring = block.receivedAtMs - this.pendingBlocks[0]!.receivedAtMs < RATE_SETTLE_MS;
      const rateHz = this.options.rateHz ?? (measuring ? null : this.device?.stats().measuredRateHz ?? null);
      if (rateHz === null) return;
      this.initialise(this.options.rateHz ?? snapRateHz(rateHz), this.deviceLeadsFor(block), this.pendingBlocks[0]!.firstSample);
      const held = this.pendingBlocks;
      this.pendingBlocks = [];
      for (const b of held) this.process(this.running!, b);
      return;
    }
    this.process(this.running, block);
  }

  private initialise(rateHz: number | null, deviceLeads: string[], originSample: number): void {
    const fsHz = rateHz ?? 250;
    const leads = expandedLeadNames(deviceLeads);
    const pipeline = this.newPipeline(fsHz, leads, deviceLeads);
    mkdirSync(this.dir, { recursive: true, mode: SESSION_DIR_MODE });
    const recording = new WfdbRecording({
      dir: this.dir,
      recordName: this.options.sessionId,
      fsHz,
      leads,
      startedAt: new Date(this.startedAtMs),
    });
    this.running = {
      fsHz,
      deviceLeads,
      leads,
      originSample,
      pipeline,
      recording,
      chunker: new WaveformChunker(leads, fsHz, this.startedAtMs),
      summary: new SummaryBuilder(fsHz),
    };
    const capacity = Math.round(TRACE_SECONDS * fsHz);
    this.state.traces = leads.map((lead): TraceBuffer => ({ lead, samples: new Float32Array(capacity), written: 0, leadOff: false }));
    Object.assign(this.state.info, { nominalRateHz: fsHz, leads });
    const { sessionId, protocol, source, deviceSerial, patientId, operator } = this.options;
    const body = {
      session_id: sessionId,
      device_serial: deviceSerial,
      started_at: this.state.info.startedAt,
      ...(patientId ? { patient_id: patientId } : {}),
      ...(operator ? { operator } : {}),
      protocol,
      sample_rate_hz: fsHz,
      leads,
    };
    this.writeSessionFile(null);
    this.track(this.options.api.startSession(body), 'session_start', () => this.emit({
      type: 'session_start',
      session_id: sessionId,
      started_at: this.state.info.startedAt,
      protocol,
      source,
      device_serial: deviceSerial,
      sample_rate_hz: fsHz,
      leads,
      patient_id: patientId,
      operator,
      out_dir: this.dir,
    }));
    this.bump();
  }

  /** The device's channel names for this block's channel count (CH1..CHn where unnamed). */
  private deviceLeadsFor(block: SampleBlock): string[] {
    const named = this.device?.leads ?? this.options.deviceLeads;
    return named && named.length === block.channels.length ? named : leadNames(named, block.channels.length);
  }

  /** The leads past the device's own are the limb leads `deriveLeads` adds from I and II. */
  private newPipeline(fsHz: number, leads: readonly string[], deviceLeads: readonly string[]): Pipeline {
    return createPipeline({
      fsHz,
      leads: leads.length ? leads : ['II'],
      filter: this.options.filter,
      mainsHz: this.state.info.mainsHz,
      derivedLeads: leads.slice(deviceLeads.length),
    });
  }

  private process(run: Running, incoming: SampleBlock): void {
    const block = incoming.channels.length === run.deviceLeads.length ? deriveLeads(incoming, run.deviceLeads) : incoming;
    if (block.channels.length !== run.leads.length) {
      log.warn(`session: block with ${block.channels.length} channels ignored (expected ${run.leads.length})`);
      return;
    }
    const expected = run.recording.sampleCount;
    const start = block.firstSample - run.originSample;
    if (start > expected) {
      this.markGap(run, expected, start);
      if (this.reconnected) {
        // A fresh start after an outage: RR intervals and filters must not span the gap.
        for (const beat of run.pipeline.flush()) this.recordBeat(run, beat.sample, beat.rrMs);
        run.pipeline = this.newPipeline(run.fsHz, run.leads, run.deviceLeads);
      }
    }
    this.reconnected = false;
    const skip = Math.max(0, expected - start);
    const count = block.sampleCount - skip;
    if (count <= 0) return;
    const raw = skip ? block.channels.map((c) => c.subarray(skip)) : block.channels;
    const { beats, filtered } = run.pipeline.push(block);
    const at = start + skip;
    run.recording.appendSamples(raw, count);
    const leadOff = block.leadOff.some(Boolean);
    run.summary.addSamples(at, count, leadOff);
    for (const chunk of run.chunker.push(at, raw, count)) this.track(this.options.api.uploadWaveform(this.options.sessionId, { ...chunk }), 'waveform');
    this.state.traces.forEach((trace, l) => {
      this.writeTrace(trace, filtered[l]!, filtered[l]!.length);
      trace.leadOff = block.leadOff[l] ?? false;
    });
    for (const beat of beats) this.recordBeat(run, beat.sample, beat.rrMs);
    this.state.device.lastSampleAtMs = block.receivedAtMs;
    this.lastBlockAtMs = this.now();
    if (this.state.notice === NO_DATA_MESSAGE) this.state.notice = null;
    if (this.lastDeviceState !== 'connected') this.onDeviceState('connected', null);
    this.bump();
  }

  /** No samples between `from` and `to`: "no data" in the recording, a flat line on screen. */
  private markGap(run: Running, from: number, to: number): void {
    const count = to - from;
    run.recording.appendGap(count);
    // Single dropped frames are counted as such; only a real outage is listed and annotated.
    if (count >= MIN_LISTED_GAP_S * run.fsHz) {
      run.recording.appendNote(from, `gap ${(count / run.fsHz).toFixed(2)} s`);
      run.summary.addGap(from, to);
    }
    for (const trace of this.state.traces) {
      const size = trace.samples.length;
      const held = trace.written ? trace.samples[(trace.written - 1) % size]! : 0;
      const fill = Math.min(count, size);
      for (let i = 0; i < fill; i += 1) trace.samples[(trace.written + count - fill + i) % size] = held;
      trace.written += count;
    }
    log.info(`session: gap of ${count} samples at ${from}`);
  }

  private writeTrace(trace: TraceBuffer, values: Float32Array, count: number): void {
    const size = trace.samples.length;
    for (let i = 0; i < count; i += 1) trace.samples[(trace.written + i) % size] = values[i]!;
    trace.written += count;
  }

  private recordBeat(run: Running, streamSample: number, rrMs: number | null): void {
    const sample = streamSample - run.originSample;
    run.recording.appendBeat(sample);
    run.summary.addBeat(rrMs);
    const beats = this.state.beatSamples;
    beats.push(sample);
    const oldest = (this.state.traces[0]?.written ?? 0) - (this.state.traces[0]?.samples.length ?? 0);
    while (beats.length > 0 && beats[0]! < oldest) beats.shift();
  }

  private onDeviceState(
    raw: DeviceState | { state: DeviceState; message?: string | null },
    message?: string | null,
  ): void {
    const state = typeof raw === 'string' ? raw : raw.state;
    const text = (typeof raw === 'string' ? message : raw.message) ?? (state === 'reconnecting' ? DISCONNECT_MESSAGE : null);
    if (state === this.lastDeviceState && text === this.state.device.message) return;
    const wasReconnecting = this.lastDeviceState === 'reconnecting';
    if (state === 'reconnecting') this.reconnected = true;
    if (state === 'reconnecting' && !wasReconnecting) {
      this.running?.summary.noteDisconnect();
      if (this.running) this.running.recording.appendNote(this.running.recording.sampleCount, 'device disconnected');
    }
    this.lastDeviceState = state;
    this.state.device.state = state;
    this.state.device.message = text;
    this.state.notice = state === 'reconnecting' ? DISCONNECT_MESSAGE : this.state.notice === DISCONNECT_MESSAGE ? 'device reconnected' : this.state.notice;
    // Opening and closing are routine; only a lost link and its return are news.
    if (state === 'reconnecting' || (state === 'connected' && wasReconnecting)) {
      this.emit({ type: 'device', state, message: text ?? 'device reconnected', t: Math.round(this.elapsedS() * 1000) / 1000 });
    }
    log.info(`device ${state}${text ? `: ${text}` : ''}`);
    this.bump();
  }

  private async refreshQueue(print = false): Promise<void> {
    try {
      const stats = await this.options.api.getQueueStats();
      this.state.queue = stats;
      this.bump();
      if (print) this.emit({ type: 'queue', ...stats });
    } catch (error) {
      log.warn(`queue stats: ${errorMessage(error)}`);
    }
  }

  private async writeReport(): Promise<string> {
    const { writeLiveReport } = await import('../report/live.js');
    const stamp = new Date(this.now()).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const written = await writeLiveReport(this.state, {
      pdfPath: join(this.dir, `report-${stamp}.pdf`),
      summary: this.running?.summary.summary(),
    });
    this.track(this.options.api.uploadReport(this.options.sessionId, written.pdf, { ...written.metadata }), 'report');
    this.state.notice = `report written: ${written.pdfPath}`;
    this.bump();
    return written.pdfPath;
  }

  private runCommand(name: string, action: () => Promise<string>): void {
    this.state.notice = `${name}…`;
    this.bump();
    action().then(
      (message) => (this.state.notice = message),
      (error) => {
        this.state.notice = `${name} failed: ${errorMessage(error)}`;
        log.warn(`${name}: ${errorMessage(error)}`, error);
      },
    ).finally(() => {
      this.bump();
      void this.refreshQueue();
    });
  }

  /** Keeps an enqueue in flight until it settles; stop() waits for all of them. */
  private track(upload: Promise<unknown>, what: string, then?: () => void): void {
    const tracked = upload
      .then(
        () => undefined,
        (error) => {
          this.state.notice = `could not queue ${what}: ${errorMessage(error)}`;
          log.error(`queueing ${what} failed`, error);
        },
      )
      .then(then);
    this.uploads.add(tracked);
    void tracked.finally(() => this.uploads.delete(tracked));
  }

  private async settleUploads(): Promise<void> {
    while (this.uploads.size > 0) await Promise.all([...this.uploads]);
  }

  private writeSessionFile(endedAt: string | null): void {
    const run = this.running;
    const { sessionId, protocol, source, deviceSerial, filter, patientId, operator } = this.options;
    const summary = run ? run.summary.summary() : emptySummary();
    const document: SessionFile = {
      session_id: sessionId,
      started_at: this.state.info.startedAt,
      ended_at: endedAt,
      duration_s: summary.duration_s,
      device: { protocol, source, serial: deviceSerial },
      sample_rate_hz: run ? run.fsHz : this.options.rateHz,
      leads: run ? run.leads : this.state.info.leads,
      filter,
      mains_hz: this.state.info.mainsHz,
      patient_id: patientId,
      operator,
      summary,
    };
    const path = join(this.dir, 'session.json');
    try {
      mkdirSync(this.dir, { recursive: true, mode: SESSION_DIR_MODE });
      writeFileSync(`${path}.tmp`, JSON.stringify(document, null, 2) + '\n', { mode: 0o600 });
      renameSync(`${path}.tmp`, path);
    } catch (error) {
      log.error('writing session.json failed', error);
    }
  }

  private emit(event: SessionEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch (error) {
      log.warn(`event output: ${errorMessage(error)}`);
    }
  }

  private bump(): void {
    this.state.revision += 1;
  }
}
