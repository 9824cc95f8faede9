/**
 * The recording session without a screen: how much of one core the live path (derivation,
 * DSP, WFDB files, queue items) costs per second of signal, and what `record --no-tui` uses
 * as a whole process. The TUI's own figures are in src/bench/tui.ts.
 */
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config.js';
import { createSyntheticEcg } from '../device/synthetic.js';
import type { DecoderStats } from '../device/types.js';
import { createBackendApi } from '../queue/backend-api.js';
import { Session } from '../session/session.js';
import type { BenchFigure } from './run.js';

const AREA = 'record';
const FS_HZ = 250;
const DEVICE_LEADS = ['I', 'II', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'];
const BLOCK_SAMPLES = 5; // 20 ms at 250 Hz, as an OpenBCI stream arrives

/** Feeds `seconds` of 8-channel signal through a Session as fast as it goes. */
async function sessionThroughput(seconds: number, dir: string): Promise<number> {
  const config = loadConfig({ env: {}, flags: { queueDir: join(dir, 'queue') }, cwd: dir });
  const api = createBackendApi(config, { background: false, uploadTimeoutMs: 0 });
  let nowMs = Date.now();
  const session = new Session({
    sessionId: 'bench',
    protocol: 'openbci',
    source: 'bench',
    deviceSerial: 'bench',
    deviceLeads: DEVICE_LEADS,
    rateHz: FS_HZ,
    filter: 'monitor',
    mainsHz: 50,
    patientId: null,
    operator: null,
    outDir: join(dir, 'out'),
    api,
    uploadEnabled: false,
    timers: false,
    now: () => nowMs,
  });
  const device = Object.assign(new EventEmitter(), {
    stats: (): DecoderStats => ({ frames: 0, badFrames: 0, droppedFrames: 0, discardedBytes: 0, measuredRateHz: FS_HZ }),
  });
  session.attach(device);
  session.start();
  const ecg = createSyntheticEcg({ fsHz: FS_HZ, hrBpm: 72, leads: DEVICE_LEADS, seed: 1 });
  const blocks = (seconds * FS_HZ) / BLOCK_SAMPLES;
  const signal = Array.from({ length: 50 }, () => ecg.next(BLOCK_SAMPLES));
  const started = process.hrtime.bigint();
  for (let b = 0; b < blocks; b += 1) {
    const first = b * BLOCK_SAMPLES;
    device.emit('block', { firstSample: first, sampleCount: BLOCK_SAMPLES, channels: signal[b % signal.length]!, leadOff: DEVICE_LEADS.map(() => false), receivedAtMs: nowMs });
    nowMs += (BLOCK_SAMPLES / FS_HZ) * 1000;
    if ((first + BLOCK_SAMPLES) % (2 * FS_HZ) === 0) {
      session.tick();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  await session.stop('bench');
  const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
  await api.close();
  return seconds / elapsedS;
}

/** CPU share and peak RSS of `record --simulate --no-tui --json` over `seconds`. */
function wholeProcess(seconds: number, dir: string): Promise<{ cpuPercent: number; rssMb: number }> {
  const bin = fileURLToPath(new URL('../../bin/ecg-monitor.js', import.meta.url));
  const args = [bin, 'record', '--simulate', 'synthetic', '--protocol', 'openbci', '--no-tui', '--json', '--duration', `${seconds}s`];
  const child = spawn(process.execPath, [...args, '--queue-dir', join(dir, 'pq'), '--out', join(dir, 'pout')], {
    stdio: 'ignore',
    env: { ...process.env, ECG_LOG_FILE: join(dir, 'log'), BACKEND_UPLOAD_ENABLED: 'false' },
  });
  const ticksPerS = 100; // USER_HZ on Linux
  let cpuTicks = 0;
  let rssMb = 0;
  let firstAt: number | null = null;
  let firstTicks = 0;
  let lastAt = 0;
  const sample = setInterval(() => {
    try {
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      const ticks = Number(stat[11]) + Number(stat[12]);
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      rssMb = Math.max(rssMb, rssKb / 1024);
      // Start counting after startup (module loading is not the steady state).
      if (firstAt === null && Date.now() - started > 3000) {
        firstAt = Date.now();
        firstTicks = ticks;
      }
      cpuTicks = ticks;
      lastAt = Date.now();
    } catch {
      // the process has ended
    }
  }, 250);
  const started = Date.now();
  return new Promise((resolve) => {
    child.on('exit', () => {
      clearInterval(sample);
      const spanS = firstAt === null ? 0 : (lastAt - firstAt) / 1000;
      resolve({ cpuPercent: spanS > 0 ? ((cpuTicks - firstTicks) / ticksPerS / spanS) * 100 : Number.NaN, rssMb });
    });
  });
}

export async function run(options: { quick: boolean }): Promise<BenchFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ecg-bench-record-'));
  try {
    const realtime = await sessionThroughput(options.quick ? 60 : 600, dir);
    const process = await wholeProcess(options.quick ? 10 : 30, dir);
    return [
      { area: AREA, name: 'session path, 8 ch -> 12 leads at 250 Hz (DSP + WFDB + queue)', value: Math.round(realtime), unit: 'x real time', target: '>= 50', ok: realtime >= 50 },
      { area: AREA, name: 'record --simulate --no-tui, steady CPU', value: Math.round(process.cpuPercent * 10) / 10, unit: '% of one core', target: '<= 10', ok: process.cpuPercent <= 10 },
      { area: AREA, name: 'record --simulate --no-tui, peak RSS', value: Math.round(process.rssMb), unit: 'MB', target: '<= 100', ok: process.rssMb <= 100 },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
