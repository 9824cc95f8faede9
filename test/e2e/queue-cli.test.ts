import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestBackend, type TestBackend } from '../helpers/backend.js';
import { runCli } from '../helpers/queue-cli.js';

const START = { session_id: 'S1', started_at: '2026-01-01T00:00:00Z', protocol: 'ascii', sample_rate_hz: 250, leads: ['II'] };
const METRICS = { t: 2, heart_rate: 72, rr_ms: 833, pr_ms: 160, qrs_ms: 90, qt_ms: 380, qtc_ms: 416, signal_quality: 0.9 };
const LIST_FIELDS = ['bytes', 'id', 'last_error', 'priority', 'queued_at', 'retry_count', 'session_id', 'state', 'type'].sort();

let dir: string;
let backend: TestBackend;
let env: Record<string, string>;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ecg-queue-cli-'));
  backend = await startTestBackend();
  env = {
    ECG_QUEUE_DIR: join(dir, 'queue'), BACKEND_UPLOAD_ENABLED: 'true', BACKEND_API_URL: backend.url, ECG_LOG_FILE: join(dir, 'log'),
  };
});
afterEach(async () => {
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCli(args, { cwd: dir, env });
const json = async (...args: string[]) => {
  const result = await cli(...args);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as unknown;
};

describe('ecg-monitor queue', () => {
  it('push, list, show, stats, sync, retry-failed and clear-synced', async () => {
    writeFileSync(join(dir, 'start.json'), JSON.stringify(START));
    writeFileSync(join(dir, 'report.pdf'), '%PDF-1.4\n% test\n%%EOF\n');
    const start = (await json('queue', 'push', '--type', 'session_start', '--file', 'start.json', '--json')) as { id: string };
    const reportPush = await cli('queue', 'push', '--type', 'report', '--file', 'report.pdf', '--session-id', 'S1');
    expect(reportPush.stdout).toMatch(/^queued report /);
    // The same metadata fields as a report the program writes itself (src/report/metadata.ts).
    const reportId = reportPush.stdout.trim().split(' ').pop()!;
    expect(((await json('queue', 'show', reportId)) as { metadata: unknown }).metadata).toEqual({ session_id: 'S1', filename: 'report.pdf' });
    const listed = (await json('queue', 'list', '--json')) as Record<string, unknown>[];
    expect(listed.map((item) => item.type)).toEqual(['session_start', 'report']);
    expect(Object.keys(listed[0]!).sort()).toEqual(LIST_FIELDS);
    expect(listed[0]).toMatchObject({ id: start.id, priority: 1, state: 'pending', retry_count: 0, last_error: null, session_id: 'S1' });

    const shown = (await json('queue', 'show', start.id)) as Record<string, unknown>;
    expect(shown).toMatchObject({ id: start.id, content_type: 'application/json', payload: START });
    expect(await json('queue', 'show', start.id, '--json')).toEqual(shown);

    const stats = await json('queue', 'stats', '--json');
    expect(stats).toMatchObject({ total_queued: 2, total_synced: 0, total_failed: 0, pending_count: 2, queue_dir: join(dir, 'queue') });
    expect(typeof (stats as { is_online: unknown }).is_online).toBe('boolean');

    expect(await json('queue', 'sync', '--json')).toMatchObject({ delivered: 2, failed: 0, pending_count: 0, stopped: null });
    expect(backend.received().map((item) => item.type)).toEqual(['session_start', 'report']);
    expect(backend.received()[1]!.file_bytes).toBeGreaterThan(10);

    await cli('queue', 'push', '--type', 'metrics', '--data', JSON.stringify(METRICS), '--session-id', 'S1');
    backend.script({ status: 422, body: 'heart_rate out of range' });
    const sync = await cli('queue', 'sync');
    expect(sync.stdout).toMatch(/0 delivered, 1 failed/);
    const failed = (await json('queue', 'list', '--state', 'failed', '--json')) as Record<string, unknown>[];
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ type: 'metrics', state: 'failed', last_error: 'HTTP 422: heart_rate out of range' });

    expect(await json('queue', 'retry-failed', '--json')).toEqual({ retried: 1 });
    expect(await json('queue', 'stats', '--json')).toMatchObject({ failed_count: 0, pending_count: 1, total_failed: 1 });
    expect((await cli('queue', 'sync')).stdout).toMatch(/1 delivered/);
    expect(await json('queue', 'clear-synced', '--json')).toEqual({ cleared: 3 });
    expect(await json('queue', 'stats', '--json')).toMatchObject({ total_queued: 3, total_synced: 3, synced_count: 0, pending_count: 0 });
    expect(backend.countsByKey().size).toBe(3);
  });

  it('refuses bad input with exit code 2 and one line on stderr', async () => {
    writeFileSync(join(dir, 'broken.json'), '{"t": 2,');
    writeFileSync(join(dir, 'not.pdf'), 'hello');
    const bad: string[][] = [
      ['queue', 'push', '--type', 'metrics', '--session-id', 'S1'],
      ['queue', 'push', '--type', 'metrics', '--session-id', 'S1', '--data', '{}', '--file', 'broken.json'],
      ['queue', 'push', '--type', 'metrics', '--session-id', 'S1', '--file', 'broken.json'],
      ['queue', 'push', '--type', 'metrics', '--session-id', 'S1', '--file', 'missing.json'],
      ['queue', 'push', '--type', 'metrics', '--session-id', 'S1', '--data', '{"t":"soon"}'],
      ['queue', 'push', '--type', 'metrics', '--data', JSON.stringify(METRICS)],
      ['queue', 'push', '--type', 'report', '--file', 'not.pdf', '--session-id', 'S1'],
      ['queue', 'push', '--type', 'heartbeat', '--data', '{}'],
      ['queue', 'list', '--state', 'lost'],
      ['queue', 'show', 'no-such-item'],
      // A queue directory whose path runs through a file.
      ['--queue-dir', join(dir, 'broken.json', 'queue'), 'queue', 'stats'],
    ];
    const wrong: unknown[] = [];
    for (const args of bad) {
      const result = await cli(...args);
      const oneLine = /^ecg-monitor: /.test(result.stderr) && !/\n\s+at /.test(result.stderr);
      if (result.code !== 2 || !oneLine) wrong.push({ args, ...result });
    }
    expect(wrong).toEqual([]);
    expect(await json('queue', 'stats', '--json')).toMatchObject({ total_queued: 0 });
  });

  it('a mistyped or missing command says what was wrong, with exit code 2', async () => {
    const said = async (...args: string[]) => {
      const result = await cli(...args);
      expect(result.code).toBe(2);
      return result.stderr.split('\n')[0];
    };
    expect(await said('bogus')).toBe('ecg-monitor: Unknown command: bogus. Did you mean ports?');
    expect(await said('queue', 'stat')).toBe('ecg-monitor: Unknown command: stat. Did you mean stats?');
    expect(await said('queue')).toBe('ecg-monitor: Give a queue command: stats, list, show, push, sync, retry-failed or clear-synced.');
  });

  it('runs the command when a global option with its value comes first', async () => {
    writeFileSync(join(dir, 'lab.env'), `ECG_QUEUE_DIR=${join(dir, 'from-env-file')}\n`);
    const { ECG_QUEUE_DIR: _unused, ...withoutQueueDir } = env;
    const first = await cli('--queue-dir', join(dir, 'first'), 'queue', 'stats', '--json');
    expect(JSON.parse(first.stdout)).toMatchObject({ queue_dir: join(dir, 'first') });
    const envFirst = await runCli(['--env-file', 'lab.env', 'queue', 'stats', '--json'], { cwd: dir, env: withoutQueueDir });
    expect(JSON.parse(envFirst.stdout)).toMatchObject({ queue_dir: join(dir, 'from-env-file') });
  });

  it('--env-file is read by the program when run as installed, through its #! line', async () => {
    // Node itself would take a script's `--env-file F` as its own flag and exit 9 on a missing F.
    writeFileSync(join(dir, 'lab.env'), `ECG_QUEUE_DIR=${join(dir, 'from-env-file')}\n`);
    const { ECG_QUEUE_DIR: _unused, ...withoutQueueDir } = env;
    const missing = await runCli(['queue', 'stats', '--env-file', 'missing.env'], { cwd: dir, env, installed: true });
    expect({ code: missing.code, stderr: missing.stderr }).toEqual({ code: 2, stderr: `ecg-monitor: env file not found: ${join(dir, 'missing.env')}\n` });
    const stats = await runCli(['queue', 'stats', '--json', '--env-file', 'lab.env'], { cwd: dir, env: withoutQueueDir, installed: true });
    expect(JSON.parse(stats.stdout)).toMatchObject({ queue_dir: join(dir, 'from-env-file') });
  });

  it('BACKEND_UPLOAD_ENABLED=false sends nothing, not even /health', async () => {
    env.BACKEND_UPLOAD_ENABLED = 'false';
    await cli('queue', 'push', '--type', 'session_start', '--data', JSON.stringify(START));
    const sync = await cli('queue', 'sync');
    expect(sync.code).toBe(1);
    expect(sync.stderr).toMatch(/uploads are off/);
    expect(await json('queue', 'stats', '--json')).toMatchObject({ is_online: false, upload_enabled: false, pending_count: 1 });
    expect(backend.counters.requests).toBe(0);
  });

  it('says so when the backend cannot be reached, and keeps the items', async () => {
    expect((await cli('queue', 'push', '--type', 'session_start', '--data', JSON.stringify(START))).code).toBe(0);
    await backend.setDown(true);
    const sync = await cli('queue', 'sync');
    expect(sync.code).toBe(1);
    expect(sync.stderr).toMatch(/backend not reachable at .*\/health \(connect ECONNREFUSED 127\.0\.0\.1:\d+\); 1 items stay queued/);
    expect(await json('queue', 'stats', '--json')).toMatchObject({ is_online: false, pending_count: 1 });
  });

  it('two shells pushing at once while syncs run lose nothing and deliver each item once', async () => {
    await cli('queue', 'push', '--type', 'session_start', '--data', JSON.stringify(START));
    const pushes = 8;
    const pusher = async (name: string) => {
      const ids: string[] = [];
      for (let index = 0; index < pushes; index += 1) {
        const body = { ...METRICS, t: index };
        const result = await cli('queue', 'push', '--type', 'metrics', '--data', JSON.stringify(body), '--session-id', 'S1', '--json');
        expect(result.code, `${name}: ${result.stderr}`).toBe(0);
        ids.push((JSON.parse(result.stdout) as { id: string }).id);
      }
      return ids;
    };
    let pushing = true;
    const syncer = (async () => {
      while (pushing) await cli('queue', 'sync');
    })();
    const [a, b] = await Promise.all([pusher('a'), pusher('b')]);
    pushing = false;
    await syncer;
    expect((await cli('queue', 'sync')).code).toBe(0);
    const stats = await json('queue', 'stats', '--json');
    expect(stats).toMatchObject({ total_queued: 1 + 2 * pushes, total_synced: 1 + 2 * pushes, pending_count: 0 });
    const counts = backend.countsByKey();
    for (const id of [...a, ...b]) expect(counts.get(id)).toBe(1);
    expect(counts.size).toBe(1 + 2 * pushes);
  });
});
