import type { CommandModule } from 'yargs';
import { UserError } from '../errors.js';
import type { GlobalArgs } from './common.js';

export interface AnalyzeArgs extends GlobalArgs {
  file: string;
  lead?: string;
  json: boolean;
}

export const analyzeCommand: CommandModule<GlobalArgs, AnalyzeArgs> = {
  command: 'analyze <file>',
  describe: 'Detect beats and measure intervals in a WFDB record or CSV file',
  builder: (yargs) =>
    yargs
      .positional('file', { type: 'string', demandOption: true, describe: 'record.hea or file.csv' })
      .option('lead', { type: 'string', describe: 'Lead to analyze (default: II, else the first)' })
      .option('json', { type: 'boolean', default: false, describe: 'Machine-readable JSON on stdout' }) as never,
  handler: async () => {
    throw new UserError('analyze is not available yet');
  },
};
