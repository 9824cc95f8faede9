import { closeSync, openSync, realpathSync, statSync, unlinkSync, utimesSync, type Stats } from 'node:fs';
import { lock } from 'proper-lockfile';
import { log } from '../log.js';
import { UserError } from '../errors.js';
import { errorCode } from './durable-adapter.js';

export interface LockOptions {
  /** A lock not refreshed for this long is taken over (its holder died); proper-lockfile's minimum is 2000. */
  staleMs?: number;
}

type Callback<T = void> = (error: NodeJS.ErrnoException | null, value?: T) => void;

function callSync<T>(fn: () => T, callback: Callback<T>): void {
  let value: T;
  try {
    value = fn();
  } catch (error) {
    callback(error as NodeJS.ErrnoException);
    return;
  }
  callback(null, value);
}

/**
 * The fs proper-lockfile uses. The lock is an exclusively created empty file instead of a
 * directory (same atomicity; removing a directory frees a block, which costs milliseconds on
 * disks mounted with discard), and the calls are synchronous: microseconds, where four threadpool
 * round-trips per lock dominated enqueue latency on a loaded machine.
 */
const fileLockFs = {
  mkdir: (path: string, callback: Callback) => callSync(() => closeSync(openSync(path, 'wx', 0o600)), callback),
  rmdir: (path: string, callback: Callback) => callSync(() => unlinkSync(path), callback),
  rmdirSync: (path: string) => unlinkSync(path),
  stat: (path: string, callback: Callback<Stats>) => callSync(() => statSync(path), callback),
  utimes: (path: string, atime: Date, mtime: Date, callback: Callback) =>
    callSync(() => utimesSync(path, atime, mtime), callback),
  realpath: (path: string, callback: Callback<string>) => callSync(() => realpathSync(path), callback),
};

/** One chain per lock path: two stores on one directory in one process queue here instead of polling the lock file. */
const inProcessChains = new Map<string, Promise<unknown>>();

/**
 * Cross-process mutual exclusion for one queue directory (proper-lockfile: an atomic exclusive
 * create, refreshed while held, taken over when stale), plus an in-process chain in front of it.
 */
export class DirLock {
  private readonly staleMs: number;

  constructor(
    readonly lockPath: string,
    options: LockOptions = {},
  ) {
    this.staleMs = Math.max(2000, options.staleMs ?? 5000);
  }

  /** Runs `fn` holding the lock. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return this.runLocal(() => this.holdCrossProcess(fn));
  }

  /** Runs `fn` after every earlier run/runLocal in this process, without the cross-process lock (for reads). */
  runLocal<T>(fn: () => Promise<T>): Promise<T> {
    const previous = inProcessChains.get(this.lockPath) ?? Promise.resolve();
    const result = previous.catch(() => undefined).then(fn);
    const tail = result.catch(() => undefined);
    inProcessChains.set(this.lockPath, tail);
    void tail.then(() => {
      if (inProcessChains.get(this.lockPath) === tail) inProcessChains.delete(this.lockPath);
    });
    return result;
  }

  private async holdCrossProcess<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      await release().catch((error: unknown) => log.warn('queue lock release failed', error));
    }
  }

  /** Retries only while another process holds the lock; a disk error (EROFS, ENOSPC) fails at once. */
  private async acquire(): Promise<() => Promise<void>> {
    const deadline = Date.now() + this.staleMs * 6;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await lock(this.lockPath, {
          lockfilePath: this.lockPath,
          realpath: false,
          stale: this.staleMs,
          update: Math.max(1000, Math.floor(this.staleMs / 4)),
          retries: 0,
          fs: fileLockFs,
          onCompromised: (error) => log.warn('queue lock compromised (event loop stalled past the stale time?)', error),
        });
      } catch (error) {
        if (errorCode(error) !== 'ELOCKED') throw error;
        // Holders keep it for milliseconds: poll fast at first; a dead holder's lock goes stale after staleMs.
        if (Date.now() > deadline) {
          throw new UserError(`the queue at ${this.lockPath} stayed locked by another process; try again`);
        }
        const delayMs = Math.min(50, 1 + attempt * 2) * (0.5 + Math.random());
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }
}
