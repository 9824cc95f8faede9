import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../src/report/index.js';
import { FOOTER_NOTICE } from '../../src/report/document.js';
import {
  dataDir,
  isGridInk,
  isTraceInk,
  makeSessionFromRecord,
  pdfInfo,
  pdfText,
  pixel,
  renderPage,
  tempDir,
  type Image,
} from './helpers.js';

const DPI = 254; // 10 px per mm
const PX_PER_MM = DPI / 25.4;
const temp = tempDir();
afterAll(() => temp.remove());

/** Leftmost and topmost grid ink along the page's middle row and column. */
function gridOrigin(image: Image): { x: number; y: number } {
  const midX = Math.round(image.width / 2);
  let y = Math.round(image.height * 0.15);
  while (y < image.height && !isGridInk(pixel(image, midX, y))) y += 1;
  const rowY = y + Math.round(2.5 * PX_PER_MM);
  let x = 0;
  while (x < image.width && !isGridInk(pixel(image, x, rowY))) x += 1;
  return { x, y };
}

/** Centres of runs of grid ink along pixel row y, between x0 and x1. */
function gridColumnCentres(image: Image, y: number, x0: number, x1: number): number[] {
  const centres: number[] = [];
  let runStart = -1;
  for (let x = x0; x <= x1; x += 1) {
    const ink = x < x1 && isGridInk(pixel(image, x, y));
    if (ink && runStart < 0) runStart = x;
    if (!ink && runStart >= 0) {
      centres.push((runStart + x - 1) / 2);
      runStart = -1;
    }
  }
  return centres;
}

/** Longest vertical run of trace ink in column x between y0 and y1: [length, start]. */
function longestDarkRun(image: Image, x: number, y0: number, y1: number): [number, number] {
  let best: [number, number] = [0, 0];
  let start = -1;
  for (let y = y0; y <= y1; y += 1) {
    const ink = y < y1 && isTraceInk(pixel(image, x, y));
    if (ink && start < 0) start = y;
    if (!ink && start >= 0) {
      if (y - start > best[0]) best = [y - start, start];
      start = -1;
    }
  }
  return best;
}

/** Calibration pulses: vertical dark runs in the first 9 mm of the grid, one per row. */
function calibrationPulses(image: Image): number[] {
  const origin = gridOrigin(image);
  const heights: number[] = [];
  let y = origin.y;
  const yEnd = image.height - Math.round(10 * PX_PER_MM);
  while (y < yEnd) {
    let best: [number, number] = [0, 0];
    for (let x = origin.x; x < origin.x + Math.round(9 * PX_PER_MM); x += 1) {
      const run = longestDarkRun(image, x, y, Math.min(yEnd, y + Math.round(45 * PX_PER_MM)));
      if (run[0] > best[0]) best = run;
    }
    if (best[0] < 5 * PX_PER_MM) break;
    heights.push(best[0]);
    y = best[1] + best[0] + Math.round(5 * PX_PER_MM);
  }
  return heights;
}

describe.skipIf(!dataDir)('12-lead report of PTB s0010_re', () => {
  const pdfPath = join(temp.path, 's0010_re.pdf');
  let bytes = 0;

  it('writes an A4 landscape PDF of at most 1 MB', async () => {
    const written = await writeReport(join(dataDir!, 's0010_re.hea'), { paper: 'a4', out: pdfPath });
    bytes = written.bytes;
    expect(written.pdfPath).toBe(pdfPath);
    expect(bytes).toBeLessThanOrEqual(1024 * 1024);
    const info = pdfInfo(pdfPath);
    expect(info.pages).toBe(1);
    expect(info.widthPt).toBeGreaterThan(info.heightPt);
    expect(info.sizeName).toBe('A4');
    expect(info.widthPt).toBeCloseTo(841.89, 1);
  });

  it('prints the header, the units, the twelve lead labels and the footer', () => {
    const text = pdfText(pdfPath);
    for (const words of ['25 mm/s', '10 mm/mV', 'Session:', 's0010_re', 'Sample rate:', '1000 Hz', 'Duration:', '38.4 s',
      'Filter:', 'diagnostic 0.05–150 Hz', 'no notch', 'Shown:', '2.0–12.0 s', 'HR', 'QTc Bazett', 'QTc Fridericia',
      'Signal quality', 'Dropped frames', 'Lead-off', FOOTER_NOTICE, 'page 1/1', 'ecg-monitor ']) {
      expect(text).toContain(words);
    }
    for (const lead of ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6']) {
      expect(text.split(/\s+/)).toContain(lead);
    }
    // Lead II appears twice: in its column and as the rhythm strip.
    expect(text.split(/\s+/).filter((word) => word === 'II')).toHaveLength(2);
  });

  it('draws grid lines 1 mm apart and a 10 mm calibration pulse on each of the 4 rows', () => {
    const image = renderPage(pdfPath, DPI);
    const origin = gridOrigin(image);
    // A pixel row just under the grid's top edge: only vertical grid lines (and a few labels) cross it.
    const y = origin.y + Math.round(0.5 * PX_PER_MM);
    const centres = gridColumnCentres(image, y, origin.x, origin.x + Math.round(250 * PX_PER_MM));
    const gaps = centres.slice(1).map((c, i) => c - centres[i]!);
    const oneMm = gaps.filter((gap) => Math.abs(gap - PX_PER_MM) <= 1);
    expect(centres.length).toBeGreaterThan(200);
    expect(oneMm.length / gaps.length).toBeGreaterThan(0.9);
    const pulses = calibrationPulses(image);
    expect(pulses).toHaveLength(4);
    for (const height of pulses) expect(Math.abs(height - 10 * PX_PER_MM)).toBeLessThanOrEqual(3);
  });
});

