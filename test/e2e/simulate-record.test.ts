import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRecord, verifyRecord } from '../../src/formats/wfdb.js';
import { BIN, startPtyPair, startSimulate } from '../helpers/socat.js';

const scratch = mkdtempSync(join(tmpdir(), 'ecg-simulate-record-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('virtual bench device: simulate -> socat -> record', () => {
  it('records an OpenBCI stream through a pty: right heart rate, real rate, no drops, a readable WFDB record', async () => {
    const ptys = await startPtyPair(scratch);
    const simulation = await startSimulate(['--port', ptys.device, '--protocol', 'openbci', '--hr', '90', '--seconds', '30']);
    try {
      const out = join(scratch, 'recordings');
      const record = spawn(
        process.execPath,
        [BIN, 'record', '--port', ptys.host, '--protocol', 'openbci', '--leads', 'I,II,V1', '--no-tui', '--json', '--duration', '7s', '--out', out, '--queue-dir', join(scratch, 'queue')],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      record.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => record.on('exit', resolve));
      expect(code).toBe(0);
      const events = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(events[0]).toMatchObject({ type: 'session_start', protocol: 'openbci', sample_rate_hz: 250, leads: ['I', 'II', 'V1', 'III', 'aVR', 'aVL', 'aVF'] });
      const metrics = events.filter((event) => event.type === 'metrics');
      const last = metrics.at(-1)!;
      expect(Math.abs((last.heart_rate as number) - 90)).toBeLessThanOrEqual(5);
      expect(last.dropped_frames).toBe(0);
      expect(Math.abs((last.measured_rate_hz as number) - 250)).toBeLessThan(12.5);

      const sessionDir = join(out, readdirSync(out)[0]!);
      const hea = readdirSync(sessionDir).find((name) => name.endsWith('.hea'))!;
      const wfdb = readRecord(join(sessionDir, hea));
      expect(wfdb.header.fsHz).toBe(250);
      expect(wfdb.header.sampleCount).toBeGreaterThan(250 * 5);
      expect(verifyRecord(wfdb).every((check) => check.checksumOk !== false)).toBe(true);
    } finally {
      await simulation.stop();
      await ptys.stop();
    }
  });
});
