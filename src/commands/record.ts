import type { CommandModule } from 'yargs';
import { errorMessage, UsageError } from '../errors.js';
import { configFromArgs, parseDurationS, type GlobalArgs } from './common.js';

export interface RecordArgs extends GlobalArgs {
  port?: string;
  simulate?: string;
  protocol: 'ascii' | 'openbci' | 'p2';
  baud?: number;
  rate?: number;
  leads?: string;
  mains: 50 | 60;
  unitsPerMv: number;
  filter: 'monitor' | 'diagnostic';
  duration?: string;
  sessionId?: string;
  patientId?: string;
  operator?: string;
  out: string;
  tui: boolean;
  json: boolean;
}

export const recordCommand: CommandModule<GlobalArgs, RecordArgs> = {
  command: 'record',
  builder: (yargs) =>
    yargs
      .option('port', { type: 'string', describe: 'Serial port path, e.g. /dev/ttyUSB0' })
      .option('simulate', {
        type: 'string',
        describe: 'Use the built-in simulated device: "synthetic" or a WFDB <record.hea>',
      })
      .option('protocol', { choices: ['ascii', 'openbci', 'p2'] as const, default: 'ascii' as const, describe: 'Device protocol' })
      .option('baud', { type: 'number', describe: "Baud rate (default: the protocol's own)" })
      .option('rate', { type: 'number', describe: 'Sample rate in Hz (ascii: estimated from arrival times if omitted)' })
      .option('leads', { type: 'string', describe: 'Channel names in order, e.g. I,II,V1' })
      .option('mains', { choices: [50, 60] as const, default: 50 as const, describe: 'Mains frequency for the notch filter' })
      .option('units-per-mv', { type: 'number', default: 200, describe: 'ascii: ADC counts per mV (baseline 512)' })
      .option('filter', {
        choices: ['monitor', 'diagnostic'] as const,
        default: 'monitor' as const,
        describe: 'monitor 0.5-40 Hz or diagnostic 0.05-150 Hz',
      })
      .option('duration', { type: 'string', describe: 'End the session by itself after e.g. 30s or 10m' })
      .option('session-id', { type: 'string', describe: 'Session id (default: generated)' })
      .option('patient-id', { type: 'string', describe: 'Patient id stored with the session' })
      .option('operator', { type: 'string', describe: 'Operator name stored with the session' })
      .option('out', { type: 'string', default: './recordings', describe: 'Directory for WFDB recordings' })
      .option('tui', { type: 'boolean', default: true, describe: 'Show the live terminal UI (--no-tui prints events)' })
      .option('json', { type: 'boolean', default: false, describe: 'With --no-tui: NDJSON events on stdout' })
      .check((args) => {
        if (args.port === undefined && args.simulate === undefined) throw new UsageError('Give --port <path> or --simulate.');
        if (args.port !== undefined && args.simulate !== undefined) throw new UsageError('Give either --port or --simulate, not both.');
        return true;
      }) as never,
  handler: async (args) => {
    let durationS: number | null = null;
    if (args.duration !== undefined) {
      try {
        durationS = parseDurationS(args.duration);
      } catch (error) {
        throw new UsageError(`--duration: ${errorMessage(error)}`);
      }
    }
    const leads = args.leads === undefined ? null : args.leads.split(',').map((name) => name.trim()).filter(Boolean);
    const { runRecord } = await import('../session/run.js');
    await runRecord({
      port: args.port ?? null,
      simulate: args.simulate ?? null,
      protocol: args.protocol,
      baudRate: args.baud ?? null,
      rateHz: args.rate ?? null,
      leads,
      mainsHz: args.mains,
      unitsPerMv: args.unitsPerMv,
      filter: args.filter,
      durationS,
      sessionId: args.sessionId ?? null,
      patientId: args.patientId ?? null,
      operator: args.operator ?? null,
      outDir: args.out,
      tui: args.tui,
      json: args.json,
      config: configFromArgs(args),
    });
  },
};
