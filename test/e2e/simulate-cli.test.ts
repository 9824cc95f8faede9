import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findEcgDataDir } from '../../src/data-dir.js';
import { SerialDevice } from '../../src/device/serial-device.js';
import type { SampleBlock } from '../../src/device/types.js';
import { BIN, startPtyPair, startSimulate } from '../helpers/socat.js';

const scratch = mkdtempSync(join(tmpdir(), 'ecg-simulate-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 20_000 });

describe('ecg-monitor simulate / ports', () => {
  it('a missing port: exit 1 and one line, no stack trace', () => {
    const result = run('simulate', '--port', join(scratch, 'missing'), '--seconds', '1');
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/serial port .*missing not found/);
  });

  it('bad input: exit 2 for a heart rate out of range or a record that does not exist', () => {
    const badHr = run('simulate', '--port', '/dev/null', '--hr', '5');
    expect(badHr.status).toBe(2);
    expect(badHr.stderr).toMatch(/--hr must be between 20 and 300/);
    const badRecord = run('simulate', '--port', '/dev/null', '--source', join(scratch, 'nothing.hea'));
    expect(badRecord.status).toBe(2);
    expect(badRecord.stderr).toMatch(/record .*nothing\.hea not found/);
  });

  it('ports lists serial ports (or says none) and never crashes', () => {
    const result = run('ports');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/PATH|No serial ports found/);
  });

  const dataDir = findEcgDataDir();
  (dataDir ? it : it.skip)('replays MIT-BIH 100 as ascii at 360 Hz x 4 speed through a pty, ending after --seconds', async () => {
    const directory = join(scratch, 'replay');
    mkdirSync(directory);
    const ptys = await startPtyPair(directory);
    try {
      const device = new SerialDevice({ path: ptys.host, protocol: 'ascii', leads: ['MLII', 'V5'] });
      const blocks: SampleBlock[] = [];
      device.on('block', (block) => blocks.push(block));
      await device.start();
      const simulation = await startSimulate(['--port', ptys.device, '--source', join(dataDir!, '100.hea'), '--speed', '4', '--seconds', '4']);
      expect(simulation.stderr()).toMatch(/as ascii at 360 Hz \(MLII,V5\)/);
      expect(await simulation.exited).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await device.stop();
      const samples = blocks.reduce((sum, block) => sum + block.sampleCount, 0);
      expect(samples).toBe(4 * 360);
      expect(device.leads).toEqual(['MLII', 'V5']);
      // Record 100 starts at 995 adu with baseline 1024 and 200 adu/mV: -145 µV.
      expect(blocks[0]!.channels[0]![0]).toBeCloseTo(-145, 3);
    } finally {
      await ptys.stop();
    }
  });

  it('stops on SIGTERM with exit 0 even when nobody reads the other end and its bytes cannot drain', async () => {
    const directory = join(scratch, 'unread');
    mkdirSync(directory);
    const ptys = await startPtyPair(directory);
    try {
      // At 20x real time the pty, socat and the simulator's own backlog fill within a second.
      const simulation = await startSimulate(['--port', ptys.device, '--protocol', 'p2', '--speed', '20']);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      simulation.process.kill('SIGTERM');
      const stopped = await Promise.race([simulation.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 10_000))]);
      if (stopped === 'still running') simulation.process.kill('SIGKILL');
      expect(stopped).toBe(0);
    } finally {
      await ptys.stop();
    }
  });
});
