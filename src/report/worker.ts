/** Worker thread body: builds report PDFs so the live screen keeps drawing meanwhile. */
import { parentPort } from 'node:worker_threads';
import { errorMessage } from '../errors.js';
import { buildReportPdf } from './document.js';
import { preloadPdfMake } from './pdfmake.js';
import type { ReportInput } from './types.js';

export interface WorkerRequest {
  id: number;
  input: ReportInput;
}

export type WorkerReply = { id: number; pdf: Uint8Array } | { id: number; error: string };

// Loading pdfmake here, as soon as the worker starts, keeps that cost off the first report.
preloadPdfMake();

parentPort?.on('message', (request: WorkerRequest) => {
  buildReportPdf(request.input).then(
    (pdf) => parentPort!.postMessage({ id: request.id, pdf } satisfies WorkerReply),
    (error: unknown) => parentPort!.postMessage({ id: request.id, error: errorMessage(error) } satisfies WorkerReply),
  );
});
