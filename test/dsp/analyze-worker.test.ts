import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { loadSignals } from '../../src/commands/analyze.js';
import { findEcgDataDir } from '../../src/data-dir.js';
import { createSyntheticEcg } from '../../src/device/synthetic.js';
import { analyzeSignals, analyzeSignalsAsync, type AnalyzeInput } from '../../src/dsp/analyze.js';

const dataDir = findEcgDataDir();

// The worker runs the built module: `npm test` builds first (pretest); otherwise run `npx tsc -p .`.
const workerUrl = new URL('../../dist/dsp/interval-worker.js', import.meta.url);

async function bothPaths(input: AnalyzeInput) {
  const inThread = analyzeSignals(input);
  const { intervalThread, ...onWorker } = await analyzeSignalsAsync(input, new Worker(workerUrl));
  return { inThread, onWorker, intervalThread };
}

describe('analyzeSignalsAsync', () => {
  it('measures the interval windows on the worker with the in-thread results (synthetic, 3 min, 3 leads)', async () => {
    const fsHz = 500;
    const source = createSyntheticEcg({ fsHz, hrBpm: 66, leads: ['I', 'II', 'V2'], seed: 5 });
    const input: AnalyzeInput = { fsHz, leads: ['I', 'II', 'V2'], signalsUv: source.next(180 * fsHz) };
    const { inThread, onWorker, intervalThread } = await bothPaths(input);
    expect(intervalThread).toBe('worker');
    expect(inThread.intervals.qtMs).not.toBeNull();
    expect(onWorker).toEqual(inThread);
  });

  it.skipIf(!dataDir)('gives MIT-BIH 100 the same beats and intervals on the worker as in-thread', async () => {
    const { inThread, onWorker, intervalThread } = await bothPaths(loadSignals(join(dataDir!, '100.hea')));
    expect(intervalThread).toBe('worker');
    expect(inThread.beats.length).toBeGreaterThan(2260);
    expect(onWorker).toEqual(inThread);
  });

  it('measures a short record in-thread when given no worker', async () => {
    const fsHz = 250;
    const source = createSyntheticEcg({ fsHz, hrBpm: 80, leads: ['II'], seed: 2 });
    const input: AnalyzeInput = { fsHz, leads: ['II'], signalsUv: source.next(10 * fsHz) };
    const { intervalThread, ...result } = await analyzeSignalsAsync(input);
    expect(intervalThread).toBe('main');
    expect(result).toEqual(analyzeSignals(input));
  });
});
