import { mkdirSync, readFileSync } from 'node:fs';
import { open, rename, writeFile, type FileHandle } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { ItemType } from '../queue/types.js';
import { bodyProblem, looksLikePdf } from './schemas.js';

const gunzipAsync = promisify(gunzip);

/** The reference backend's API prefix; `BACKEND_API_URL` = origin + this. */
export const API_PREFIX = '/api/v1';
const BODY_LIMIT_BYTES = 50 * 1024 * 1024;

/** Faults injected into POSTs (never into `/health`, so the client believes it is online). */
export interface BackendFaults {
  /** Probability in [0, 1] that a POST is answered with `status`. */
  failRate: number;
  status: number;
  /** `Retry-After` sent with injected failures: seconds or an HTTP-date. */
  retryAfter: string | null;
  /** Delay before a POST is answered. */
  latencyMs: number;
  /** Probability in [0, 1] that a POST's connection is reset (before or after storing, at random). */
  resetRate: number;
}

/** One scripted answer for the next POST, used before the random faults. */
export type FaultStep =
  | { status: number; retryAfter?: string; body?: string }
  | { reset: 'before' | 'after' }
  | { delayMs: number };

/** What the backend stored for a first delivery (one per idempotency key). */
export interface ReceivedItem {
  seq: number;
  key: string;
  type: ItemType;
  session_id: string | null;
  received_at: string;
  user_agent: string | null;
  content_encoding: string | null;
  /** The JSON body; for a report, its metadata. */
  body: unknown;
  /** For a report: the PDF's size. */
  file_bytes?: number;
}

export interface BackendCounters {
  requests: number;
  health: number;
  posts: number;
  created: number;
  duplicates: number;
  unauthorized: number;
  rejected: number;
  injected: number;
  resets: number;
}

export interface BackendOptions {
  port?: number;
  host?: string;
  /** Where received items are kept (survives restarts); null = memory only. */
  dataDir?: string | null;
  /** Required Bearer key; null = accept any key. */
  apiKey?: string | null;
  faults?: Partial<BackendFaults>;
  random?: () => number;
}

export interface RunningBackend {
  /** The value for `BACKEND_API_URL`. */
  url: string;
  port: number;
  received(): ReceivedItem[];
  counters: BackendCounters;
  /** Simulates an outage: down = the port refuses connections; up = it listens again. */
  setDown(down: boolean): Promise<void>;
  setFaults(patch: Partial<BackendFaults>): void;
  /** Answers the next POSTs with these steps, one each, then goes back to the random faults. */
  script(...steps: FaultStep[]): void;
  setApiKey(apiKey: string | null): void;
  close(): Promise<void>;
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface Route {
  type: ItemType;
  sessionId: string | null;
}

function routeOf(method: string, path: string): Route | 'health' | null {
  if (method === 'GET' && (path === '/health' || path === '/')) return 'health';
  if (method !== 'POST') return null;
  if (path === '/sessions') return { type: 'session_start', sessionId: null };
  const match = /^\/sessions\/([^/]+)\/(reports|end|waveforms|metrics)$/.exec(path);
  if (!match) return null;
  const types: Record<string, ItemType> = { reports: 'report', end: 'session_end', waveforms: 'waveform', metrics: 'metrics' };
  return { type: types[match[2]!]!, sessionId: decodeURIComponent(match[1]!) };
}

/** A delay that never keeps a test process alive on its own. */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > BODY_LIMIT_BYTES) throw new HttpProblem(413, 'body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new HttpProblem(400, 'body is not valid JSON');
  }
}

/**
 * Durable record of first deliveries: one NDJSON line each, PDFs beside it. Lines that arrive
 * while a write is under way are committed together with one fdatasync (group commit).
 */
class ReceivedLog {
  private handle: FileHandle | null = null;
  private waiting: { line: string; done: (error?: unknown) => void }[] = [];
  private writing: Promise<void> | null = null;

  constructor(private readonly dataDir: string | null) {}

