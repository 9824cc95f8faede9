/** Real parts for the record end-to-end tests: socat pty pairs, the real binary, the queue CLI. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, cleanEnv, runCli } from '../helpers/queue-cli.js';
import { startPtyPair, type PtyPair } from '../helpers/socat.js';
import { waitFor } from '../helpers/wait.js';

export { BIN, cleanEnv, runCli, startPtyPair, waitFor, type PtyPair };

export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `ecg-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface RunningCli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** NDJSON events printed so far (with --json). */
  events(): Record<string, unknown>[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
}

/** Starts the real binary; output is collected as it comes. */
export function spawnCli(args: string[], options: { cwd: string; env?: Record<string, string> }): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: cleanEnv({ ECG_LOG_FILE: join(options.cwd, 'ecg.log'), ...options.env }) });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    // Only whole lines: the last one may still be arriving.
    events: () =>
      out
        .split('\n')
        .slice(0, -1)
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    exited,
    kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

export interface ListedItem {
  id: string;
  type: string;
  state: string;
  session_id: string | null;
}

/** `queue list --json` through the real binary. */
export async function queueList(cwd: string, queueDir: string): Promise<ListedItem[]> {
  const result = await runCli(['queue', 'list', '--json', '--queue-dir', queueDir], { cwd, env: { ECG_LOG_FILE: join(cwd, 'ecg.log') } });
  if (result.code !== 0) throw new Error(`queue list failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as ListedItem[];
}

export function countByType(items: readonly ListedItem[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[item.type] = (counts[item.type] ?? 0) + 1;
  return counts;
}
