import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const CHILDREN = join(here, 'children');
const BUILT_STORE = join(here, '..', '..', 'dist', 'queue', 'store.js');

/** Child processes import the built store; `npm test` builds first. */
export function assertBuilt(): void {
  if (!existsSync(BUILT_STORE)) throw new Error('dist/queue/store.js is missing: run `npx tsc -p .` first');
}

const made: string[] = [];

export function tempQueueDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ecg-queue-test-'));
  made.push(dir);
  return join(dir, 'queue');
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface RunningChild {
  child: ChildProcess;
  lines: string[];
  /** Resolves when a stdout line satisfies `test` (or rejects when the child exits first). */
  waitForLine(test: (line: string) => boolean): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** `storeOptions` reach the child's QueueStore.open through STORE_OPTIONS. */
export function startChild(script: string, args: string[], storeOptions: object = {}): RunningChild {
  const child = spawn(process.execPath, [join(CHILDREN, script), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, STORE_OPTIONS: JSON.stringify(storeOptions) },
  });
  const lines: string[] = [];
  const waiters: { test: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const waiter of [...waiters]) {
      if (waiter.test(line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
  return {
    child,
    lines,
    exited,
    waitForLine(test) {
      const seen = lines.find(test);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ test, resolve });
        void exited.then(({ code, signal }) =>
          reject(new Error(`child ${script} exited (${code ?? signal}) before the expected line; stderr: ${stderr}`)),
        );
      });
    },
  };
}

/** Runs a child to completion; fails with its stderr when it exits non-zero. */
export async function runChild(script: string, args: string[], storeOptions: object = {}): Promise<string[]> {
  const running = startChild(script, args, storeOptions);
  const { code, stderr } = await running.exited;
  if (code !== 0) throw new Error(`child ${script} ${args.join(' ')} exited ${code}: ${stderr}`);
  return running.lines;
}
