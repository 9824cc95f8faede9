import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isBeatCode, readAnnotations } from '../../src/formats/annotations.js';
import { dataDir, pdfInfo, pdfText, tempDir } from '../report/helpers.js';

const BIN = resolve('bin/ecg-monitor.js');
const temp = tempDir('ecg-report-session-');
afterAll(() => temp.remove());

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: temp.path, env: { PATH: process.env.PATH ?? '', HOME: temp.path, ECG_LOG_FILE: join(temp.path, 'ecg.log') }, timeout: 90_000 },
      (error, stdout, stderr) => done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe.skipIf(!dataDir)('report of a session recorded from MIT-BIH 100 (real binary, both commands)', () => {
  it('prints the recorded heart rate, close to the cardiologists\' annotations', async () => {
    const out = join(temp.path, 'recordings');
    const queueDir = join(temp.path, 'queue');
    const recorded = await cli(['record', '--simulate', join(dataDir!, '100.hea'), '--duration', '15s', '--no-tui', '--json',
      '--session-id', 'e2e-100', '--patient-id', 'P-100', '--out', out, '--queue-dir', queueDir]);
    expect(recorded.code).toBe(0);
    const sessionDir = join(out, 'e2e-100');
    expect(existsSync(join(sessionDir, 'session.json'))).toBe(true);

    const reported = await cli(['report', sessionDir, '--queue-dir', queueDir]);
    expect(reported.code).toBe(0);
    const pdfPath = reported.stdout.trim();
    expect(pdfPath).toBe(join(sessionDir, 'report.pdf'));
    expect(pdfInfo(pdfPath).widthPt).toBeGreaterThan(pdfInfo(pdfPath).heightPt);
    const text = pdfText(pdfPath);
    expect(text).toContain('P-100');
    expect(text).toContain('e2e-100');
    expect(text).toMatch(/Shown: \d+\.\d–\d+\.\d s/);

    // The reference: mean heart rate of the annotated beats over the recorded 15 s.
    const fsHz = 360;
    const beats = readAnnotations(join(dataDir!, '100.atr'), fsHz).filter((a) => isBeatCode(a.code) && a.sample < 15 * fsHz);
    const referenceBpm = (60 * (beats.length - 1)) / ((beats[beats.length - 1]!.sample - beats[0]!.sample) / fsHz);
    const printed = /(\d+) bpm/.exec(text);
    expect(printed).not.toBeNull();
    expect(Math.abs(Number(printed![1]) - referenceBpm)).toBeLessThanOrEqual(3);

    const list = await cli(['queue', 'list', '--json', '--queue-dir', queueDir]);
    const reports = (JSON.parse(list.stdout) as { type: string; session_id: string; priority: number }[]).filter((i) => i.type === 'report');
    expect(reports).toEqual([expect.objectContaining({ session_id: 'e2e-100', priority: 2 })]);
  });
});
