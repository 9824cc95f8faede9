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
    const previous = inProcessChains.get(this.lockPath) ?? Promise.resolve();
    const result = previous.catch(() => undefined).then(() => this.holdCrossProcess(fn));
    const tail = result.catch(() => undefined);
    inProcessChains.set(this.lockPath, tail);
    void tail.then(() => {
      if (inProcessChains.get(this.lockPath) === tail) inProcessChains.delete(this.lockPath);
    });
    return result;
  }

  private async holdCrossProcess<T>(fn: () => Promise<T>): Promise<T> {
    let release: () => Promise<void>;
    try {
      release = await lock(this.lockPath, {
        lockfilePath: this.lockPath,
        realpath: false,
        stale: this.staleMs,
        update: Math.max(1000, Math.floor(this.staleMs / 4)),
        // Holders keep it for milliseconds: poll fast at first, and give up only well after a dead holder's lock went stale.
        retries: { retries: 400, factor: 1.25, minTimeout: 1, maxTimeout: 50, randomize: true },
        onCompromised: (error) => log.warn('queue lock compromised (event loop stalled past the stale time?)', error),
      });
    } catch (error) {
      if (errorCode(error) === 'ELOCKED') {
        throw new UserError(`the queue at ${this.lockPath} stayed locked by another process; try again`);
      }
      throw error;
    }
    try {
      return await fn();
    } finally {
      await release().catch((error: unknown) => log.warn('queue lock release failed', error));
    }
  }
}
