import type { CommandModule } from 'yargs';
import { UserError } from '../errors.js';
import type { GlobalArgs } from './common.js';

export interface SimulateArgs extends GlobalArgs {
  port: string;
  protocol: 'ascii' | 'openbci' | 'p2';
  source: string;
  hr: number;
  speed: number;
  seconds?: number;
}

export const simulateCommand: CommandModule<GlobalArgs, SimulateArgs> = {
  command: 'simulate',
  describe: 'Write a simulated ECG device byte stream to a serial port at real-time pace',
  builder: (yargs) =>
    yargs
      .option('port', { type: 'string', demandOption: true, describe: 'Serial port (or pty) to write to' })
      .option('protocol', { choices: ['ascii', 'openbci', 'p2'] as const, default: 'ascii' as const, describe: 'Protocol to encode' })
      .option('source', { type: 'string', default: 'synthetic', describe: '"synthetic" or a WFDB <record.hea> to replay' })
      .option('hr', { type: 'number', default: 72, describe: 'Synthetic heart rate in bpm' })
      .option('speed', { type: 'number', default: 1, describe: 'Playback speed factor' })
      .option('seconds', { type: 'number', describe: 'Stop after this many seconds of signal' }) as never,
  handler: async () => {
    throw new UserError('simulate is not available yet');
  },
};
