import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainAnalyzeArgs } from '../../src/cli.js';
import { findEcgDataDir } from '../../src/data-dir.js';
import { createSyntheticEcg } from '../../src/device/synthetic.js';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'ecg-monitor.js');
const dataDir = findEcgDataDir();
let work = '';

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'ecg-plain-analyze-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(args: string[]) {
  const child = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ECG_LOG_FILE: join(work, 'log.txt') },
  });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

/**
 * The same command through the plain path and through yargs: `--queue-dir` is a global option
 * that `analyze` ignores, and the plain path hands it to yargs.
 */
function expectSameOnBothPaths(args: string[]) {
  expect(plainAnalyzeArgs(args)).not.toBeNull();
  expect(plainAnalyzeArgs([...args, '--queue-dir', work])).toBeNull();
  const plain = run(args);
  const full = run([...args, '--queue-dir', work]);
  expect(plain).toEqual(full);
  return plain;
}

describe('the plain analyze path', () => {
  it('reads the simple forms', () => {
    expect(plainAnalyzeArgs(['analyze', 'a.hea'])).toEqual({ file: 'a.hea', lead: undefined, json: false, verbose: undefined });
    expect(plainAnalyzeArgs(['analyze', '--json', 'a.hea', '--lead', 'V5'])).toEqual({ file: 'a.hea', lead: 'V5', json: true, verbose: undefined });
    expect(plainAnalyzeArgs(['analyze', 'a.csv', '--lead=II', '--verbose'])).toEqual({ file: 'a.csv', lead: 'II', json: false, verbose: true });
  });

  it('leaves everything else to yargs', () => {
    for (const args of [
      [],
      ['analyze'],
      ['--json', 'analyze', 'a.hea'],
      ['report', 'a.hea'],
      ['analyze', 'a.hea', 'b.hea'],
      ['analyze', 'a.hea', '--help'],
      ['analyze', 'a.hea', '-h'],
      ['analyze', 'a.hea', '--version'],
      ['analyze', 'a.hea', '--lead'],
      ['analyze', 'a.hea', '--lead', 'II', '--lead', 'V5'],
      ['analyze', 'a.hea', '--json', '--json'],
      ['analyze', 'a.hea', '--json=true'],
      ['analyze', 'a.hea', '--no-json'],
      ['analyze', 'a.hea', '--lead='],
      ['analyze', 'a.hea', '--lead', '"II"'],
      ['analyze', "'a.hea'"],
      ['analyze', 'a.hea', '--', 'b'],
      ['analyze', 'a.hea', '--env-file', '.env'],
      ['analyze', 'a.hea', '--unknown'],
    ]) {
      expect(plainAnalyzeArgs(args), args.join(' ')).toBeNull();
    }
  });

  it('prints the same bytes and exit codes as the full CLI (CSV: summary, JSON, a lead, errors)', () => {
    const fsHz = 250;
    const source = createSyntheticEcg({ fsHz, hrBpm: 66, leads: ['I', 'II'], seed: 5 });
    const [lead1, lead2] = source.next(12 * fsHz);
    const lines = ['# fs=250', 'I,II'];
    for (let i = 0; i < lead1!.length; i += 1) lines.push(`${lead1![i]!.toFixed(1)},${lead2![i]!.toFixed(1)}`);
    const file = join(work, 'twelve-seconds.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);

    const json = expectSameOnBothPaths(['analyze', file, '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).beats.length).toBe(source.truth().length);
    expect(expectSameOnBothPaths(['analyze', file]).stdout).toMatch(/heart rate\s+6\d\.\d bpm/);
    expect(JSON.parse(expectSameOnBothPaths(['analyze', file, '--lead=I', '--json']).stdout).lead).toBe('I');

    const unknownLead = expectSameOnBothPaths(['analyze', file, '--lead', 'V9']);
    expect(unknownLead.code).toBe(2);
    expect(unknownLead.stderr).toMatch(/no lead "V9"/);
    const missing = expectSameOnBothPaths(['analyze', join(work, 'nope.hea'), '--json']);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
  });

  it.skipIf(!dataDir)('prints the same bytes as the full CLI for MIT-BIH 100 and a LUDB record', () => {
    const record = expectSameOnBothPaths(['analyze', join(dataDir!, '100.hea'), '--json']);
    expect(record.code).toBe(0);
    expect(JSON.parse(record.stdout).beats.length).toBeGreaterThan(2260);
    expect(expectSameOnBothPaths(['analyze', join(dataDir!, 'ludb', '1'), '--lead', 'V1']).code).toBe(0);
  });
});
