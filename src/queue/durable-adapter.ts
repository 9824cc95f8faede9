import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fdatasync,
  fsync,
  openSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
  type BigIntStats,
} from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
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

/*
 * Hot-path I/O: open/write/rename/close/stat are synchronous (microseconds against the page
 * cache, cheaper than a threadpool round-trip on a loaded machine); only the fsyncs, which wait
 * for the disk, go to the threadpool.
 */
const fsyncAsync = promisify(fsync);
export const fdatasyncAsync = promisify(fdatasync);

export function writeAll(fd: number, bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
}

/** Makes a directory's entries (creations, renames, unlinks) survive a power cut. */
export async function fsyncDir(dir: string): Promise<void> {
  const fd = openSync(dir, 'r');
  try {
    await fsyncAsync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes a whole new file and fsyncs it (unless `durable` is false); `exclusive` refuses to replace an existing file. */
export async function writeFileSynced(
  path: string,
  data: string | Uint8Array,
  exclusive: boolean,
  durable = true,
): Promise<void> {
  const fd = openSync(path, exclusive ? 'wx' : 'w', FILE_MODE);
  try {
    writeAll(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    if (durable) await fsyncAsync(fd);
  } catch (error) {
    // A half-written new file (disk full) must not look like a payload later.
    if (exclusive) rmQuietly(path);
    throw error;
  } finally {
    closeSync(fd);
  }
}

function rmQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone, or the disk refuses even that: nothing more to do.
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
    renameSync(temp, path);
  } catch (error) {
    rmQuietly(temp);
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
 * null (not ours), which surfaces as a CorruptFileError like unparsable text does; `serialize`
 * and `parseFile` (which throws SyntaxError on damage) choose the text layout.
 */
export class DurableJsonAdapter<T> implements Adapter<T> {
  constructor(
    readonly path: string,
    private readonly validate: (value: unknown) => T | null = (value) => value as T,
    private readonly serialize: (value: T) => string = (value) => JSON.stringify(value),
    private readonly parseFile: (handle: FileHandle) => Promise<unknown> = async (handle) =>
      JSON.parse(await handle.readFile('utf8')),
  ) {}

  /** Identity of the file version last read or written (inode, size, mtime): a cheap "has it changed?". */
  lastStamp: string | null = null;
  /** Size in bytes of that version (0: none). */
  lastSize = 0;

  async read(): Promise<T | null> {
    let parsed: unknown;
    let handle;
    try {
      handle = await open(this.path, 'r');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') {
        this.lastStamp = null;
        this.lastSize = 0;
        return null;
      }
      throw error;
    }
    try {
      const stats = await handle.stat({ bigint: true });
      this.lastStamp = stampOf(stats);
      this.lastSize = Number(stats.size);
      parsed = await this.parseFile(handle);
    } catch (error) {
      if (error instanceof SyntaxError) throw new CorruptFileError(this.path, error.message);
      throw error;
    } finally {
      await handle.close();
    }
    const value = this.validate(parsed);
    if (value === null) throw new CorruptFileError(this.path, 'unexpected structure');
    return value;
  }

  async write(data: T): Promise<void> {
    const text = this.serialize(data);
    await replaceFileDurably(this.path, text);
    this.lastStamp = fileStamp(this.path);
    this.lastSize = Buffer.byteLength(text);
  }
}

function stampOf(stats: BigIntStats): string {
  return `${stats.ino}:${stats.size}:${stats.mtimeNs}`;
}

/** The current stamp of a file (see DurableJsonAdapter.lastStamp), null when it does not exist. */
export function fileStamp(path: string): string | null {
  const stats = statSync(path, { bigint: true, throwIfNoEntry: false });
  return stats ? stampOf(stats) : null;
}
