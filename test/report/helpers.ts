/** Shared by the report tests: real poppler tools, a session directory made from a real record. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findEcgDataDir } from '../../src/data-dir.js';
import { encodeAnnotations, isBeatCode, readAnnotations } from '../../src/formats/annotations.js';
import { readRecord, signalMicrovolts } from '../../src/formats/wfdb.js';

export const dataDir = findEcgDataDir();
export const skipMessage = dataDir ? '' : 'shared ECG data not found (shared/data/ecg or ECG_DATA_DIR): report tests skipped';
if (!dataDir) console.warn(skipMessage);

export function tempDir(prefix = 'ecg-report-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export function pdfText(pdfPath: string, layout = false): string {
  return execFileSync('pdftotext', [...(layout ? ['-layout'] : []), pdfPath, '-'], { encoding: 'utf8' });
}

export function pdfInfo(pdfPath: string): { pages: number; widthPt: number; heightPt: number; sizeName: string } {
  const text = execFileSync('pdfinfo', [pdfPath], { encoding: 'utf8' });
  const size = /Page size:\s+([\d.]+) x ([\d.]+) pts(?: \((\w+)\))?/.exec(text);
  const pages = /Pages:\s+(\d+)/.exec(text);
  if (!size || !pages) throw new Error(`unexpected pdfinfo output:\n${text}`);
  return { pages: Number(pages[1]), widthPt: Number(size[1]), heightPt: Number(size[2]), sizeName: size[3] ?? '' };
}

export interface Image {
  width: number;
  height: number;
  rgb: Uint8Array;
}

/** Renders one page with pdftoppm at `dpi` and reads the binary PPM it writes. */
export function renderPage(pdfPath: string, dpi: number, page = 1): Image {
  const ppm = execFileSync('pdftoppm', ['-r', String(dpi), '-f', String(page), '-l', String(page), pdfPath], {
    maxBuffer: 256 * 1024 * 1024,
  });
  const header = /^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(ppm.subarray(0, 64).toString('latin1'));
  if (!header) throw new Error('pdftoppm did not write a binary PPM');
  const width = Number(header[1]);
  const height = Number(header[2]);
  const offset = header[0].length;
  return { width, height, rgb: new Uint8Array(ppm.buffer, ppm.byteOffset + offset, width * height * 3) };
}

export function pixel(image: Image, x: number, y: number): [number, number, number] {
  const i = (y * image.width + x) * 3;
  return [image.rgb[i]!, image.rgb[i + 1]!, image.rgb[i + 2]!];
}

/** Pink or red grid ink: clearly more red than green and blue. */
export function isGridInk([r, g, b]: [number, number, number]): boolean {
  return r > 150 && r - g > 25 && r - b > 25;
}

/** Trace ink: dark and grey (black), not grid red. */
export function isTraceInk([r, g, b]: [number, number, number]): boolean {
  return r < 110 && g < 110 && b < 110;
}

export interface SessionFixture {
  dir: string;
  sessionId: string;
  fsHz: number;
  /** Reference beats copied into the session's .atr. */
  beatSamples: number[];
  remove: () => void;
}

/**
 * A session directory as the recorder writes it, made from the first `seconds` of a real record:
 * format 16 µV samples (gain 1000/mV), its reference beats as the `.atr`, and `session.json`.
 */
export function makeSessionFromRecord(
  recordName: string,
  options: { seconds: number; sessionId?: string; summary?: Record<string, unknown>; extra?: Record<string, unknown> },
): SessionFixture {
  if (!dataDir) throw new Error(skipMessage);
  const record = readRecord(join(dataDir, `${recordName}.hea`));
  const fsHz = record.header.fsHz;
  const count = Math.min(record.header.sampleCount ?? 0, Math.round(options.seconds * fsHz));
  const signals = record.header.signals.map((_, i) => signalMicrovolts(record, i).subarray(0, count));
  const leads = record.header.signals.map((spec) => spec.description);
  const sessionId = options.sessionId ?? `fixture-${recordName}`;
  const temp = tempDir('ecg-session-');
  const dir = join(temp.path, sessionId);
  mkdirSync(dir);

  const frame = Buffer.alloc(count * signals.length * 2);
  for (let s = 0; s < count; s += 1) {
    signals.forEach((signal, lead) => {
      const value = Math.max(-32767, Math.min(32767, Math.round(signal[s]!)));
      frame.writeInt16LE(value, (s * signals.length + lead) * 2);
    });
  }
  writeFileSync(join(dir, `${sessionId}.dat`), frame);
  const lines = [`${sessionId} ${signals.length} ${fsHz} ${count}`];
  leads.forEach((lead) => lines.push(`${sessionId}.dat 16 1000/mV 16 0 0 0 0 ${lead}`));
  writeFileSync(join(dir, `${sessionId}.hea`), `${lines.join('\n')}\n`);

  const atrPath = join(dataDir, `${recordName}.atr`);
  const beats = existsSync(atrPath) ? readAnnotations(atrPath, fsHz).filter((a) => isBeatCode(a.code) && a.sample < count) : [];
  if (beats.length > 0) writeFileSync(join(dir, `${sessionId}.atr`), encodeAnnotations(beats.map((a) => ({ sample: a.sample, code: a.code }))));
  const session = {
    session_id: sessionId,
    started_at: '2026-11-24T09:30:00.000Z',
    ended_at: new Date(Date.parse('2026-11-24T09:30:00.000Z') + options.seconds * 1000).toISOString(),
    duration_s: count / fsHz,
    device: { protocol: 'ascii', source: `${recordName}.hea` },
    sample_rate_hz: fsHz,
    leads,
    filter: 'monitor',
    mains_hz: 50,
    ...(options.extra ?? {}),
    ...(options.summary ? { summary: options.summary } : {}),
  };
  writeFileSync(join(dir, 'session.json'), JSON.stringify(session, null, 2));
  return { dir, sessionId, fsHz, beatSamples: beats.map((a) => a.sample), remove: temp.remove };
}
