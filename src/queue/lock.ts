import { lock } from 'proper-lockfile';
import { log } from '../log.js';
import { UserError } from '../errors.js';
import { errorCode } from './durable-adapter.js';

export interface LockOptions {
  /** A lock not refreshed for this long is taken over (its holder died); proper-lockfile's minimum is 2000. */
  staleMs?: number;
}

/** One chain per lock path: two stores on one directory in one process queue here instead of spinning on mkdir. */
const inProcessChains = new Map<string, Promise<unknown>>();

/**
 * Cross-process mutual exclusion for one queue directory (proper-lockfile: an atomic mkdir,
 * refreshed while held, taken over when stale), plus an in-process chain in front of it.
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
