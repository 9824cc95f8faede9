import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import got, { RequestError, type Got, type Headers } from 'got';
import { UserError } from '../errors.js';
import { log } from '../log.js';
import { USER_AGENT } from '../version.js';
import type { Outcome } from './policy.js';
import type { ItemType, QueueItem } from './types.js';

const gzipAsync = promisify(gzip);

/** One queued item ready to send: its index entry plus its payload file. */
export interface Upload {
  item: QueueItem;
  payload: Buffer;
  contentType: string;
  metadata: Record<string, unknown> | null;
}

export interface UploaderOptions {
  /** `BACKEND_API_URL`, e.g. `http://localhost:3000/api/v1`. */
  apiUrl: string;
  apiKey: string | null;
  /** `BACKEND_CA_FILE`: PEM certificate(s) trusted in addition to the system's. */
  caFile?: string | null;
  /** Whole-request limit for an upload. */
  requestTimeoutMs?: number;
  /** Whole-request limit for `GET /health`. */
  probeTimeoutMs?: number;
}

export interface Uploader {
  send(upload: Upload): Promise<Outcome>;
  /** `GET /health`: the connectivity probe. */
  probe(): Promise<Outcome>;
  /** Cancels requests in flight (they come back as network outcomes); later requests work normally. */
  abort(): void;
  /** Closes idle keep-alive sockets so the process can exit. */
  close(): void;
}

/** The route of each item type (CONTRACTS section 3); null session id only for session_start. */
function routeFor(type: ItemType, sessionId: string | null): string | null {
  if (type === 'session_start') return '/sessions';
  if (sessionId === null || sessionId === '') return null;
  const session = encodeURIComponent(sessionId);
  switch (type) {
    case 'report':
      return `/sessions/${session}/reports`;
    case 'session_end':
      return `/sessions/${session}/end`;
    case 'waveform':
      return `/sessions/${session}/waveforms`;
    case 'metrics':
      return `/sessions/${session}/metrics`;
  }
}

/**
 * Certificates trusted beyond Node's bundled roots: `BACKEND_CA_FILE`, and `NODE_EXTRA_CA_CERTS`,
 * which the installed launcher keeps away from Node's startup (bin/ecg-monitor.js) and which
 * therefore has to be added here. Undefined when neither is set: Node's defaults apply.
 */
function trustedCertificates(caFile: string | null | undefined): string[] | undefined {
  const extraFile = process.env.NODE_EXTRA_CA_CERTS;
  if (!caFile && !extraFile) return undefined;
  // Node's `ca` option replaces the bundled roots, so the extra certificates are added to them.
  const trusted = [...rootCertificates];
  if (extraFile) {
    try {
      trusted.push(readFileSync(extraFile, 'utf8'));
    } catch (error) {
      // Node itself only warns about an unreadable NODE_EXTRA_CA_CERTS; so do we.
      log.warn('ignoring NODE_EXTRA_CA_CERTS', { file: extraFile, error: (error as Error).message });
    }
  }
  if (caFile) {
    try {
      trusted.push(readFileSync(caFile, 'utf8'));
    } catch (error) {
      throw new UserError(`cannot read BACKEND_CA_FILE ${caFile}: ${(error as Error).message}`);
    }
  }
  return trusted;
}

export function createUploader(options: UploaderOptions): Uploader {
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const probeTimeoutMs = options.probeTimeoutMs ?? 5_000;
  const agent = {
    http: new http.Agent({ keepAlive: true, maxSockets: 16 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 16 }),
  };
  let cancel = new AbortController();
  const headers: Headers = { 'user-agent': USER_AGENT };
  if (options.apiKey !== null) headers.authorization = `Bearer ${options.apiKey}`;
  const client: Got = got.extend({
    prefixUrl: options.apiUrl,
    headers,
    agent,
    https: { certificateAuthority: trustedCertificates(options.caFile) },
    // The queue owns retries (policy.ts); got must make exactly one attempt and never hang.
    retry: { limit: 0 },
    throwHttpErrors: false,
    followRedirect: false,
    responseType: 'text',
  });

  async function request(
    method: 'GET' | 'POST',
    path: string,
    extra: { headers?: Headers; body?: Buffer | string | FormData; timeoutMs: number },
  ): Promise<Outcome> {
    try {
      const response = await client(path.replace(/^\//, ''), {
        method,
        headers: extra.headers,
        body: extra.body,
        signal: cancel.signal,
        timeout: { connect: Math.min(extra.timeoutMs, 10_000), request: extra.timeoutMs },
      });
      const retryAfter = response.headers['retry-after'];
      return {
        kind: 'http',
        status: response.statusCode,
        body: typeof response.body === 'string' ? response.body : '',
        retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
      };
    } catch (error) {
      if (error instanceof RequestError) {
        return { kind: 'network', code: error.code || 'ERR_NETWORK', message: redactKey(error.message, options.apiKey) };
      }
      return { kind: 'network', code: 'ERR_NETWORK', message: redactKey(String(error), options.apiKey) };
    }
  }

  return {
    async send(upload) {
      const { item } = upload;
      const route = routeFor(item.type, item.session_id);
      if (route === null) return { kind: 'invalid', message: `a ${item.type} item needs a session id` };
      // The same key on every retry lets the server drop duplicates (exactly once by key).
      const requestHeaders: Headers = { 'idempotency-key': item.id };
      let body: Buffer | FormData;
      if (item.type === 'report') {
        const form = new FormData();
        form.set('file', new Blob([upload.payload], { type: 'application/pdf' }), 'report.pdf');
        // A text field, not a file part: servers that read form fields as strings find it there.
        form.set('metadata', JSON.stringify(upload.metadata ?? {}));
        body = form;
      } else if (item.type === 'waveform') {
        body = await gzipAsync(upload.payload);
        requestHeaders['content-type'] = 'application/json';
        requestHeaders['content-encoding'] = 'gzip';
      } else {
        body = upload.payload;
        requestHeaders['content-type'] = 'application/json';
      }
      return request('POST', route, { headers: requestHeaders, body, timeoutMs: requestTimeoutMs });
    },
    probe() {
      return request('GET', '/health', { timeoutMs: probeTimeoutMs });
    },
    abort() {
      cancel.abort();
      cancel = new AbortController();
    },
    close() {
      agent.http.destroy();
      agent.https.destroy();
    },
  };
}

/** Belt and braces: an error text must never carry the key into a log or a queue item. */
function redactKey(text: string, apiKey: string | null): string {
  return apiKey ? text.split(apiKey).join('***') : text;
}