  load(): ReceivedItem[] {
    if (this.dataDir === null) return [];
    mkdirSync(join(this.dataDir, 'reports'), { recursive: true, mode: 0o700 });
    let text = '';
    try {
      text = readFileSync(join(this.dataDir, 'received.ndjson'), 'utf8');
    } catch {
      return [];
    }
    const items: ReceivedItem[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        items.push(JSON.parse(line) as ReceivedItem);
      } catch {
        // A line cut short by a crash was never acknowledged, so the client will send it again.
      }
    }
    return items;
  }

  async append(item: ReceivedItem, pdf: Buffer | null): Promise<void> {
    const dataDir = this.dataDir;
    if (dataDir === null) return;
    if (pdf) {
      const path = join(dataDir, 'reports', `${encodeURIComponent(item.key)}.pdf`);
      await writeFile(`${path}.tmp`, pdf, { mode: 0o600, flush: true });
      await rename(`${path}.tmp`, path);
    }
    await new Promise<void>((resolve, reject) => {
      this.waiting.push({ line: `${JSON.stringify(item)}\n`, done: (error) => (error ? reject(error) : resolve()) });
      this.writing ??= this.commit(dataDir);
    });
  }

  private async commit(dataDir: string): Promise<void> {
    while (this.waiting.length > 0) {
      const group = this.waiting.splice(0);
      try {
        this.handle ??= await open(join(dataDir, 'received.ndjson'), 'a', 0o600);
        await this.handle.write(group.map((entry) => entry.line).join(''));
        await this.handle.datasync();
        for (const entry of group) entry.done();
      } catch (error) {
        for (const entry of group) entry.done(error);
      }
    }
    this.writing = null;
  }

  async close(): Promise<void> {
    await this.writing;
    await this.handle?.close();
    this.handle = null;
  }
}

