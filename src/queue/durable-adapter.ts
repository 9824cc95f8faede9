import { randomBytes } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Adapter } from 'lowdb';

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

/** Errors that mean "the disk refuses writes": the queue falls back to memory instead of failing. */
const DISK_ERROR_CODES = new Set(['ENOSPC', 'EDQUOT', 'EACCES', 'EPERM', 'EROFS', 'EIO']);

export function isDiskError(error: unknown): error is NodeJS.ErrnoException {
  return typeof error === 'object' && error !== null && DISK_ERROR_CODES.has((error as NodeJS.ErrnoException).code ?? '');
}

export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as NodeJS.ErrnoException).code : undefined;
}

/** Makes a directory's entries (creations, renames, unlinks) survive a power cut. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes a whole new file and fsyncs it; `exclusive` refuses to replace an existing file. */
export async function writeFileSynced(path: string, data: string | Uint8Array, exclusive: boolean): Promise<void> {
  const handle = await open(path, exclusive ? 'wx' : 'w', FILE_MODE);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    // A half-written new file (disk full) must not look like a payload later.
    if (exclusive) await unlink(path).catch(() => undefined);
    throw error;
  } finally {
    await handle.close();
  }
}

/** Unique per writer, so two processes never write the same temp file. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
}

/** Atomic durable replace: unique temp file, write, fsync, rename over the target, fsync the directory. */
export async function replaceFileDurably(path: string, data: string | Uint8Array): Promise<void> {
  const temp = tempPathFor(path);
  try {
    await writeFileSynced(temp, data, true);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await fsyncDir(dirname(path));
}

/** The index file could not be parsed: the store moves it aside and rebuilds. */
export class CorruptFileError extends Error {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`${path} is corrupt: ${detail}`);
    this.name = 'CorruptFileError';
  }
}

/**
 * A lowdb Adapter for a JSON file that survives crashes and concurrent writers: lowdb's own
 * adapter neither fsyncs nor uses a unique temp name. `validate` turns parsed JSON into T or
 * null (not ours), which surfaces as a CorruptFileError like unparsable text does.
 */
export class DurableJsonAdapter<T> implements Adapter<T> {
  constructor(
    readonly path: string,
    private readonly validate: (value: unknown) => T | null = (value) => value as T,
  ) {}

  /** Identity of the file version last read or written (inode, size, mtime): a cheap "has it changed?". */
  lastStamp: string | null = null;

  async read(): Promise<T | null> {
    let text: string;
    let handle;
    try {
      handle = await open(this.path, 'r');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') {
        this.lastStamp = null;
        return null;
      }
      throw error;
    }
    try {
      this.lastStamp = stampOf(await handle.stat({ bigint: true }));
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new CorruptFileError(this.path, (error as Error).message);
    }
    const value = this.validate(parsed);
    if (value === null) throw new CorruptFileError(this.path, 'unexpected structure');
    return value;
  }

  async write(data: T): Promise<void> {
    await replaceFileDurably(this.path, JSON.stringify(data));
    this.lastStamp = await fileStamp(this.path);
  }
}

function stampOf(stats: BigIntStats): string {
  return `${stats.ino}:${stats.size}:${stats.mtimeNs}`;
}

/** The current stamp of a file (see DurableJsonAdapter.lastStamp), null when it does not exist. */
export async function fileStamp(path: string): Promise<string | null> {
  try {
    return stampOf(await stat(path, { bigint: true }));
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
}
