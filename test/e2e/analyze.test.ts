import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findEcgDataDir } from '../../src/data-dir.js';
import { createSyntheticEcg } from '../../src/device/synthetic.js';
import { analyzeSignals } from '../../src/dsp/analyze.js';
import type { Intervals } from '../../src/dsp/types.js';
import { writeRecord } from '../../src/formats/wfdb-writer.js';
import { readRecord, signalMicrovolts } from '../../src/formats/wfdb.js';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'ecg-monitor.js');
const dataDir = findEcgDataDir();
const hasScript = spawnSync('script', ['--version']).status === 0;
if (!hasScript) console.log('analyze e2e: `script` (util-linux) not found; the terminal progress test is skipped');

function analyze(...args: string[]) {
  const child = spawnSync(process.execPath, [bin, 'analyze', ...args], { encoding: 'utf8', env: { ...process.env, ECG_LOG_FILE: join(work, 'log.txt') } });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

// Runs the built binary: `npm test` builds first (pretest); otherwise run `npx tsc -p .`.
let work = '';
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'ecg-analyze-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('ecg-monitor analyze', () => {
  it.skipIf(!dataDir)('prints the CONTRACTS JSON for MIT-BIH 100', () => {
    const { code, stdout, stderr } = analyze(join(dataDir!, '100.hea'), '--json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(Object.keys(doc).sort()).toEqual(['beats', 'fs', 'lead', 'metrics']);
    expect(doc.fs).toBe(360);
    expect(doc.lead).toBe('MLII');
    expect(doc.beats.length).toBeGreaterThan(2260);
    expect(doc.beats.length).toBeLessThan(2285);
    expect(doc.beats[10]).toEqual({ sample: expect.any(Number), t: expect.any(Number) });
    expect(doc.beats[10].t).toBeCloseTo(doc.beats[10].sample / 360, 3);
    expect(Object.keys(doc.metrics).sort()).toEqual(['heart_rate', 'pr_ms', 'qrs_ms', 'qt_ms', 'qtc_ms']);
    expect(doc.metrics.heart_rate).toBeGreaterThan(70);
    expect(doc.metrics.heart_rate).toBeLessThan(80);
  });

  it.skipIf(!dataDir)('reads the record as it goes and reports what the whole record in memory gives (MIT-BIH 100, 40 read chunks)', () => {
    const record = readRecord(join(dataDir!, '100'));
    const input = {
      fsHz: record.header.fsHz,
      leads: record.header.signals.map((s) => s.description),
      signalsUv: record.header.signals.map((_, i) => signalMicrovolts(record, i)),
    };
    const inMemory = analyzeSignals(input);
    const doc = JSON.parse(analyze(join(dataDir!, '100.hea'), '--json').stdout);
    expect(doc.beats.map((b: { sample: number }) => b.sample)).toEqual(inMemory.beats.map((b) => b.sample));
    const { prMs, qrsMs, qtMs, qtcBazettMs } = inMemory.intervals;
    expect([doc.metrics.pr_ms, doc.metrics.qrs_ms, doc.metrics.qt_ms, doc.metrics.qtc_ms]).toEqual(
      [prMs, qrsMs, qtMs, qtcBazettMs].map((v) => (v === null ? null : Math.round(v))),
    );
  });

  it.skipIf(!dataDir)('analyzes another lead on request, and refuses an unknown one with exit 2', () => {
    const v5 = analyze(join(dataDir!, '100'), '--lead', 'V5', '--json');
    expect(v5.code).toBe(0);
    expect(JSON.parse(v5.stdout).lead).toBe('V5');
    const missing = analyze(join(dataDir!, '100.hea'), '--lead', 'V9');
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/V9.*MLII, V5/);
  });

  it.skipIf(!dataDir)('measures a named lead on its own, and a 12-lead record on lead II alone without --lead (LUDB 1)', () => {
    const record = readRecord(join(dataDir!, 'ludb', '1'));
    const input = {
      fsHz: record.header.fsHz,
      leads: record.header.signals.map((s) => s.description),
      signalsUv: record.header.signals.map((_, i) => signalMicrovolts(record, i)),
    };
    const metricsOf = (intervals: Intervals) => [intervals.prMs, intervals.qrsMs, intervals.qtMs].map((v) => (v === null ? null : Math.round(v)));
    const global = metricsOf(analyzeSignals({ ...input, intervalLeads: 'all' }).intervals);
    const leadII = metricsOf(analyzeSignals({ ...input, lead: 'ii', intervalLeads: 'analysis' }).intervals);
    expect(leadII).not.toEqual(global); // this record's lead II reads a longer QRS than the 12 leads together
    expect(metricsOf(analyzeSignals(input).intervals)).toEqual(leadII);

    const named = JSON.parse(analyze(join(dataDir!, 'ludb', '1.hea'), '--lead', 'ii', '--json').stdout);
    expect(named.lead).toBe('ii');
    expect([named.metrics.pr_ms, named.metrics.qrs_ms, named.metrics.qt_ms]).toEqual(leadII);
    const unnamed = JSON.parse(analyze(join(dataDir!, 'ludb', '1.hea'), '--json').stdout);
    expect(unnamed.lead).toBe('ii');
    expect([unnamed.metrics.pr_ms, unnamed.metrics.qrs_ms, unnamed.metrics.qt_ms]).toEqual(leadII);
  });

  it.skipIf(!dataDir)('draws the heart-rate trend with a distinct label on every row, even over a 3 bpm span (LUDB 1)', () => {
    const text = analyze(join(dataDir!, 'ludb', '1.hea'));
    expect(text.code).toBe(0);
    const labels = text.stdout.split('\n').flatMap((line) => /^\s*([\d.]+)\s+[┤┼]/.exec(line)?.[1] ?? []);
    expect(labels.length).toBe(9);
    expect(new Set(labels).size).toBe(labels.length);
  });

  it('reads a CSV file and prints a readable summary without --json', () => {
    const fsHz = 500;
    const source = createSyntheticEcg({ fsHz, hrBpm: 72, leads: ['I', 'II'], seed: 11 });
    const [lead1, lead2] = source.next(10 * fsHz);
    const lines = ['# fs=500', 'I,II_mV'];
    for (let i = 0; i < lead1!.length; i += 1) lines.push(`${lead1![i]!.toFixed(1)},${(lead2![i]! / 1000).toFixed(4)}`);
    const file = join(work, 'ten-seconds.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);

    const json = analyze(file, '--json');
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(doc.fs).toBe(500);
    expect(doc.lead).toBe('II');
    const truth = source.truth().map((t) => t.rSample);
    expect(doc.beats.length).toBe(truth.length);
    expect(Math.abs(doc.metrics.heart_rate - 72)).toBeLessThanOrEqual(1);
    expect(doc.metrics.qrs_ms).toBeGreaterThan(60);

    const text = analyze(file);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/heart rate\s+7\d\.\d bpm/);
    expect(text.stdout).toMatch(/lead II/);
  });

  it.skipIf(!hasScript)('shows its progress on a terminal for a long record, and nothing on a pipe', () => {
    const fsHz = 250;
    const source = createSyntheticEcg({ fsHz, hrBpm: 70, leads: ['II'], seed: 5 });
    const hea = writeRecord(work, 'hour', { fsHz, signals: [{ name: 'II' }], microvolts: source.next(3600 * fsHz) });

    const piped = analyze(hea, '--json');
    expect(piped.code).toBe(0);
    expect(piped.stderr).toBe('');

    // `script` runs it on a pseudo-terminal (stdout and stderr both), sized like a real one.
    const command = `stty cols 100 rows 30; '${process.execPath}' '${bin}' analyze '${hea}' --json`;
    const screen = execFileSync('script', ['-q', '-e', '-c', command, '/dev/null'], { encoding: 'utf8', env: { ...process.env, ECG_LOG_FILE: join(work, 'log.txt') } });
    const shown = [...screen.matchAll(/analyzing \S+hour\.hea: (\d+) % \(([\d.]+) h of 1\.0 h\)/g)].map((m) => Number(m[1]));
    expect(shown.length).toBeGreaterThanOrEqual(1);
    expect(shown).toEqual([...shown].sort((a, b) => a - b));
    expect(shown.every((pct) => pct >= 0 && pct <= 100)).toBe(true);
    // The progress line is gone and the JSON is whole.
    const doc = JSON.parse(/\{"fs".*\}/.exec(screen)![0]);
    expect(doc.beats.length).toBe(JSON.parse(piped.stdout).beats.length);
  });

  it.skipIf(!dataDir)("reads a CSV file as PhysioNet exports it, with the beats the WFDB record gives (MIT-BIH 100, first minute)", () => {
    const record = readRecord(join(dataDir!, '100'));
    const frames = 60 * 360;
    const [mlii, v5] = [0, 1].map((i) => signalMicrovolts(record, i).subarray(0, frames));
    // Quoted cells, a units row and clock times to the millisecond, as PhysioNet's CSV export writes.
    const lines = ["'Elapsed time','MLII','V5'", "'hh:mm:ss.mmm','mV','mV'"];
    for (let i = 0; i < frames; i += 1) {
      const t = i / 360;
      lines.push(`'${Math.floor(t / 60)}:${(t % 60).toFixed(3).padStart(6, '0')}',${(mlii![i]! / 1000).toFixed(3)},${(v5![i]! / 1000).toFixed(3)}`);
    }
    const file = join(work, 'samples.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const { code, stdout } = analyze(file, '--json');
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(doc.fs).toBe(360);
    expect(doc.lead).toBe('MLII');
    const inMemory = analyzeSignals({ fsHz: 360, leads: ['MLII', 'V5'], signalsUv: [mlii!, v5!] });
    expect(doc.beats.map((b: { sample: number }) => b.sample)).toEqual(inMemory.beats.map((b) => b.sample));
    expect(doc.beats.length).toBeGreaterThan(70);
  });

  it('exits 2 with one line for a missing or malformed file', () => {
    const missing = analyze(join(work, 'nope.hea'), '--json');
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);

    const badCsv = join(work, 'bad.csv');
    writeFileSync(badCsv, 'II\n1\n2\n');
    const bad = analyze(badCsv, '--json');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/sample rate/);

    const badHeader = join(work, 'broken.hea');
    writeFileSync(badHeader, 'broken 1 250 100\nbroken.dat 999 200 12 0 0 0 0 II\n');
    const broken = analyze(badHeader);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/format 999/);
  });
});
