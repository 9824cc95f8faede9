import { readFileSync, unlinkSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { errorCode, fsyncDir, writeFileSynced } from './durable-adapter.js';
import { ITEM_TYPES, type ItemType } from './types.js';

/**
 * One payload per item, as `payloads/<id>.json`: an envelope with everything needed to rebuild
 * the item's index entry, then the body. A JSON body sits inline (`jq .body`); any other body
 * (a PDF) lives next to it in `<id>.<ext>` and the envelope names it in `body_file`.
 */
export interface PayloadEnvelope {
  format: 1;
  id: string;
  type: ItemType;
  session_id: string | null;
  queued_at: string;
  content_type: string;
  metadata: Record<string, unknown> | null;
  /** Body size in bytes (what is sent). */
  bytes: number;
  body_file?: string;
}

export const JSON_CONTENT_TYPE = 'application/json';
export const PAYLOAD_DIR = 'payloads';

export function isJsonContentType(contentType: string): boolean {
  return contentType.split(';')[0]!.trim().toLowerCase() === JSON_CONTENT_TYPE;
}

function extensionFor(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase() === 'application/pdf' ? 'pdf' : 'bin';
}

export class PayloadFiles {
  readonly dir: string;

  constructor(queueDir: string) {
    this.dir = join(queueDir, PAYLOAD_DIR);
  }

  envelopePath(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  /**
   * Writes the payload durably (file fsyncs + directory fsync). `exclusive` fails with EEXIST
   * instead of replacing a file of the same id. A JSON body must already be valid JSON.
   * `durable: false` skips the fsyncs: only for bulk fills whose caller syncs afterwards (the bench).
   */
  async write(envelope: PayloadEnvelope, body: Buffer, exclusive: boolean, durable = true): Promise<void> {
    let text: string;
    if (isJsonContentType(envelope.content_type)) {
      const head = JSON.stringify(envelope);
      // Splice the validated body text in as-is: no re-serialisation on the hot path.
      text = `${head.slice(0, -1)},"body":${body.toString('utf8')}}`;
    } else {
      const bodyFile = `${envelope.id}.${extensionFor(envelope.content_type)}`;
      await writeFileSynced(join(this.dir, bodyFile), body, exclusive, durable);
      text = JSON.stringify({ ...envelope, body_file: bodyFile });
    }
    await writeFileSynced(this.envelopePath(envelope.id), text, exclusive, durable);
    if (durable) await fsyncDir(this.dir);
  }

  /** The envelope and the exact body bytes to send (a JSON body comes back compact). */
  async read(id: string): Promise<{ envelope: PayloadEnvelope; body: Buffer }> {
    // Synchronous, like the other hot-path I/O (see durable-adapter): a threadpool round-trip queues behind fsyncs.
    const parsed = parseEnvelope(readFileSync(this.envelopePath(id), 'utf8'));
    if (!parsed || parsed.envelope.id !== id) throw new Error(`payload file of ${id} is unreadable`);
    const { envelope, inlineBody } = parsed;
    if (envelope.body_file !== undefined) {
      return { envelope, body: readFileSync(join(this.dir, envelope.body_file)) };
    }
    return { envelope, body: Buffer.from(JSON.stringify(inlineBody), 'utf8') };
  }

  async remove(id: string, contentType: string): Promise<void> {
    const names = [`${id}.json`];
    if (!isJsonContentType(contentType)) names.push(`${id}.${extensionFor(contentType)}`);
    for (const name of names) this.removeFile(name);
  }

  /**
   * Payload files of ids that `known` does not name: whole envelopes (`adoptable`), and files no
   * envelope could be read from (`torn`: a half-written envelope, or a body file whose envelope
   * was never written), each with its age.
   */
  async strays(known: (id: string) => boolean, nowMs: number): Promise<{ adoptable: PayloadEnvelope[]; torn: { name: string; ageMs: number }[] }> {
    const names = await this.names();
    const envelopeIds = new Set(names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -'.json'.length)));
    const adoptable: PayloadEnvelope[] = [];
    const torn: { name: string; ageMs: number }[] = [];
    for (const name of names) {
      const dot = name.lastIndexOf('.');
      if (name.startsWith('.') || dot <= 0) continue;
      const id = name.slice(0, dot);
      if (known(id)) continue;
      const isEnvelope = name.endsWith('.json');
      if (!isEnvelope && envelopeIds.has(id)) continue; // judged with its envelope
      const envelope = isEnvelope ? await this.readEnvelopeQuietly(name) : null;
      if (envelope !== null && envelope.id === id) {
        adoptable.push(envelope);
        continue;
      }
      try {
        torn.push({ name, ageMs: nowMs - (await stat(join(this.dir, name))).mtimeMs });
      } catch (error) {
        if (errorCode(error) !== 'ENOENT') throw error; // gone meanwhile: synced or removed by its writer
      }
    }
    return { adoptable, torn };
  }

  /** Deletes one file of the payload directory by name; a file already gone is fine. */
  removeFile(name: string): void {
    try {
      unlinkSync(join(this.dir, name));
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
    }
  }

  private async names(): Promise<string[]> {
    try {
      return await readdir(this.dir);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return [];
      throw error;
    }
  }

  private async readEnvelopeQuietly(name: string): Promise<PayloadEnvelope | null> {
    try {
      return parseEnvelope(await readFile(join(this.dir, name), 'utf8'))?.envelope ?? null;
    } catch {
      return null;
    }
  }

  /** Every readable envelope on disk (for rebuilding a lost index); unreadable ones are counted, not fatal. */
  async scan(): Promise<{ envelopes: PayloadEnvelope[]; unreadable: string[] }> {
    const envelopes: PayloadEnvelope[] = [];
    const unreadable: string[] = [];
    for (const name of await this.names()) {
      if (!name.endsWith('.json') || name.startsWith('.')) continue;
      const envelope = await this.readEnvelopeQuietly(name);
      if (envelope && `${envelope.id}.json` === name) envelopes.push(envelope);
      else unreadable.push(name);
    }
    return { envelopes, unreadable };
  }
}

function parseEnvelope(text: string): { envelope: PayloadEnvelope; inlineBody: unknown } | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { body, ...rest } = value as Record<string, unknown> & { body?: unknown };
  const e = rest as Partial<PayloadEnvelope>;
  const valid =
    e.format === 1 &&
    typeof e.id === 'string' &&
    ITEM_TYPES.includes(e.type as ItemType) &&
    typeof e.queued_at === 'string' &&
    typeof e.content_type === 'string' &&
    typeof e.bytes === 'number' &&
    (e.body_file === undefined ? body !== undefined : /^[^/\\]+\.(pdf|bin)$/.test(String(e.body_file)));
  if (!valid) return null;
  return {
    envelope: { ...(e as PayloadEnvelope), session_id: e.session_id ?? null, metadata: e.metadata ?? null },
    inlineBody: body,
  };
}
