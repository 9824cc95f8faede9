/**
 * Builds a report PDF on a worker thread: pdfmake's layout and compression are synchronous and
 * would freeze the TUI for 0.1-0.5 s. One worker is kept (unreferenced while idle) so only the
 * first report pays for loading pdfmake.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { log } from '../log.js';
import { buildReportPdf } from './document.js';
import type { ReportInput } from './types.js';
import type { WorkerReply, WorkerRequest } from './worker.js';

interface Pending {
  resolve: (pdf: Uint8Array) => void;
  reject: (error: Error) => void;
}

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, Pending>();

function workerScript(): URL | null {
  const url = new URL('./worker.js', import.meta.url);
  // Run from TypeScript sources (tests), there is no compiled worker: build in-thread instead.
  return existsSync(fileURLToPath(url)) ? url : null;
}

function failAll(error: Error): void {
  for (const { reject } of pending.values()) reject(error);
  pending.clear();
  worker = null;
}

function ensureWorker(script: URL): Worker {
  if (worker) return worker;
  const created = new Worker(script);
  created.on('message', (reply: WorkerReply) => {
    const waiting = pending.get(reply.id);
    if (!waiting) return;
    pending.delete(reply.id);
    if (pending.size === 0) created.unref();
    if ('error' in reply) waiting.reject(new Error(reply.error));
    else waiting.resolve(reply.pdf);
  });
  created.on('error', (error) => {
    log.error('report worker failed', error);
    failAll(error);
  });
  created.on('exit', (code) => {
    if (worker === created) failAll(new Error(`report worker exited with code ${code}`));
  });
  created.unref();
  worker = created;
  return created;
}

/** Same result as buildReportPdf, without blocking this thread's event loop. */
export function buildReportPdfOffThread(input: ReportInput): Promise<Uint8Array> {
  const script = workerScript();
  if (!script) return buildReportPdf(input);
  const target = ensureWorker(script);
  const id = nextId++;
  return new Promise<Uint8Array>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    target.ref();
    target.postMessage({ id, input } satisfies WorkerRequest);
  });
}

/** Starts the worker ahead of the first report (e.g. when a session starts); it loads pdfmake at once. */
export function warmReportWorker(): void {
  const script = workerScript();
  if (script) ensureWorker(script);
}

/** Stops the worker (e.g. when the session ends); the next report starts a new one. */
export async function stopReportWorker(): Promise<void> {
  const current = worker;
  worker = null;
  if (current) await current.terminate();
}
