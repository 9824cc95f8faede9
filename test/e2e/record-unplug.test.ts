/**
 * Unplug: the socat pair dies mid-session and comes back on the same link names. The session
 * survives, says so, resumes and ends cleanly with the gap in its summary. Run `npx tsc -p .` first.
 */
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { readRecord } from '../../src/formats/wfdb.js';
import { spawnCli, startPtyPair, tempDir, waitFor, type PtyPair, type RunningCli } from '../session/e2e-helpers.js';

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

test('a session survives the device going away and coming back', async () => {
  const temp = tempDir('unplug');
  cleanups.push(temp.remove);
  let pty: PtyPair = await startPtyPair(temp.dir);
  cleanups.push(() => pty.stop());
  const startSimulator = () => {
    const simulator = spawnCli(['simulate', '--port', pty.device, '--hr', '70', '--protocol', 'p2'], { cwd: temp.dir });
    cleanups.push(() => simulator.kill('SIGKILL'));
    return simulator;
  };
  let simulator: RunningCli = startSimulator();
  const outDir = join(temp.dir, 'out');
  const recorder = spawnCli(
    ['record', '--port', pty.host, '--protocol', 'p2', '--leads', 'I,II', '--no-tui', '--json', '--duration', '18s', '--session-id', 'unplug', '--queue-dir', join(temp.dir, 'queue'), '--out', outDir],
    { cwd: temp.dir },
  );
  cleanups.push(() => recorder.kill('SIGKILL'));
  const metricsCount = () => recorder.events().filter((e) => e.type === 'metrics').length;
  await waitFor('2 metrics', () => metricsCount() >= 2, 45_000);

  await pty.stop('SIGKILL');
  simulator.kill('SIGKILL');
  await waitFor('the disconnect event', () => recorder.events().find((e) => e.type === 'device' && e.state === 'reconnecting')).catch((error) => {
    throw new Error(`${error}\n${recorder.stdout()}\n${recorder.stderr()}`);
  });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  pty = await startPtyPair(temp.dir);
  simulator = startSimulator();
  await waitFor('the reconnect event', () => recorder.events().find((e) => e.type === 'device' && e.state === 'connected'), 15_000);

  const exit = await recorder.exited;
  expect(recorder.stderr()).toBe('');
  expect(exit.code).toBe(0);
  const events = recorder.events();
  expect(events.find((e) => e.type === 'device' && e.state === 'reconnecting')).toMatchObject({ message: 'device disconnected, reconnecting…' });
  const reconnectedAt = events.find((e) => e.type === 'device' && e.state === 'connected')!.t as number;
  // Metrics keep coming, and beats are found again after the device is back.
  const after = events.filter((e) => e.type === 'metrics' && (e.t as number) > reconnectedAt + 6);
  const ratesAfter = after.map((e) => e.heart_rate as number | null);
  expect(ratesAfter.some((bpm) => bpm !== null && Math.abs(bpm - 70) <= 3), `heart rates after: ${ratesAfter}`).toBe(true);
  const end = events.at(-1) as { type: string; summary: { disconnects: number; gaps: { start_s: number; end_s: number }[]; gap_s: number; duration_s: number } };
  expect(end.type).toBe('session_end');
  expect(end.summary.disconnects).toBe(1);
  expect(end.summary.gaps.length).toBeGreaterThanOrEqual(1);
  expect(end.summary.gap_s).toBeGreaterThan(1);
  // The recording keeps real time: its length covers the whole session, gap included.
  const record = readRecord(join(outDir, 'unplug', 'unplug.hea'));
  expect(record.header.signals.map((s) => s.description)).toEqual(['I', 'II', 'III', 'aVR', 'aVL', 'aVF']);
  expect(record.header.sampleCount! / 256).toBeGreaterThan(15);
  expect(Math.abs(record.header.sampleCount! / 256 - end.summary.duration_s)).toBeLessThan(0.01);
}, 150_000);
