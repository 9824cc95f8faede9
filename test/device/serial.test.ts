import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createDecoder } from '../../src/device/decoders.js';
import { DISCONNECTED_MESSAGE, SerialDevice } from '../../src/device/serial-device.js';
import { createSimulatorStream } from '../../src/device/simulator.js';
import type { Protocol, SampleBlock } from '../../src/device/types.js';
import { UserError } from '../../src/errors.js';
import { startPtyPair, startSimulate, waitFor, type PtyPair, type Simulation } from '../helpers/socat.js';

const scratch = mkdtempSync(join(tmpdir(), 'ecg-serial-'));
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function pair(name: string): Promise<PtyPair> {
  const directory = join(scratch, name);
  (await import('node:fs')).mkdirSync(directory, { recursive: true });
  const ptys = await startPtyPair(directory);
  cleanups.push(() => ptys.stop());
  return ptys;
}

async function simulate(args: string[]): Promise<Simulation> {
  const simulation = await startSimulate(args);
  cleanups.push(() => simulation.stop());
  return simulation;
}

function collect(device: SerialDevice): SampleBlock[] {
  const blocks: SampleBlock[] = [];
  device.on('block', (block) => blocks.push(block));
  cleanups.push(() => device.stop());
  return blocks;
}

/** Where `needle` first occurs in `haystack`, or -1. */
function alignment(haystack: number[], needle: number[]): number {
  for (let at = 0; at + needle.length <= haystack.length; at += 1) {
    if (needle.every((value, i) => haystack[at + i] === value)) return at;
  }
  return -1;
}

/** Resolves once `count()` has not changed for 500 ms. */
async function settled(count: () => number): Promise<void> {
  let last = -1;
  while (count() !== last) {
    last = count();
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** The first channel of the blocks, flattened. */
const firstChannel = (blocks: SampleBlock[]) => blocks.flatMap((block) => Array.from(block.channels[0]!));

describe('serial transport through a socat pty', () => {
  for (const protocol of ['ascii', 'openbci', 'p2'] as Protocol[]) {
    it(`${protocol}: what simulate writes, SerialDevice reads back sample for sample`, async () => {
      const ptys = await pair(protocol);
      const seconds = 1.5;
      const simulation = await simulate(['--port', ptys.device, '--protocol', protocol, '--seconds', String(seconds), '--hr', '80']);
      const device = new SerialDevice({ path: ptys.host, protocol, rateHz: protocol === 'ascii' ? 500 : undefined });
      const blocks = collect(device);
      await device.start();
      expect(await simulation.exited).toBe(0);
      await settled(() => device.stats().frames);

      const reference = createSimulatorStream({ protocol, source: 'synthetic', hrBpm: 80 });
      const total = Math.round(seconds * reference.rateHz);
      const decoder = createDecoder(protocol, { channelCount: reference.leads.length });
      const expected = firstChannel(decoder.decode(reference.nextBytes(total), 0));
      const received = firstChannel(blocks);
      expect(received.length).toBeGreaterThan(total / 3);
      // The reader may join after the first bytes (they are flushed when a port opens): align on its start.
      const peak = received.indexOf(Math.max(...received.slice(0, received.length - 40)));
      const offset = alignment(expected, received.slice(peak, peak + 40)) - peak;
      expect(offset).toBeGreaterThanOrEqual(0);
      expect(received.slice(2)).toEqual(expected.slice(offset + 2, offset + received.length));
      expect(offset + received.length).toBe(expected.length);
      expect(device.stats()).toMatchObject({ droppedFrames: 0, state: 'connected' });
      if (protocol === 'openbci') expect(offset).toBe(0); // a Cyton streams only after "b": nothing lost
    });
  }

  it('a missing port gives a one-line UserError', async () => {
    const device = new SerialDevice({ path: join(scratch, 'nope'), protocol: 'ascii' });
    const failure = await device.start().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UserError);
    expect((failure as Error).message).toMatch(/^serial port .*nope not found/);
    expect(device.state).toBe('closed');
  });

  it('unplug: socat killed mid-stream, restarted on the same links; the device reconnects and keeps real time', async () => {
    const directory = join(scratch, 'unplug');
    (await import('node:fs')).mkdirSync(directory, { recursive: true });
    let ptys = await startPtyPair(directory);
    cleanups.push(() => ptys.stop());
    let simulation = await simulate(['--port', ptys.device, '--protocol', 'p2']);
    const device = new SerialDevice({ path: ptys.host, protocol: 'p2' });
    const blocks = collect(device);
    const states: [string, string | null][] = [];
    device.on('state', (state, message) => states.push([state, message]));
    await device.start();
    await waitFor('first blocks', () => blocks.length > 5, 10_000);

    await ptys.stop('SIGKILL');
    await simulation.exited;
    await waitFor('reconnecting', () => device.state === 'reconnecting', 10_000);
    const before = blocks.length;
    const lastBefore = blocks.at(-1)!;
    const endBefore = lastBefore.firstSample + lastBefore.sampleCount;
    const outageStartMs = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1000));

    ptys = await startPtyPair(directory);
    cleanups.push(() => ptys.stop());
    simulation = await simulate(['--port', ptys.device, '--protocol', 'p2']);
    await waitFor('blocks after reconnecting', () => blocks.length > before + 5, 15_000);
    const outageMs = blocks[before]!.receivedAtMs - outageStartMs;

    expect(states.map(([state]) => state)).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
    expect(states[2]![1]).toBe(DISCONNECTED_MESSAGE);
    const jump = blocks[before]!.firstSample - endBefore;
    // The gap covers at least the second we waited, at 256 Hz.
    expect(jump).toBeGreaterThanOrEqual(Math.floor((outageMs * 256) / 1000 * 0.9));
    expect(device.stats()).toMatchObject({ reconnects: 1, state: 'connected' });
    expect(device.stats().gapSamples).toBe(jump);
  });
});