describe.skipIf(!dataDir)('12-lead report at 500 Hz (LUDB 1)', () => {
  it('uses the 3x4 layout and stays under 1 MB', async () => {
    const written = await writeReport(join(dataDir!, 'ludb', '1.hea'), { paper: 'a4', out: join(temp.path, 'ludb1.pdf') });
    expect(written.bytes).toBeLessThanOrEqual(1024 * 1024);
    expect(written.metadata.sample_rate_hz).toBe(500);
    const words = pdfText(written.pdfPath).split(/\s+/);
    expect(words.filter((word) => word === 'II')).toHaveLength(2);
    expect(calibrationPulses(renderPage(written.pdfPath, DPI))).toHaveLength(4);
  });
});

describe.skipIf(!dataDir)('few-lead reports', () => {
  it('prints one 10 s strip per lead of MIT-BIH 100 on US Letter', async () => {
    const pdfPath = join(temp.path, '100.pdf');
    await writeReport(join(dataDir!, '100.hea'), { paper: 'letter', out: pdfPath, fromS: 60 });
    const info = pdfInfo(pdfPath);
    expect(info.sizeName).toBe('letter');
    expect(info.widthPt).toBe(792);
    expect(info.heightPt).toBe(612);
    const text = pdfText(pdfPath);
    expect(text).toContain('MLII');
    expect(text).toContain('V5');
    expect(text).toContain('60.0–70.0 s');
    expect(text).toContain('360 Hz');
    const image = renderPage(pdfPath, DPI);
    expect(calibrationPulses(image)).toHaveLength(2);
  });

  it('spreads 11 leads over pages of four strips with page x/y in the footer', async () => {
    // LUDB record 1 without lead V6: not a full 12-lead set, so one strip per lead.
    const session = makeSessionFromRecord('ludb/1', { seconds: 10, sessionId: 'ludb-11' });
    try {
      const headerPath = join(session.dir, 'ludb-11.hea');
      const lines = readFileSync(headerPath, 'utf8').trim().split('\n');
      const renamed = lines.map((line) => (/ v6$/i.test(line) ? line.replace(/ v6$/i, ' V6b') : line));
      writeFileSync(headerPath, `${renamed.join('\n')}\n`);
      const pdfPath = join(temp.path, 'ludb-11.pdf');
      const written = await writeReport(session.dir, { paper: 'a4', out: pdfPath });
      expect(pdfInfo(pdfPath).pages).toBe(3);
      const text = pdfText(pdfPath);
      expect(text).toContain('page 1/3');
      expect(text).toContain('page 3/3');
      expect(text).toContain('V6b');
      expect(written.bytes).toBeLessThanOrEqual(1024 * 1024);
    } finally {
      session.remove();
    }
  });
});

describe.skipIf(!dataDir)('report of a recorded session directory', () => {
  it('shows the last 10 s, the session header and the summary measurements', async () => {
    const session = makeSessionFromRecord('100', {
      seconds: 60,
      sessionId: 'S-2026-0042',
      extra: { patient_id: 'P-123', operator: 'J. Tech', device: { protocol: 'ascii', source: '/dev/ttyUSB0', serial: 'AD8232-7' } },
      summary: {
        beats: 74,
        heart_rate_mean: 73.6,
        heart_rate_min: 61.2,
        heart_rate_max: 88.9,
        rr_ms: 815,
        pr_ms: 164,
        qrs_ms: 88,
        qt_ms: 372,
        qtc_ms: 412,
        qtcf_ms: 398,
        signal_quality: 0.93,
        dropped_frames: 3,
        lead_off_periods: [{ start_s: 12.5, end_s: 14, lead: 'V5' }],
      },
    });
    try {
      const written = await writeReport(session.dir, { paper: 'a4' });
      expect(written.pdfPath).toBe(join(session.dir, 'report.pdf'));
      expect(written.sessionId).toBe('S-2026-0042');
      expect(written.metadata.window_start_s).toBe(50);
      const text = pdfText(written.pdfPath);
      for (const words of ['P-123', 'J. Tech', 'S-2026-0042', 'ascii, /dev/ttyUSB0, serial AD8232-7', '360 Hz', '1 min 0 s',
        'monitor 0.5–40 Hz, notch 50 Hz', '50.0–60.0 s', '74 bpm (61–89)', '815 ms', '164 ms', '88 ms', '372 ms', '412 ms',
        '398 ms', '93 % (good)', '1: 12.5–14.0 s (V5)']) {
        expect(text).toContain(words);
      }
    } finally {
      session.remove();
    }
  });

  it('falls back to the beats file for the heart rate when the summary has none', async () => {
    const session = makeSessionFromRecord('100', { seconds: 60 });
    try {
      const rrS = session.beatSamples.slice(1).map((s, i) => (s - session.beatSamples[i]!) / session.fsHz);
      const expectedBpm = Math.round(60 / (rrS.reduce((a, b) => a + b, 0) / rrS.length));
      const written = await writeReport(session.dir, { paper: 'a4', out: join(temp.path, 'fallback.pdf') });
      const text = pdfText(written.pdfPath);
      expect(text).toContain(`${expectedBpm} bpm`);
      expect(text).toContain(String(session.beatSamples.length));
      expect(written.metadata.heart_rate).toBe(expectedBpm);
    } finally {
      session.remove();
    }
  });
});
