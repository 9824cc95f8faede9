/** A socat pty pair (a virtual serial cable) and the simulate binary, for device tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from './wait.js';

export { waitFor };

export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'ecg-monitor.js');

export interface PtyPair {
  /** The device end (the simulator writes here). */
  device: string;
  /** The host end (the program under test reads here). */
  host: string;
  process: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `socat` with two linked ptys: `<dir>/dev` (the device end) and `<dir>/host`. */
export async function startPtyPair(directory: string): Promise<PtyPair> {
  const device = join(directory, 'dev');
  const host = join(directory, 'host');
  const child = spawn('socat', [`pty,raw,echo=0,link=${device}`, `pty,raw,echo=0,link=${host}`], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor('socat ptys', () => existsSync(device) && existsSync(host), 5000);
  return {
    device,
    host,
    process: child,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
      // Like a device node on unplug, the links go: a killed socat leaves them pointing at pty
      // numbers that another test's socat may be handed next.
      rmSync(device, { force: true });
      rmSync(host, { force: true });
    },
  };
}

export interface Simulation {
  process: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

/** Runs `ecg-monitor simulate` and resolves once it is writing. */
export async function startSimulate(args: string[]): Promise<Simulation> {
  const child = spawn(process.execPath, [BIN, 'simulate', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));
  await waitFor('simulate to start', () => stderr.includes('simulating') || done, 10_000);
  return {
    process: child,
    stderr: () => stderr,
    exited,
    async stop() {
      if (!done) child.kill('SIGTERM');
      return exited;
    },
  };
}
