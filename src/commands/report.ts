import type { CommandModule } from 'yargs';
import { UserError } from '../errors.js';
import type { GlobalArgs } from './common.js';

export interface ReportArgs extends GlobalArgs {
  source: string;
  out?: string;
  paper: 'a4' | 'letter';
  queue: boolean;
}

export const reportCommand: CommandModule<GlobalArgs, ReportArgs> = {
  command: 'report <source>',
  describe: 'Write a PDF ECG report from a session directory or a WFDB record, and queue it for upload',
  builder: (yargs) =>
    yargs
      .positional('source', { type: 'string', demandOption: true, describe: 'session directory or record.hea' })
      .option('out', { type: 'string', describe: 'PDF file to write (default: report.pdf beside the source)' })
      .option('paper', { choices: ['a4', 'letter'] as const, default: 'a4' as const, describe: 'Paper size (landscape)' })
      .option('queue', { type: 'boolean', default: true, describe: 'Queue the report for upload (--no-queue to skip)' }) as never,
  handler: async () => {
    throw new UserError('report is not available yet');
  },
};
