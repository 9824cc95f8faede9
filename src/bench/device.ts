/**
 * Device and format throughput: decoding each protocol's byte stream, reading MIT-BIH 100,
 * and the streaming WFDB writer. Real time needs ~1/1000 of what these reach.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findEcgDataDir } from '../data-dir.js';
import { createDecoder } from '../device/decoders.js';
import { createSimulatorStream } from '../device/simulator.js';
import type { Protocol } from '../device/types.js';
import { readRecord } from '../formats/wfdb.js';
import { WfdbStreamWriter } from '../formats/wfdb-writer.js';
import type { BenchFigure } from './run.js';

const CHUNK_BYTES = 1024;

function decodeFigure(protocol: Protocol, seconds: number): BenchFigure {
  const stream = createSimulatorStream({ protocol, source: 'synthetic', leads: protocol === 'ascii' ? ['I', 'II', 'V1'] : undefined });
  const bytes = stream.nextBytes(Math.round(seconds * stream.rateHz));
  const decoder = createDecoder(protocol, { rateHz: stream.rateHz, channelCount: stream.leads.length });
  const start = process.hrtime.bigint();
  let now = 0;
  for (let at = 0; at < bytes.length; at += CHUNK_BYTES) decoder.decode(bytes.subarray(at, at + CHUNK_BYTES), (now += 4));
  const elapsedS = Number(process.hrtime.bigint() - start) / 1e9;
  const realTime = seconds / elapsedS;
  return {
    area: 'device',
    name: `decode ${protocol} (${stream.leads.length} ch @ ${stream.rateHz} Hz)`,
    value: Math.round(realTime),
    unit: 'x real time',
    target: '>= 100x real time',
    ok: realTime >= 100,
  };
}

export async function run(options: { quick: boolean }): Promise<BenchFigure[]> {
  const seconds = options.quick ? 30 : 300;
  const figures = (['ascii', 'openbci', 'p2'] as Protocol[]).map((protocol) => decodeFigure(protocol, seconds));

  const dataDir = findEcgDataDir();
  if (dataDir) {
    const start = process.hrtime.bigint();
    readRecord(join(dataDir, '100'));
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    figures.push({ area: 'device', name: 'readRecord MIT-BIH 100 (30 min, 2 x 360 Hz, fmt 212)', value: Math.round(ms), unit: 'ms', target: '<= 100 ms', ok: ms <= 100 });
  }

  const directory = mkdtempSync(join(tmpdir(), 'ecg-bench-writer-'));
  try {
    const leads = 12;
    const fsHz = 500;
    const blockSeconds = 1;
    const totalSeconds = options.quick ? 600 : 3600;
    const writer = WfdbStreamWriter.create(directory, 'bench', { fsHz, signals: Array.from({ length: leads }, (_, i) => ({ name: `L${i}` })) });
    const block = Array.from({ length: leads }, (_, lead) => Float32Array.from({ length: fsHz * blockSeconds }, (_, s) => Math.sin(s / 20 + lead) * 1000));
    const start = process.hrtime.bigint();
    for (let t = 0; t < totalSeconds; t += blockSeconds) {
      writer.appendSamples(block);
      writer.appendBeat(t * fsHz + 100, 1);
    }
    writer.close();
    const elapsedS = Number(process.hrtime.bigint() - start) / 1e9;
    const realTime = totalSeconds / elapsedS;
    figures.push({ area: 'device', name: 'WfdbStreamWriter 12 leads @ 500 Hz, 1 s blocks', value: Math.round(realTime), unit: 'x real time', target: '>= 100x real time', ok: realTime >= 100 });
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
  return figures;
}