export async function startBackend(options: BackendOptions = {}): Promise<RunningBackend> {
  const host = options.host ?? '127.0.0.1';
  const random = options.random ?? Math.random;
  let apiKey = options.apiKey ?? null;
  const faults: BackendFaults = { failRate: 0, status: 503, retryAfter: null, latencyMs: 0, resetRate: 0, ...options.faults };
  const steps: FaultStep[] = [];
  const log = new ReceivedLog(options.dataDir ?? null);
  const items = log.load();
  const byKey = new Map(items.map((item) => [item.key, item]));
  let lastSeq = items.reduce((max, item) => Math.max(max, item.seq), 0);
  const storing = new Map<string, Promise<void>>();
  const counters: BackendCounters = {
    requests: 0, health: 0, posts: 0, created: 0, duplicates: 0, unauthorized: 0, rejected: 0, injected: 0, resets: 0,
  };
  const sockets = new Set<Socket>();

  function reply(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    response.end(text);
  }

  function reset(request: IncomingMessage): void {
    counters.resets += 1;
    request.socket.resetAndDestroy();
  }

  /** The fault for this POST: a scripted step first, else the random ones. */
  function pickFault(): FaultStep | null {
    const step = steps.shift();
    if (step) return step;
    if (faults.resetRate > 0 && random() < faults.resetRate) return { reset: random() < 0.5 ? 'before' : 'after' };
    if (faults.failRate > 0 && random() < faults.failRate) {
      return { status: faults.status, ...(faults.retryAfter !== null ? { retryAfter: faults.retryAfter } : {}) };
    }
    return null;
  }

  async function decode(route: Route, request: IncomingMessage, raw: Buffer): Promise<{ body: unknown; pdf: Buffer | null }> {
    const contentType = request.headers['content-type'] ?? '';
    if (route.type === 'report') {
      if (!contentType.startsWith('multipart/form-data')) throw new HttpProblem(415, 'a report must be multipart/form-data');
      let form: FormData;
      try {
        form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
      } catch {
        throw new HttpProblem(400, 'unreadable multipart body');
      }
      const file = form.get('file');
      const metadata = form.get('metadata');
      if (!(file instanceof Blob)) throw new HttpProblem(422, 'missing "file" part');
      const pdf = Buffer.from(await file.arrayBuffer());
      if (!looksLikePdf(pdf)) throw new HttpProblem(422, '"file" is not a PDF');
      const metadataText = metadata instanceof Blob ? await metadata.text() : (metadata ?? '{}');
      let parsed: unknown;
      try {
        parsed = JSON.parse(metadataText);
      } catch {
        throw new HttpProblem(422, '"metadata" is not valid JSON');
      }
      return { body: parsed, pdf };
    }
    let bytes = raw;
    if (request.headers['content-encoding'] === 'gzip') {
      try {
        bytes = await gunzipAsync(raw);
      } catch {
        throw new HttpProblem(400, 'body is not valid gzip');
      }
    }
    return { body: parseJson(bytes), pdf: null };
  }

  async function handlePost(route: Route, request: IncomingMessage, response: ServerResponse): Promise<void> {
    counters.posts += 1;
    if (faults.latencyMs > 0) await pause(faults.latencyMs);
    if (apiKey !== null && request.headers.authorization !== `Bearer ${apiKey}`) {
      counters.unauthorized += 1;
      return reply(response, 401, { error: 'invalid or missing API key' });
    }
    const fault = pickFault();
    if (fault && 'delayMs' in fault) await pause(fault.delayMs);
    if (fault && 'reset' in fault && fault.reset === 'before') return reset(request);
    if (fault && 'status' in fault) {
      counters.injected += 1;
      await readBody(request);
      const headers: Record<string, string> = fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {};
      return reply(response, fault.status, { error: fault.body ?? `injected fault ${fault.status}` }, headers);
    }
    const key = request.headers['idempotency-key'];
    const raw = await readBody(request);
    if (typeof key !== 'string' || key === '') throw new HttpProblem(400, 'missing Idempotency-Key header');
    // A concurrent retry of the same key waits for the first one, then gets its answer.
    for (let pending = storing.get(key); pending; pending = storing.get(key)) await pending.catch(() => undefined);
    if (byKey.has(key)) {
      counters.duplicates += 1;
      return reply(response, 200, { id: key, status: 'duplicate' });
    }
    const work = (async () => {
      const { body, pdf } = await decode(route, request, raw);
      const problem = bodyProblem(route.type, body);
      if (problem) throw new HttpProblem(422, problem);
      const item: ReceivedItem = {
        seq: (lastSeq += 1),
        key,
        type: route.type,
        session_id: route.sessionId ?? (body as { session_id: string }).session_id,
        received_at: new Date().toISOString(),
        user_agent: request.headers['user-agent'] ?? null,
        content_encoding: request.headers['content-encoding'] ?? null,
        body,
        ...(pdf ? { file_bytes: pdf.length } : {}),
      };
      await log.append(item, pdf);
      byKey.set(key, item);
      items.push(item);
    })();
    storing.set(key, work);
    try {
      await work;
    } finally {
      storing.delete(key);
    }
    counters.created += 1;
    // A reply lost after the item was stored: the client must retry and be told 200.
    if (fault && 'reset' in fault && fault.reset === 'after') return reset(request);
    reply(response, 201, { id: key, status: 'created' });
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    counters.requests += 1;
    const url = new URL(request.url ?? '/', 'http://backend');
    const path = url.pathname.startsWith(API_PREFIX) ? url.pathname.slice(API_PREFIX.length) || '/' : url.pathname;
    const route = routeOf(request.method ?? 'GET', path);
    try {
      if (route === 'health') {
        counters.health += 1;
        return reply(response, 200, { status: 'ok' });
      }
      if (route === null) throw new HttpProblem(404, `no route for ${request.method} ${url.pathname}`);
      await handlePost(route, request, response);
    } catch (error) {
      if (response.headersSent || request.socket.destroyed) return;
      const status = error instanceof HttpProblem ? error.status : 500;
      if (status === 422 || status === 400) counters.rejected += 1;
      reply(response, status, { error: error instanceof HttpProblem ? error.message : 'internal error' });
    }
  }

  const server: Server = createServer((request, response) => void handle(request, response));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  }

  function stopListening(): Promise<void> {
    if (!server.listening) return Promise.resolve();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    return closed;
  }

  const port = await listen(options.port ?? 0);
  return {
    url: `http://${host}:${port}${API_PREFIX}`,
    port,
    received: () => [...items],
    counters,
    async setDown(down) {
      if (down) await stopListening();
      else if (!server.listening) await listen(port);
    },
    setFaults(patch) {
      Object.assign(faults, patch);
    },
    script(...next) {
      steps.push(...next);
    },
    setApiKey(next) {
      apiKey = next;
    },
    async close() {
      await stopListening();
      await log.close();
    },
  };
}

/** The URL a spawned `ecg-monitor backend` prints once it listens (tests and benchmarks start one). */
export function backendUrlFrom(child: import('node:child_process').ChildProcess): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /BACKEND_API_URL=(\S+)/.exec(text);
      if (match) resolve(match[1]!);
    });
    child.on('exit', (code) => reject(new Error(`backend exited with ${code}`)));
  });
}
