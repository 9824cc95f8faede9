/**
 * The session with a real queue and real files, fed synthetic blocks by a small test driver
 * (the timers are off: the test calls tick() every 2 s of signal, with a clock that follows it).
 */
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createSyntheticEcg } from '../../src/device/synthetic.js';
import type { DecoderStats, DeviceState, SampleBlock } from '../../src/device/types.js';
import { isBeatCode, readAnnotations } from '../../src/formats/annotations.js';
import { readRecord } from '../../src/formats/wfdb.js';
import { createBackendApi, type BackendApi } from '../../src/queue/backend-api.js';
import type { SessionEvent } from '../../src/session/events.js';
import { makeSessionId, NO_DATA_MESSAGE, Session, snapRateHz } from '../../src/session/session.js';
import { tempDir } from './e2e-helpers.js';

class TestDevice extends EventEmitter {
  droppedFrames = 0;
  stats(): DecoderStats {
    return { frames: 0, badFrames: 0, droppedFrames: this.droppedFrames, discardedBytes: 0, measuredRateHz: 500 };
  }
  state(state: DeviceState, message: string | null = null) {
    this.emit('state', state, message);
  }
}

const FS = 500;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setup(options: { leads?: string[]; rateHz?: number | null } = {}) {
  const temp = tempDir('session');
  cleanups.push(temp.remove);
  const config = loadConfig({ env: {}, flags: { queueDir: join(temp.dir, 'queue') }, cwd: temp.dir });
  const api: BackendApi = createBackendApi(config, { background: false, uploadTimeoutMs: 0 });
  cleanups.push(() => api.close());
  let nowMs = Date.parse('2026-03-01T10:00:00Z');
  const events: SessionEvent[] = [];
  const session = new Session({
    sessionId: 'S1',
    protocol: 'openbci',
    source: 'test',
    deviceSerial: 'test-serial',
    deviceLeads: options.leads ?? ['I', 'II'],
    rateHz: options.rateHz === undefined ? FS : options.rateHz,
    filter: 'monitor',
    mainsHz: 50,
    patientId: 'P7',
    operator: null,
    outDir: join(temp.dir, 'out'),
    api,
    uploadEnabled: false,
    timers: false,
    now: () => nowMs,
    onEvent: (event) => events.push(event),
  });
  const device = new TestDevice();
  session.attach(device);
  session.start();
  const ecg = createSyntheticEcg({ fsHz: FS, hrBpm: 80, leads: ['I', 'II'], seed: 3 });
  let next = 0;
  /** Feeds `seconds` of signal in 20-ms blocks, ticking every 2 s; `skip` samples are lost first. */
  const feed = (seconds: number, skip = 0) => {
    if (skip) {
      ecg.next(skip);
      next += skip;
      nowMs += (skip / FS) * 1000;
    }
    const blocks = Math.round((seconds * FS) / 10);
    for (let b = 0; b < blocks; b += 1) {
      const block: SampleBlock = { firstSample: next, sampleCount: 10, channels: ecg.next(10), leadOff: [false, false], receivedAtMs: nowMs };
      next += 10;
      nowMs += 20;
      device.emit('block', block);
      if (next % (2 * FS) === 0) session.tick();
    }
  };
  /** The clock moves on with no blocks: a device still connected but silent. */
  const wait = (seconds: number) => {
    nowMs += seconds * 1000;
  };
  return { session, api, events, feed, wait, device, dir: join(temp.dir, 'out', 'S1') };
}

