import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { afterAll, describe, expect, it } from 'vitest';
import { CorruptFileError, DurableJsonAdapter, tempPathFor } from '../../src/queue/durable-adapter.js';
import { QueueStore } from '../../src/queue/store.js';
import { removeTempDirs, tempQueueDir } from './store-helpers.js';

afterAll(removeTempDirs);

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

describe('DurableJsonAdapter (lowdb)', () => {
  it('replaces the file atomically: concurrent writers never leave a torn or temp file', async () => {
    const dir = tempQueueDir();
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'db.json');
    const dbs = Array.from({ length: 8 }, () => new Low(new DurableJsonAdapter<{ writer: number; fill: string }>(path), { writer: -1, fill: '' }));
    // Each write is large enough that a non-atomic writer would expose half-written text to the reader.
    const writes = dbs.flatMap((db, writer) =>
      Array.from({ length: 5 }, async () => {
        db.data = { writer, fill: String(writer).repeat(200_000) };
        await db.write();
      }),
    );
    const reader = new DurableJsonAdapter<{ writer: number; fill: string }>(path);
    const reads: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i += 1) reads.push(reader.read().catch((error: unknown) => error));
    await Promise.all(writes);
    for (const result of await Promise.all(reads)) {
      if (result === null) continue; // before the first rename
      expect(result).not.toBeInstanceOf(Error);
      const value = result as { writer: number; fill: string };
      expect(value.fill).toBe(String(value.writer).repeat(200_000));
    }
    const final = await reader.read();
    expect(final!.fill).toBe(String(final!.writer).repeat(200_000));
    expect(readdirSync(dir)).toEqual(['db.json']);
    expect(mode(path)).toBe(0o600);
  });

  it('uses a unique temp name per write, next to the target', () => {
    const names = new Set(Array.from({ length: 1000 }, () => tempPathFor('/q/index.json')));
    expect(names.size).toBe(1000);
    for (const name of names) expect(name).toMatch(new RegExp(`^/q/\\.index\\.json\\.${process.pid}-[0-9a-f]{12}\\.tmp$`));
  });

  it('reports unparsable or foreign content as CorruptFileError, a missing file as null', async () => {
    const dir = tempQueueDir();
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'db.json');
    const adapter = new DurableJsonAdapter<{ ok: true }>(path, (v) => ((v as { ok?: unknown }).ok === true ? { ok: true } : null));
    expect(await adapter.read()).toBeNull();
    writeFileSync(path, '{"ok": tr');
    await expect(adapter.read()).rejects.toBeInstanceOf(CorruptFileError);
    writeFileSync(path, '{"ok": false}');
    await expect(adapter.read()).rejects.toBeInstanceOf(CorruptFileError);
    writeFileSync(path, '{"ok": true}');
    expect(await adapter.read()).toEqual({ ok: true });
  });
});

describe('queue directory permissions', () => {
  it('creates directories 0700 and every file 0600, with no API key anywhere', async () => {
    const dir = tempQueueDir();
    const store = await QueueStore.open(dir);
    await store.enqueue({ type: 'metrics', payload: '{"heart_rate":72}' });
    const pdf = await store.enqueue({
      type: 'report',
      payload: Buffer.from('%PDF-1.4\n%fake\n'),
      contentType: 'application/pdf',
      metadata: { title: 'r' },
    });
    await store.markInflight([pdf.id]);
    await store.close();
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, 'payloads'))).toBe(0o700);
    const files = [
      ...readdirSync(dir).filter((n) => n !== 'payloads').map((n) => join(dir, n)),
      ...readdirSync(join(dir, 'payloads')).map((n) => join(dir, 'payloads', n)),
    ];
    expect(files.map((f) => f.split('/').pop()).sort()).toEqual(
      expect.arrayContaining(['index.json', 'journal-0.ndjson', `${pdf.id}.json`, `${pdf.id}.pdf`]),
    );
    for (const file of files) {
      expect(mode(file), file).toBe(0o600);
      expect(readFileSync(file, 'latin1')).not.toMatch(/api[_-]?key|bearer/i);
    }
  });
});
