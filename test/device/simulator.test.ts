import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findEcgDataDir } from '../../src/data-dir.js';
import { createDecoder } from '../../src/device/decoders.js';
import { createSimulatedDevice } from '../../src/device/simulated-device.js';
import { createSimulatorStream } from '../../src/device/simulator.js';
import { createRecordSource, resample, type SignalSource } from '../../src/device/sources.js';
import { P2_UV_PER_COUNT } from '../../src/device/p2.js';
import type { SampleBlock } from '../../src/device/types.js';

const ramp = (fsHz: number): SignalSource => {
  let n = 0;
  return {
    leads: ['X'],
    fsHz,
    next(count) {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i += 1) out[i] = (n++ * 1000) / fsHz; // 1000 µV per second
      return [out];
    },
  };
};

describe('resampling', () => {
  it('interpolates linearly between source samples, in any chunking', () => {
    const source = resample(ramp(360), 250);
    const a = source.next(7);
    const b = source.next(500);
    const all = [...a[0]!, ...b[0]!];
    all.forEach((value, i) => expect(value).toBeCloseTo((i * 1000) / 250, 2));
  });

  it('passes a source through when the rates match', () => {
    const source = ramp(250);
    expect(resample(source, 250)).toBe(source);
  });
});

describe('simulator stream', () => {
  it('synthetic openbci: 250 Hz, 8 leads, decodes back to the synthetic signal', () => {
    const stream = createSimulatorStream({ protocol: 'openbci', source: 'synthetic', hrBpm: 60, seed: 3 });
    expect(stream.rateHz).toBe(250);
    expect(stream.leads).toEqual(['I', 'II', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6']);
    const decoder = createDecoder('openbci');
    const blocks = decoder.decode(stream.nextBytes(1000), 0);
    const samples = blocks.reduce((sum, b) => sum + b.sampleCount, 0);
    expect(samples).toBe(1000);
    const leadII = blocks[0]!.channels[1]!;
    // Four beats at 60 bpm: R waves of about a millivolt.
    const peak = Math.max(...leadII);
    expect(peak).toBeGreaterThan(800);
    expect(stream.source.truth!().length).toBeGreaterThanOrEqual(3);
  });

  it('p2 garbage and drops in the stream are counted, and the samples still land at their index', () => {
    const stream = createSimulatorStream({ protocol: 'p2', source: 'synthetic', garbageEvery: 50, dropEvery: 97, seed: 9 });
    const reference = createSimulatorStream({ protocol: 'p2', source: 'synthetic', seed: 9 });
    const decoder = createDecoder('p2');
    const blocks = decoder.decode(stream.nextBytes(2000), 0);
    const clean = createDecoder('p2').decode(reference.nextBytes(2000), 0)[0]!;
    const stats = decoder.stats();
    expect(stats.droppedFrames).toBeGreaterThanOrEqual(20);
    expect(stats.discardedBytes).toBeGreaterThan(0);
    for (const block of blocks) {
      for (let s = 0; s < block.sampleCount; s += 1) {
        expect(Math.abs(block.channels[1]![s]! - clean.channels[1]![block.firstSample + s]!)).toBeLessThan(P2_UV_PER_COUNT);
      }
    }
  });

  const dataDir = findEcgDataDir();
  (dataDir ? it : it.skip)('replays a WFDB record at its own rate over ascii, and resampled to 256 Hz over p2', () => {
    const path = join(dataDir!, '100.hea');
    const ascii = createSimulatorStream({ protocol: 'ascii', source: path });
    expect(ascii.rateHz).toBe(360);
    expect(ascii.leads).toEqual(['MLII', 'V5']);
    const decoded = createDecoder('ascii', { channelCount: 2 }).decode(ascii.nextBytes(360), 0)[0]!;
    const original = createRecordSource(path).next(360);
    // ascii carries 5 µV steps at the default 200 counts/mV, like the record itself.
    for (let s = 0; s < 360; s += 1) expect(decoded.channels[0]![s]).toBeCloseTo(original[0]![s]!, 3);
    const p2 = createSimulatorStream({ protocol: 'p2', source: path });
    expect(p2.rateHz).toBe(256);
  });
});

describe('simulated device (record --simulate)', () => {
  it('emits blocks through the decoder path at about real time x speed', async () => {
    const device = createSimulatedDevice({ protocol: 'openbci', source: 'synthetic', speed: 4 });
    const blocks: SampleBlock[] = [];
    const states: string[] = [];
    device.on('block', (block) => blocks.push(block));
    device.on('state', (state) => states.push(state));
    await device.start();
    await new Promise((resolve) => setTimeout(resolve, 600));
    await device.stop();
    const samples = blocks.reduce((sum, b) => sum + b.sampleCount, 0);
    expect(samples).toBeGreaterThan(100);
    expect(states).toEqual(['connecting', 'connected', 'closed']);
    expect(device.leads).toHaveLength(8);
    let next = 0;
    for (const block of blocks) {
      expect(block.firstSample).toBe(next);
      next += block.sampleCount;
    }
    expect(device.stats()).toMatchObject({ droppedFrames: 0, badFrames: 0, nominalRateHz: 250 });
  });
});