describe('Session', () => {
  test('queues session_start, metrics every 2 s, a waveform per 10 s and session_end; files agree', async () => {
    const { session, api, events, feed, dir } = setup();
    feed(25);
    const summary = await session.stop('test');
    const items = await api.getPendingItems();
    const count = (type: string) => items.filter((item) => item.type === type).length;
    expect(count('session_start')).toBe(1);
    expect(count('metrics')).toBe(12);
    expect(count('waveform')).toBe(3); // 0-10 s, 10-20 s, and the 5 s left at the end
    expect(count('session_end')).toBe(1);
    expect(items.every((item) => item.session_id === 'S1')).toBe(true);

    expect(session.state.info.leads).toEqual(['I', 'II', 'III', 'aVR', 'aVL', 'aVF']);
    expect(session.state.traces.map((t) => t.written)).toEqual(Array(6).fill(25 * FS));
    expect(Math.abs(summary.heart_rate_mean! - 80)).toBeLessThanOrEqual(1);
    expect(summary.duration_s).toBe(25);
    expect(summary.beats).toBeGreaterThanOrEqual(31);

    expect(events.find((e) => e.type === 'session_start')).toMatchObject({ type: 'session_start', sample_rate_hz: FS, patient_id: 'P7', leads: session.state.info.leads });
    expect(events.filter((e) => e.type === 'metrics').length).toBe(12);
    expect(events.at(-1)).toMatchObject({ type: 'session_end', reason: 'test', summary });

    const record = readRecord(join(dir, 'S1.hea'));
    expect(record.header.sampleCount).toBe(25 * FS);
    expect(record.header.signals.map((s) => s.description)).toEqual(session.state.info.leads);
    const beats = readAnnotations(join(dir, 'S1.atr'), FS).filter((a) => isBeatCode(a.code));
    expect(beats.length).toBe(summary.beats);
    // The beats on screen are the recording's latest ones, in the same sample numbering.
    expect(beats.map((b) => b.sample).slice(-session.state.beatSamples.length)).toEqual(session.state.beatSamples);
    // Patient data: the session directory is the user's alone, and so is session.json.
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'session.json')).mode & 0o777).toBe(0o600);
    const file = JSON.parse(readFileSync(join(dir, 'session.json'), 'utf8'));
    expect(file).toMatchObject({ session_id: 'S1', sample_rate_hz: FS, mains_hz: 50, patient_id: 'P7', device: { serial: 'test-serial' }, summary: { beats: summary.beats } });
  });

  test('a device gap is kept in real time: no data in the recording, a gap and a disconnect in the summary', async () => {
    const { session, feed, device, events, dir } = setup();
    feed(6);
    device.state('reconnecting', null);
    // While the device is gone the metrics say so at once: no heart rate, no usable signal.
    expect(session.tick()).toMatchObject({ heartRateBpm: null, rrMs: null, signalQuality: 0, leadOff: true });
    feed(6, 3 * FS);
    expect(session.state.metrics).toMatchObject({ leadOff: false });
    expect(session.state.metrics?.heartRateBpm).toBeGreaterThan(70);
    expect(session.state.metrics?.signalQuality).toBeGreaterThan(0.5);
    const summary = await session.stop('test');
    expect(events.some((e) => e.type === 'device' && e.state === 'reconnecting' && e.message === 'device disconnected, reconnecting…')).toBe(true);
    expect(events.some((e) => e.type === 'device' && e.state === 'connected')).toBe(true);
    expect(summary.gaps).toEqual([{ start_s: 6, end_s: 9 }]);
    expect(summary.disconnects).toBe(1);
    expect(summary.duration_s).toBe(15);
    const record = readRecord(join(dir, 'S1.hea'));
    expect(record.header.sampleCount).toBe(15 * FS);
    const lead = record.digital[1]!;
    expect(lead[7 * FS]).toBe(record.invalidValue[1]);
    expect(lead[10 * FS]).not.toBe(record.invalidValue[1]);
    const notes = readAnnotations(join(dir, 'S1.atr'), FS).filter((a) => !isBeatCode(a.code));
    expect(notes.map((n) => n.aux)).toEqual(expect.arrayContaining(['device disconnected', 'gap 3.00 s']));
    // After the gap, beats are found again.
    expect(session.state.beatSamples.some((s) => s > 10 * FS)).toBe(true);
  });

  test('a connected device that goes silent: metrics blank after 5 s and a notice says why, until data returns', async () => {
    const { session, feed, wait } = setup();
    feed(8);
    wait(4);
    // Four seconds of silence: still within what a slow link or a held lead can explain.
    expect(session.tick()?.heartRateBpm).toBeGreaterThan(70);
    wait(2);
    expect(session.tick()).toMatchObject({ heartRateBpm: null, rrMs: null, signalQuality: 0, leadOff: true });
    expect(session.state.notice).toBe(NO_DATA_MESSAGE);
    feed(8);
    expect(session.state.notice).toBeNull();
    expect(session.state.metrics).toMatchObject({ leadOff: false });
    expect(session.state.metrics?.heartRateBpm).toBeGreaterThan(70);
    await session.stop('test');
  });

  test('dropped frames: heart rate unaffected, counted but not listed as gaps, recording keeps real time', async () => {
    const { session, feed, device } = setup();
    // 63 x 400 ms, one frame lost before each, as a lossy OpenBCI link does.
    for (let i = 0; i < 63; i += 1) feed(0.4, 1);
    device.droppedFrames = 62;
    const summary = await session.stop('test');
    expect(Math.abs(summary.heart_rate_mean! - 80)).toBeLessThanOrEqual(1);
    expect(summary.gaps).toEqual([]);
    expect(summary.dropped_frames).toBe(62);
    // The first lost frame comes before the session's first sample.
    expect(summary.duration_s).toBeCloseTo(63 * 0.4 + 62 / FS, 3);
  });

  test('unknown rate: blocks wait for the measurement; a session ending first still keeps them', async () => {
    const { session, feed, api, events } = setup({ rateHz: null });
    feed(1);
    expect(events.some((e) => e.type === 'session_start')).toBe(false);
    const summary = await session.stop('test');
    expect(summary.duration_s).toBe(1);
    expect(events.find((e) => e.type === 'session_start')).toMatchObject({ sample_rate_hz: 500 });
    expect((await api.getPendingItems()).map((item) => item.type).sort()).toEqual(['session_end', 'session_start', 'waveform']);
  });

  test('session.json exists from the start and is complete before the end', async () => {
    const { session, feed, dir } = setup();
    feed(4);
    const early = JSON.parse(readFileSync(join(dir, 'session.json'), 'utf8'));
    expect(early.ended_at).toBeNull();
    expect(early.summary.duration_s).toBeGreaterThan(3);
    expect(existsSync(join(dir, 'S1.dat'))).toBe(true);
    await session.stop('test');
  });

  test('setMainsHz reaches the state; stop is idempotent', async () => {
    const { session, feed } = setup();
    feed(2);
    session.commands.setMainsHz(60);
    expect(session.state.info.mainsHz).toBe(60);
    const [a, b] = await Promise.all([session.stop('one'), session.stop('two')]);
    expect(a).toBe(b);
  });
});

describe('helpers', () => {
  test('session ids sort by time', () => {
    const a = makeSessionId(new Date('2026-01-02T03:04:05.678Z'), () => 0.5);
    const b = makeSessionId(new Date('2026-01-02T03:04:06Z'), () => 0);
    expect(a).toBe('20260102T030405Z-8000');
    expect([b, a].sort()).toEqual([a, b]);
  });

  test('a measured rate snaps to the common rate it is near, else is rounded', () => {
    expect(snapRateHz(501.3)).toBe(500);
    expect(snapRateHz(255.2)).toBe(256);
    expect(snapRateHz(249.4)).toBe(250);
    expect(snapRateHz(700.4)).toBe(700);
  });
});
