/** `record` startup failures: one line on stderr, exit 1 for a runtime problem, 2 for bad usage. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runCli, tempDir } from '../session/e2e-helpers.js';

const temp = tempDir('record-errors');
afterAll(() => temp.remove());
const run = (...args: string[]) =>
  runCli(['record', '--no-tui', '--json', '--queue-dir', join(temp.dir, 'queue'), '--out', join(temp.dir, 'out'), ...args], {
    cwd: temp.dir,
    env: { ECG_LOG_FILE: join(temp.dir, 'ecg.log') },
  });

describe.concurrent('record startup errors', () => {
  test('a missing port: exit 1, one line naming it, nothing recorded or queued', async () => {
    const result = await run('--port', join(temp.dir, 'no-such-tty'));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/no-such-tty not found/);
    expect(existsSync(join(temp.dir, 'out'))).toBe(false);
  });

  test.each([
    [['--simulate', 'synthetic', '--duration', 'soon'], /--duration/],
    [['--simulate', 'synthetic', '--session-id', '../x'], /--session-id/],
    [['--simulate', 'synthetic', '--rate', '-5'], /--rate/],
    [[], /--port <path> or --simulate/],
    [['--port', '/dev/null', '--simulate', 'synthetic'], /not both/],
  ])('bad usage %j: exit 2 with a one-line reason', async (args, message) => {
    const result = await run(...args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
