/**
 * Ending `record` from outside: SIGTERM and SIGINT end it cleanly (session_end queued, files
 * closed); SIGKILL loses nothing already written. Run `npx tsc -p .` first.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { isBeatCode, readAnnotations } from '../../src/formats/annotations.js';
import { readRecord } from '../../src/formats/wfdb.js';
import { countByType, queueList, spawnCli, tempDir, waitFor } from '../session/e2e-helpers.js';

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** `record --simulate` printing NDJSON, until `metricsWanted` metrics events were printed. */
async function startRecording(name: string, metricsWanted: number) {
  const temp = tempDir(name);
  cleanups.push(temp.remove);
  const queueDir = join(temp.dir, 'queue');
  const outDir = join(temp.dir, 'out');
  const recorder = spawnCli(
    ['record', '--simulate', 'synthetic', '--protocol', 'openbci', '--no-tui', '--json', '--session-id', name, '--queue-dir', queueDir, '--out', outDir],
    { cwd: temp.dir },
  );
  cleanups.push(() => recorder.kill('SIGKILL'));
  await waitFor(`${metricsWanted} metrics events`, () => recorder.events().filter((e) => e.type === 'metrics').length >= metricsWanted, 60_000);
  return { recorder, queueDir, dir: join(outDir, name), cwd: temp.dir };
}

describe.concurrent('record ends on signals', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`${signal}: session_end queued and printed, recording closed, exit 0`, async () => {
      const name = `sig-${signal.toLowerCase()}`;
      const { recorder, queueDir, dir, cwd } = await startRecording(name, 2);
      recorder.kill(signal);
      const exit = await recorder.exited;
      expect(exit.code).toBe(0);
      const last = recorder.events().at(-1)!;
      expect(last).toMatchObject({ type: 'session_end', reason: signal, session_id: name });
      const counts = countByType(await queueList(cwd, queueDir));
      expect(counts.session_start).toBe(1);
      expect(counts.session_end).toBe(1);
      expect(counts.waveform).toBeGreaterThanOrEqual(1);
      // Closed: the header has the final sample count (openbci: 250 Hz).
      const record = readRecord(join(dir, `${name}.hea`));
      const header = readFileSync(join(dir, `${name}.hea`), 'utf8').split('\n')[0]!;
      expect(header.split(' ').length).toBeGreaterThan(3);
      // Metrics come on the wall clock, so two of them mean about 4 s of samples, not exactly 1000.
      expect(record.header.sampleCount).toBeGreaterThanOrEqual(3 * 250);
      expect(record.header.sampleCount).toBe(Math.round((last as { summary: { duration_s: number } }).summary.duration_s * 250));
      expect(JSON.parse(readFileSync(join(dir, 'session.json'), 'utf8')).ended_at).toEqual(expect.any(String));
    }, 120_000);
  }

  test('SIGKILL: the recording, session.json and the queue read back', async () => {
    const name = 'sig-kill';
    const { recorder, queueDir, dir, cwd } = await startRecording(name, 3);
    recorder.kill('SIGKILL');
    const exit = await recorder.exited;
    expect(exit.signal).toBe('SIGKILL');
    const record = readRecord(join(dir, `${name}.hea`));
    // Header still without a count: readers take every frame in the .dat.
    expect(record.header.sampleCount).toBeGreaterThanOrEqual(5 * 250);
    expect(record.header.signals.length).toBe(12);
    const beats = readAnnotations(join(dir, `${name}.atr`), 250).filter((a) => isBeatCode(a.code));
    expect(beats.length).toBeGreaterThanOrEqual(3);
    expect(beats.every((b) => b.sample < record.header.sampleCount!)).toBe(true);
    const session = JSON.parse(readFileSync(join(dir, 'session.json'), 'utf8'));
    expect(session.ended_at).toBeNull();
    expect(session.summary.duration_s).toBeGreaterThan(3);
    const counts = countByType(await queueList(cwd, queueDir));
    expect(counts.session_start).toBe(1);
    expect(counts.metrics).toBeGreaterThanOrEqual(3);
    expect(counts.session_end).toBeUndefined();
  }, 120_000);
});
