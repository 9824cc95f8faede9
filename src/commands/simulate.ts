import { existsSync } from 'node:fs';
import { SerialPort } from 'serialport';
import type { CommandModule } from 'yargs';
import { UsageError, UserError, errorMessage } from '../errors.js';
import { log } from '../log.js';
import { waitAtMost } from '../wait.js';
import { DEFAULT_BAUD } from '../device/decoders.js';
import { resolveRecordPath } from '../formats/wfdb.js';
import { openFailureMessage } from '../device/serial-device.js';
import { Pacer, createSimulatorStream, type SimulatorStream } from '../device/simulator.js';
import type { GlobalArgs } from './common.js';

export interface SimulateArgs extends GlobalArgs {
  port: string;
  protocol: 'ascii' | 'openbci' | 'p2';
  source: string;
  hr: number;
  speed: number;
  seconds?: number;
}

const TICK_MS = 20;
const MAX_BACKLOG_BYTES = 64 * 1024;
/** With nobody reading the other end, buffered bytes never drain: stop waiting for them after this. */
const DRAIN_LIMIT_MS = 1000;
/** What a Cyton prints after `v` (soft reset); the monitor's decoder skips it as non-packet bytes. */
const OPENBCI_BANNER = 'OpenBCI V3 8-16 channel\nOn Board ADS1299 Device ID: 0x3E\nLIS3DH Device ID: 0x33\nFirmware: v3.1.2\n$$$';

export const simulateCommand: CommandModule<GlobalArgs, SimulateArgs> = {
  command: 'simulate',
  builder: (yargs) =>
    yargs
      .option('port', { type: 'string', demandOption: true, describe: 'Serial port (or pty) to write to' })
      .option('protocol', { choices: ['ascii', 'openbci', 'p2'] as const, default: 'ascii' as const, describe: 'Protocol to encode' })
      .option('source', { type: 'string', default: 'synthetic', describe: '"synthetic" or a WFDB <record.hea> to replay' })
      .option('hr', { type: 'number', default: 72, describe: 'Synthetic heart rate in bpm' })
      .option('speed', { type: 'number', default: 1, describe: 'Playback speed factor' })
      .option('seconds', { type: 'number', describe: 'Stop after this many seconds of signal' })
      .check((args) => {
        if (!(args.hr >= 20 && args.hr <= 300)) throw new UsageError('--hr must be between 20 and 300 bpm');
        if (!(args.speed > 0 && args.speed <= 100)) throw new UsageError('--speed must be above 0 and at most 100');
        if (args.seconds !== undefined && !(args.seconds > 0)) throw new UsageError('--seconds must be above 0');
        return true;
      }) as never,
  handler: async (args) => {
    await runSimulate(args);
  },
};

function openStream(args: SimulateArgs): SimulatorStream {
  if (args.source !== 'synthetic' && !existsSync(resolveRecordPath(args.source).headerPath)) {
    throw new UsageError(`record ${args.source} not found: give "synthetic" or a WFDB .hea file`);
  }
  try {
    return createSimulatorStream({ source: args.source, protocol: args.protocol, hrBpm: args.hr });
  } catch (error) {
    throw new UsageError(`cannot replay ${args.source}: ${errorMessage(error)}`);
  }
}

async function runSimulate(args: SimulateArgs): Promise<void> {
  const stream = openStream(args);
  const port = new SerialPort({ path: args.port, baudRate: DEFAULT_BAUD[args.protocol], autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve()))).catch((error: unknown) => {
    throw new UserError(openFailureMessage(args.port, error));
  });
  const totalFrames = args.seconds === undefined ? Number.POSITIVE_INFINITY : Math.round(args.seconds * stream.rateHz);
  process.stderr.write(
    `simulating ${args.source} as ${args.protocol} at ${stream.rateHz} Hz (${stream.leads.join(',')}) on ${args.port}` +
      `${args.protocol === 'openbci' ? ', waiting for "b"' : ''}\n`,
  );

  await new Promise<void>((resolve, reject) => {
    // A Cyton streams only between `b` and `s`; the other devices stream from power-on.
    let streaming = args.protocol !== 'openbci';
    let pacer = new Pacer(stream.rateHz, args.speed);
    let framesSent = 0;
    let finished = false;
    const finish = (error?: Error) => {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      const settle = () => (error ? reject(error) : resolve());
      if (!port.isOpen) {
        settle();
        return;
      }
      // Bytes still queued for a port nobody reads are dropped, as a device's buffer would be:
      // neither the drain nor the close may hold the process.
      void (async () => {
        await waitAtMost(new Promise<void>((done) => port.drain(() => done())), DRAIN_LIMIT_MS);
        await waitAtMost(new Promise<void>((done) => port.close(() => done())), DRAIN_LIMIT_MS);
        settle();
      })();
    };
    const onSignal = () => finish();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    port.on('close', () => finish(finished ? undefined : new UserError(`serial port ${args.port} closed`)));
    port.on('error', (error) => log.warn(`simulate: ${error.message}`));
    port.on('data', (chunk: Buffer) => {
      if (args.protocol !== 'openbci') return;
      for (const command of chunk.toString('latin1')) {
        if (command === 'v') port.write(OPENBCI_BANNER);
        if (command === 'b' && !streaming) {
          streaming = true;
          pacer = new Pacer(stream.rateHz, args.speed);
        }
        if (command === 's') streaming = false;
      }
    });
    const timer = setInterval(() => {
      if (!streaming) return;
      const frames = Math.min(pacer.due(Date.now()), totalFrames - framesSent);
      if (frames > 0) {
        const bytes = stream.nextBytes(frames);
        // Nobody reading the other end: drop frames like a device's full buffer would, keeping real time.
        if (port.writableLength < MAX_BACKLOG_BYTES) port.write(Buffer.from(bytes));
        framesSent += frames;
      }
      if (framesSent >= totalFrames) finish();
    }, TICK_MS);
  });
}
