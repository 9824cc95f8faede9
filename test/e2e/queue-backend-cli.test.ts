import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, runCli } from '../helpers/queue-cli.js';
import { backendUrlFrom } from '../../src/backend/server.js';

const START = { session_id: 'S1', started_at: '2026-01-01T00:00:00Z', protocol: 'ascii', sample_rate_hz: 250, leads: ['II'] };
const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function startBackendCli(args: string[], env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'ecg-backend-cli-'));
  dirs.push(dir);
  const child = spawn(process.execPath, [BIN, 'backend', '--port', '0', '--data', join(dir, 'data'), ...args], {
    cwd: dir, env: cleanEnv({ ECG_LOG_FILE: join(dir, 'log'), ...env }), stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const url = await backendUrlFrom(child);
  return { url, dir };
}

const post = (url: string, key: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key, ...headers },
    body: JSON.stringify(START),
  });

describe('ecg-monitor backend', () => {
  it('stores each key once, durably, and answers 200 for a known key', async () => {
    const { url, dir } = await startBackendCli([]);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect((await post(url, 'k1')).status).toBe(201);
    expect((await post(url, 'k1')).status).toBe(200);
    expect((await post(url, '')).status).toBe(400);
    const lines = readFileSync(join(dir, 'data', 'received.ndjson'), 'utf8').trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { key: string }).key)).toEqual(['k1']);
  });

  it('injects the fault it is told to, but never into /health', async () => {
    const { url } = await startBackendCli(['--status', '503', '--retry-after', '7']);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const reply = await post(url, 'k1');
    expect(reply.status).toBe(503);
    expect(reply.headers.get('retry-after')).toBe('7');
  });

  it('checks the key from --api-key or BACKEND_API_KEY', async () => {
    const { url } = await startBackendCli([], { BACKEND_API_KEY: 'sesame' });
    expect((await post(url, 'k1')).status).toBe(401);
    expect((await post(url, 'k1', { authorization: 'Bearer sesame' })).status).toBe(201);
  });

  it('refuses bad fault options with exit code 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecg-backend-cli-'));
    dirs.push(dir);
    for (const args of [['--fail-rate', '2'], ['--status', '42'], ['--reset-rate', '-1']]) {
      const result = await runCli(['backend', '--port', '0', ...args], { cwd: dir, env: { ECG_LOG_FILE: join(dir, 'log') } });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^ecg-monitor: --/);
    }
  });
});
