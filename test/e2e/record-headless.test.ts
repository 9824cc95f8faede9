/**
 * `record --no-tui --json` on a real pty: the project's simulator writes a 75 bpm synthetic ECG
 * into one end of a socat pair, the recorder reads the other. Run `npx tsc -p .` first.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { readAnnotations, isBeatCode } from '../../src/formats/annotations.js';
import { readRecord, signalMicrovolts } from '../../src/formats/wfdb.js';
import { startTestBackend } from '../helpers/backend.js';
import { countByType, queueList, spawnCli, startPtyPair, tempDir } from '../session/e2e-helpers.js';

const METRICS_FIELDS = [
  'dropped_frames',
  'heart_rate',
  'lead_off',
  'measured_rate_hz',
  'pr_ms',
  'qrs_ms',
  'qt_ms',
  'qtc_ms',
  'rr_ms',
  'signal_quality',
  't',
  'type',
].sort();

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** socat + `simulate` + `record` for `durationS`; returns the recorder's events and dirs. */
async function recordFromPty(name: string, durationS: number, env: Record<string, string> = {}, extraArgs: string[] = []) {
  const temp = tempDir(name);
  cleanups.push(temp.remove);
  const pty = await startPtyPair(temp.dir);
  cleanups.push(() => pty.stop());
  const simulator = spawnCli(['simulate', '--port', pty.device, '--hr', '75', '--protocol', 'ascii'], { cwd: temp.dir });
  cleanups.push(() => simulator.kill('SIGKILL'));
  const queueDir = join(temp.dir, 'queue');
  const outDir = join(temp.dir, 'out');
  const recorder = spawnCli(
    ['record', '--port', pty.host, '--protocol', 'ascii', '--leads', 'II', '--no-tui', '--json', '--duration', `${durationS}s`, '--queue-dir', queueDir, '--out', outDir, ...extraArgs],
    { cwd: temp.dir, env },
  );
  cleanups.push(() => recorder.kill('SIGKILL'));
  const exit = await recorder.exited;
  simulator.kill();
  return { exit, recorder, queueDir, outDir, cwd: temp.dir };
}

describe.concurrent('record --no-tui --json from a serial pty', () => {
  test('measures 75 bpm, prints the events, queues every item and writes a readable recording', async () => {
    // The rate is given: on a loaded machine a 2-s rate estimate is not a fixed point to test against.
    const { exit, recorder, queueDir, outDir, cwd } = await recordFromPty('headless', 20, {}, ['--rate', '500']);
    expect(recorder.stderr()).toBe('');
    expect(exit.code).toBe(0);

    const events = recorder.events();
    const types = events.map((event) => event.type);
    expect(types[0]).toBe('session_start');
    expect(types.at(-1)).toBe('session_end');
    expect(types).toContain('queue');
    const start = events[0]!;
    const sessionId = start.session_id as string;
    expect(start).toMatchObject({ protocol: 'ascii', sample_rate_hz: 500, leads: ['II'] });

    const metrics = events.filter((event) => event.type === 'metrics');
    expect(metrics.length).toBeGreaterThanOrEqual(9);
    expect(metrics.length).toBeLessThanOrEqual(11);
    for (const event of metrics) expect(Object.keys(event).sort()).toEqual(METRICS_FIELDS);
    // The rate meter averages 12 beats: judge it once it has them.
    const settled = metrics.filter((event) => (event.t as number) >= 12);
    expect(settled.length).toBeGreaterThan(0);
    for (const event of settled) expect(Math.abs((event.heart_rate as number) - 75)).toBeLessThanOrEqual(2);

    const end = events.at(-1)! as { summary: Record<string, unknown> };
    expect(Math.abs((end.summary.heart_rate_mean as number) - 75)).toBeLessThanOrEqual(3);
    expect(end.summary.beats).toBeGreaterThanOrEqual(20);
    expect(end.summary.duration_s).toBeGreaterThan(18);

    const counts = countByType(await queueList(cwd, queueDir));
    expect(counts.session_start).toBe(1);
    expect(counts.session_end).toBe(1);
    expect(counts.metrics).toBe(metrics.length);
    expect(counts.waveform).toBeGreaterThanOrEqual(2);
    expect(counts.waveform).toBeLessThanOrEqual(3);

    const dir = join(outDir, sessionId);
    const record = readRecord(join(dir, `${sessionId}.hea`));
    expect(record.header.fsHz).toBe(500);
    expect(record.header.signals.map((s) => s.description)).toEqual(['II']);
    expect(record.header.sampleCount).toBeGreaterThan(18 * 500);
    const uV = signalMicrovolts(record, 0);
    expect(Math.max(...uV.subarray(0, 5000)) - Math.min(...uV.subarray(0, 5000))).toBeGreaterThan(500);
    const beats = readAnnotations(join(dir, `${sessionId}.atr`), 500).filter((a) => isBeatCode(a.code));
    expect(beats.length).toBe(end.summary.beats);

    const sessionFile = JSON.parse(readFileSync(join(dir, 'session.json'), 'utf8'));
    expect(sessionFile).toMatchObject({ session_id: sessionId, sample_rate_hz: 500, leads: ['II'], device: { protocol: 'ascii' } });
    expect(sessionFile.ended_at).toEqual(expect.any(String));
    expect(sessionFile.summary.beats).toBe(end.summary.beats);
  }, 120_000);

  test('with uploads on (and the ascii rate estimated), the items reach a real backend', async () => {
    const backend = await startTestBackend({ apiKey: 'test-key' });
    cleanups.push(() => backend.close());
    const { exit, recorder } = await recordFromPty('upload', 8, {
      BACKEND_UPLOAD_ENABLED: 'true',
      BACKEND_API_URL: backend.url,
      BACKEND_API_KEY: 'test-key',
      SYNC_INTERVAL_S: '1',
    });
    expect(exit.code).toBe(0);
    const sessionId = recorder.events()[0]!.session_id;
    const received = backend.received().filter((item) => item.session_id === sessionId || (item.body as { session_id?: string }).session_id === sessionId);
    const types = new Set(received.map((item) => item.type));
    expect([...types].sort()).toEqual(['metrics', 'session_end', 'session_start', 'waveform']);
    const waveform = received.find((item) => item.type === 'waveform')!;
    expect(waveform.content_encoding).toBe('gzip');
    const body = waveform.body as { units: string; sample_rate_hz: number; leads: Record<string, number[]> };
    expect(body.units).toBe('uV');
    expect(body.sample_rate_hz).toBeGreaterThan(450);
    expect(body.leads.II!.every((v) => Number.isInteger(v))).toBe(true);
    expect([...backend.countsByKey().values()].every((n) => n === 1)).toBe(true);
  }, 120_000);
});
