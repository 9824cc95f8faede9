/**
 * A real annotated record through a serial pty as a Cyton would send it: MIT-BIH 100 resampled
 * to OpenBCI's 250 Hz, written in 33-byte packets at real-time pace with one packet in 20 lost
 * (the counter skips), read by `record --no-tui --json`. The heart rate it reports must follow
 * the cardiologists' beat annotations. Run `npx tsc -p .` first.
 */
import { openSync, closeSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { findEcgDataDir } from '../../src/data-dir.js';
import { encodeOpenbciPacket, OPENBCI_RATE_HZ } from '../../src/device/openbci.js';
import { createRecordSource, resample } from '../../src/device/sources.js';
import { medianOf } from '../../src/dsp/score.js';
import { isBeatCode, readAnnotations } from '../../src/formats/annotations.js';
import { spawnCli, startPtyPair, tempDir } from '../session/e2e-helpers.js';

const dataDir = findEcgDataDir();
const START_S = 60;
const STREAM_S = 45;
const RECORD_S = 34;
/** Packets lost on the way: one in DROP_EVERY, never two in a row. */
const DROP_EVERY = 20;
/** The reported rate averages 12 RR intervals (4 when RR > 1.2 s), like the reference below. */
const AVERAGED_RR = 12;

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** The heart rate a meter averaging the last AVERAGED_RR annotated intervals shows after each beat, in bpm. */
function referenceRates(beatTimesS: readonly number[]): { atS: number; bpm: number }[] {
  const rates: { atS: number; bpm: number }[] = [];
  for (let i = AVERAGED_RR; i < beatTimesS.length; i += 1) {
    const meanRrS = (beatTimesS[i]! - beatTimesS[i - AVERAGED_RR]!) / AVERAGED_RR;
    rates.push({ atS: beatTimesS[i]!, bpm: 60 / meanRrS });
  }
  return rates;
}

describe.skipIf(dataDir === null)('record: a real annotated record in OpenBCI packets with drops', () => {
  test('reports the heart rate of the annotations', async () => {
    const record = createRecordSource(join(dataDir!, '100.hea'));
    const fsHz = record.fsHz;
    const atDeviceRate = resample(record, OPENBCI_RATE_HZ);
    atDeviceRate.next(START_S * OPENBCI_RATE_HZ);
    const leads = atDeviceRate.next(STREAM_S * OPENBCI_RATE_HZ);
    const beatTimesS = readAnnotations(join(dataDir!, '100.atr'), fsHz)
      .filter((a) => isBeatCode(a.code))
      .map((a) => a.sample / fsHz - START_S)
      .filter((t) => t >= 0 && t < STREAM_S);
    const reference = referenceRates(beatTimesS);

    const temp = tempDir('openbci-real');
    cleanups.push(temp.remove);
    const pty = await startPtyPair(temp.dir);
    cleanups.push(() => pty.stop());
    const recorder = spawnCli(
      ['record', '--port', pty.host, '--protocol', 'openbci', '--leads', 'II,V5', '--no-tui', '--json', '--duration', `${RECORD_S}s`,
        '--queue-dir', join(temp.dir, 'queue'), '--out', join(temp.dir, 'out')],
      { cwd: temp.dir },
    );
    cleanups.push(() => recorder.kill('SIGKILL'));

    // The device end: packets paced at 250 per second of wall time, every DROP_EVERY-th one lost.
    const device = openSync(pty.device, 'w');
    let sent = 0;
    let dropped = 0;
    const startedMs = Date.now();
    let recorderDone = false;
    void recorder.exited.then(() => (recorderDone = true));
    while (sent < leads[0]!.length && !recorderDone) {
      const due = Math.min(leads[0]!.length, Math.floor(((Date.now() - startedMs) / 1000) * OPENBCI_RATE_HZ));
      const packets: Uint8Array[] = [];
      for (; sent < due; sent += 1) {
        if (sent % DROP_EVERY === DROP_EVERY - 1) {
          dropped += 1;
          continue;
        }
        packets.push(encodeOpenbciPacket(sent, [leads[0]![sent]!, leads[1]![sent]!]));
      }
      if (packets.length > 0) writeSync(device, Buffer.concat(packets));
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    const exit = await recorder.exited;
    closeSync(device);
    expect(recorder.stderr()).toBe('');
    expect(exit.code).toBe(0);
    expect(dropped).toBeGreaterThan(0);

    const events = recorder.events();
    const metrics = events.filter((e) => e.type === 'metrics') as { t: number; heart_rate: number | null; dropped_frames: number }[];
    // Losses are seen and counted, not glossed over.
    expect(metrics.at(-1)!.dropped_frames).toBeGreaterThan(0);
    // Judged once the meter has its 12 intervals; the session clock starts when the first packets
    // arrive, so each value is held against every reference value of the stream.
    const settled = metrics.filter((e) => e.t >= 15 && e.heart_rate !== null).map((e) => e.heart_rate!);
    expect(settled.length).toBeGreaterThanOrEqual(5);
    const lowest = Math.min(...reference.map((r) => r.bpm));
    const highest = Math.max(...reference.map((r) => r.bpm));
    for (const bpm of settled) {
      expect(bpm, `reported ${bpm} bpm; annotations ${lowest.toFixed(1)}-${highest.toFixed(1)}`).toBeGreaterThanOrEqual(lowest - 2);
      expect(bpm, `reported ${bpm} bpm; annotations ${lowest.toFixed(1)}-${highest.toFixed(1)}`).toBeLessThanOrEqual(highest + 2);
    }
    // Losing 5 % of the samples must not speed the rate up by 5 %: the time base keeps real time.
    expect(Math.abs(medianOf(settled) - medianOf(reference.map((r) => r.bpm)))).toBeLessThanOrEqual(2);
  }, 120_000);
});

if (dataDir === null) {
  test.skip('record with a real annotated record: shared/data/ecg not found (set ECG_DATA_DIR)', () => {});
}
