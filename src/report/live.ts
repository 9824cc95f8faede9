/** The report of the last 10 s of a running session, from the state the TUI reads (the `r` key). */
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { SessionSummary } from '../session/summary.js';
import type { LiveState } from '../session/types.js';
import { buildReportPdfOffThread } from './off-thread.js';
import { WINDOW_S } from './layout.js';
import { reportMetadata } from './metadata.js';
import type { WrittenReport } from './sources.js';
import { emptyMeasurements, type Paper, type ReportInput } from './types.js';

/**
 * Copies the last 10 s of every trace out of the ring buffers (cheap, synchronous), so the
 * session can keep writing while the PDF is built.
 */
export function reportInputFromLive(state: LiveState, paper: Paper = 'a4', summary: SessionSummary | null = null): ReportInput {
  const fsHz = state.info.nominalRateHz > 0 ? state.info.nominalRateHz : state.device.measuredRateHz ?? 0;
  const written = state.traces.reduce((n, trace) => Math.min(n, trace.written), Number.POSITIVE_INFINITY);
  const available = Number.isFinite(written) ? written : 0;
  const capacity = state.traces.reduce((n, trace) => Math.min(n, trace.samples.length), Number.POSITIVE_INFINITY);
  const count = Math.max(0, Math.min(available, Math.round(WINDOW_S * fsHz), Number.isFinite(capacity) ? capacity : 0));
  const firstSample = available - count;
  const leads = state.traces.map((trace) => {
    const uV = new Float32Array(count);
    const size = trace.samples.length;
    for (let i = 0; i < count; i += 1) uV[i] = trace.samples[(firstSample + i) % size]!;
    return { name: trace.lead, uV };
  });
  const metrics = state.metrics;
  const measurements = emptyMeasurements();
  if (metrics) {
    measurements.heartRateBpm = metrics.heartRateBpm;
    measurements.rrMs = metrics.rrMs;
    measurements.prMs = metrics.prMs;
    measurements.qrsMs = metrics.qrsMs;
    measurements.qtMs = metrics.qtMs;
    measurements.qtcBazettMs = metrics.qtcBazettMs;
    measurements.qtcFridericiaMs = metrics.qtcFridericiaMs;
    measurements.signalQuality = metrics.signalQuality;
  }
  measurements.droppedFrames = state.device.droppedFrames;
  if (summary) {
    // The session so far: what the last 10 s alone cannot tell.
    measurements.beats = summary.beats;
    measurements.heartRateMinBpm = summary.heart_rate_min;
    measurements.heartRateMaxBpm = summary.heart_rate_max;
    measurements.leadOffPeriods = summary.lead_off_periods.map((p) => ({ startS: p.start_s, endS: p.end_s ?? summary.duration_s, lead: null }));
  }
  const info = state.info;
  return {
    paper,
    fsHz,
    leads,
    windowStartS: fsHz > 0 ? firstSample / fsHz : 0,
    beatSamples: state.beatSamples.filter((s) => s >= firstSample && s < available).map((s) => s - firstSample),
    info: {
      sessionId: info.sessionId,
      patientId: info.patientId,
      operator: info.operator,
      protocol: info.protocol,
      source: info.source,
      deviceSerial: null,
      sampleRateHz: state.device.measuredRateHz ?? info.nominalRateHz,
      startedAt: info.startedAt,
      durationS: fsHz > 0 ? available / fsHz : null,
      filter: info.filter,
      mainsHz: info.mainsHz,
    },
    measurements,
  };
}

/**
 * Writes the report of the last 10 s to `pdfPath`. The samples are copied at once; the PDF is
 * built on a worker thread, so the screen stays live meanwhile.
 */
export async function writeLiveReport(
  state: LiveState,
  options: { pdfPath: string; paper?: Paper; summary?: SessionSummary },
): Promise<WrittenReport> {
  const input = reportInputFromLive(state, options.paper ?? 'a4', options.summary ?? null);
  if (input.fsHz <= 0 || input.leads.length === 0) throw new Error('no signal yet: nothing to report');
  const pdf = await buildReportPdfOffThread(input);
  await writeFile(options.pdfPath, pdf);
  return {
    pdfPath: options.pdfPath,
    bytes: pdf.byteLength,
    pdf,
    sessionId: state.info.sessionId,
    metadata: reportMetadata(input, basename(options.pdfPath)),
  };
}
