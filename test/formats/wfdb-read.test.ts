import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findEcgDataDir } from '../../src/data-dir.js';
import { isBeatCode, readAnnotations } from '../../src/formats/annotations.js';
import { findSignal, readRecord, signalMicrovolts, verifyRecord } from '../../src/formats/wfdb.js';

const dataDir = findEcgDataDir();
if (!dataDir) console.warn('shared ECG data not found (set ECG_DATA_DIR): skipping the PhysioNet reader tests');
const withData = dataDir ? describe : describe.skip;
const path = (name: string) => join(dataDir ?? '', name);

withData('reading PhysioNet records', () => {
  it('reads MIT-BIH 100: 650000 x 2 samples, format 212, checksums and initial values match', () => {
    const record = readRecord(path('100'));
    expect(record.header.fsHz).toBe(360);
    expect(record.header.sampleCount).toBe(650000);
    expect(record.digital.map((d) => d.length)).toEqual([650000, 650000]);
    expect(record.digital[0]![0]).toBe(995);
    expect(record.digital[1]![0]).toBe(1011);
    expect(verifyRecord(record)).toEqual([
      { description: 'MLII', checksumOk: true, initialValueOk: true },
      { description: 'V5', checksumOk: true, initialValueOk: true },
    ]);
    expect(findSignal(record.header, 'mlii')).toBe(0);
    // (995 - 1024) / 200 mV
    expect(signalMicrovolts(record, 0)[0]).toBeCloseTo(-145, 3);
  });

  it('reads 100.atr: 2273 beats plus one rhythm label with its AUX text', () => {
    const annotations = readAnnotations(path('100.atr'), 360);
    expect(annotations.filter((a) => isBeatCode(a.code))).toHaveLength(2273);
    const rhythm = annotations.filter((a) => !isBeatCode(a.code));
    expect(rhythm).toHaveLength(1);
    expect(rhythm[0]).toMatchObject({ symbol: '+', aux: '(N', sample: 18 });
    const samples = annotations.map((a) => a.sample);
    expect(samples).toEqual([...samples].sort((a, b) => a - b));
    expect(samples.at(-1)).toBeLessThan(650000);
  });

  it('reads PTB s0010_re: 15 signals x 38400 samples, format 16, all checksums match', () => {
    const record = readRecord(path('s0010_re'));
    expect(record.header.signalCount).toBe(15);
    expect(record.header.sampleCount).toBe(38400);
    expect(record.header.fsHz).toBe(1000);
    const checks = verifyRecord(record);
    expect(checks.every((c) => c.checksumOk && c.initialValueOk)).toBe(true);
    expect(record.header.signals.map((s) => s.description).slice(0, 3)).toEqual(['i', 'ii', 'iii']);
    expect(record.header.signals[0]!.gain).toBe(2000);
  });

  it('reads a QT Database header with a 250/360 sampling/counter frequency and its .q1c wave marks', () => {
    const record = readRecord(path('qtdb/sel100'));
    expect(record.header.fsHz).toBe(250);
    expect(record.header.counterFsHz).toBe(360);
    expect(record.header.sampleCount).toBe(225000);
    expect(verifyRecord(record).every((c) => c.checksumOk && c.initialValueOk)).toBe(true);
    const marks = readAnnotations(path('qtdb/sel100.q1c'), 250);
    const symbols = new Set(marks.map((m) => m.symbol));
    for (const symbol of ['(', ')', 'N', 't']) expect(symbols.has(symbol)).toBe(true);
    expect(marks.every((m) => m.sample < 225000)).toBe(true);
    const beats = readAnnotations(path('qtdb/sel100.atr'), 250).filter((a) => isBeatCode(a.code));
    expect(beats.length).toBeGreaterThan(1000);
  });

  it('reads a LUDB record: per-lead gain and baseline, /mV units, and per-lead wave boundaries', () => {
    const record = readRecord(path('ludb/1'));
    expect(record.header.signalCount).toBe(12);
    expect(record.header.fsHz).toBe(500);
    const leadI = record.header.signals[0]!;
    expect(leadI).toMatchObject({ gain: 1716, baseline: 6, units: 'mV', adcZero: 0, description: 'i' });
    expect(verifyRecord(record).every((c) => c.checksumOk && c.initialValueOk)).toBe(true);
    expect(signalMicrovolts(record, 0)[0]).toBeCloseTo(((-120 - 6) / 1716) * 1000, 3);
    const marks = readAnnotations(path('ludb/1.ii'), 500);
    expect(marks.slice(0, 3).map((m) => m.symbol)).toEqual(['(', 'N', ')']);
    expect(marks.every((m) => m.sample < 5000)).toBe(true);
  });
});
