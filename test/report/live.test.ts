import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { reportInputFromLive, writeLiveReport } from '../../src/report/index.js';
import { emptySummary } from '../../src/session/summary.js';
import type { LiveState } from '../../src/session/types.js';
import { pdfInfo, pdfText, tempDir } from './helpers.js';

const temp = tempDir('ecg-live-report-');
afterAll(() => temp.remove());

const FS_HZ = 250;

/** A running session 42 s in: 12 s ring buffers that have wrapped, sample i holding the value i. */
function liveState(written: number): LiveState {
  const capacity = 12 * FS_HZ;
  const traces = ['I', 'II', 'III'].map((lead, leadIndex) => {
    const samples = new Float32Array(capacity);
    for (let i = Math.max(0, written - capacity); i < written; i += 1) samples[i % capacity] = i + leadIndex * 0.25;
    return { lead, samples, written, leadOff: false };
  });
  return {
    info: {
      sessionId: 'live-7',
      startedAt: '2026-11-24T10:00:00.000Z',
      protocol: 'openbci',
      source: '/dev/ttyUSB1',
      nominalRateHz: FS_HZ,
      leads: ['I', 'II', 'III'],
      filter: 'monitor',
      mainsHz: 60,
      patientId: 'P-9',
      operator: null,
    },
    revision: 1,
    device: { state: 'streaming', message: null, measuredRateHz: 249.8, droppedFrames: 2, badFrames: 0, lastSampleAtMs: 0 },
    metrics: {
      t: 40,
      heartRateBpm: 64.4,
      rrMs: 932,
      prMs: 150,
      qrsMs: 92,
      qtMs: 380,
      qtcBazettMs: 394,
      qtcFridericiaMs: 389,
      signalQuality: 0.71,
      leadOff: false,
      droppedFrames: 2,
      measuredRateHz: 249.8,
    },
    traces,
    beatSamples: [written - 3000, written - 2000, written - 1000, written - 10],
    queue: null,
    notice: null,
  } as unknown as LiveState;
}

describe('report of the live session', () => {
  it('copies the last 10 s out of wrapped ring buffers in time order', () => {
    const written = 42 * FS_HZ;
    const input = reportInputFromLive(liveState(written));
    expect(input.fsHz).toBe(FS_HZ);
    expect(input.windowStartS).toBe(32);
    expect(input.leads.map((lead) => lead.name)).toEqual(['I', 'II', 'III']);
    const ii = input.leads[1]!.uV;
    expect(ii.length).toBe(10 * FS_HZ);
    expect(ii[0]).toBe(written - 10 * FS_HZ + 0.25);
    expect(ii[ii.length - 1]).toBe(written - 1 + 0.25);
    expect(input.beatSamples).toEqual([10 * FS_HZ - 2000, 10 * FS_HZ - 1000, 10 * FS_HZ - 10]);
    expect(input.info.durationS).toBe(42);
  });

  it('shows what there is when the session is younger than 10 s', () => {
    const input = reportInputFromLive(liveState(3 * FS_HZ));
    expect(input.windowStartS).toBe(0);
    expect(input.leads[0]!.uV.length).toBe(3 * FS_HZ);
  });

  it('writes the PDF with the live metrics', async () => {
    const pdfPath = join(temp.path, 'live.pdf');
    const written = await writeLiveReport(liveState(42 * FS_HZ), { pdfPath, paper: 'letter' });
    expect(written.sessionId).toBe('live-7');
    expect(written.metadata).toMatchObject({ session_id: 'live-7', window_start_s: 32, window_s: 10, heart_rate: 64 });
    expect(pdfInfo(pdfPath).sizeName).toBe('letter');
    const text = pdfText(pdfPath);
    for (const words of ['live-7', 'P-9', 'openbci, /dev/ttyUSB1', '249.8 Hz', 'monitor 0.5–40 Hz, notch 60 Hz', '32.0–42.0 s',
      '64 bpm', '932 ms', '150 ms', '92 ms', '380 ms', '394 ms', '389 ms', '71 % (fair)']) {
      expect(text).toContain(words);
    }
  });
});

describe('report of the live session with its running summary', () => {
  it('prints the beats, heart-rate range and lead-off periods of the session so far', async () => {
    const summary = {
      ...emptySummary(),
      beats: 51,
      heart_rate_min: 58,
      heart_rate_max: 71,
      duration_s: 42,
      lead_off_periods: [{ start_s: 12.5, end_s: 14 }, { start_s: 40, end_s: null }],
    };
    const input = reportInputFromLive(liveState(42 * FS_HZ), 'a4', summary);
    expect(input.measurements).toMatchObject({ beats: 51, heartRateMinBpm: 58, heartRateMaxBpm: 71 });
    // A period still open ends at the session's present.
    expect(input.measurements.leadOffPeriods).toEqual([
      { startS: 12.5, endS: 14, lead: null },
      { startS: 40, endS: 42, lead: null },
    ]);
    const pdfPath = join(temp.path, 'live-summary.pdf');
    await writeLiveReport(liveState(42 * FS_HZ), { pdfPath, summary });
    const text = pdfText(pdfPath);
    for (const words of ['64 bpm (58–71)', '51', '2: 12.5–14.0 s, 40.0–42.0 s']) expect(text).toContain(words);
  });
});

describe('PDF built on a worker thread', () => {
  const compiled = join(process.cwd(), 'dist', 'report', 'off-thread.js');
  it.skipIf(!existsSync(compiled))('builds the report from the compiled worker', async () => {
    const offThread = (await import(pathToFileURL(compiled).href)) as typeof import('../../src/report/off-thread.js');
    const input = reportInputFromLive(liveState(42 * FS_HZ), 'a4');
    try {
      const pdf = await offThread.buildReportPdfOffThread(input);
      expect(Buffer.from(pdf.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
      const pdfPath = join(temp.path, 'worker.pdf');
      writeFileSync(pdfPath, pdf);
      expect(pdfText(pdfPath)).toContain('live-7');
      expect(pdfInfo(pdfPath).sizeName).toBe('A4');
    } finally {
      await offThread.stopReportWorker();
    }
  });
});
