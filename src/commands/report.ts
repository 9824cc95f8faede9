import ora from 'ora';
import type { CommandModule } from 'yargs';
import { createBackendApi } from '../queue/backend-api.js';
import { writeReport } from '../report/index.js';
import { configFromArgs, type GlobalArgs } from './common.js';

export interface ReportArgs extends GlobalArgs {
  source: string;
  out?: string;
  paper: 'a4' | 'letter';
  queue: boolean;
}

export const reportCommand: CommandModule<GlobalArgs, ReportArgs> = {
  command: 'report <source>',
  builder: (yargs) =>
    yargs
      .positional('source', { type: 'string', demandOption: true, describe: 'session directory or record.hea' })
      .option('out', { type: 'string', describe: 'PDF file to write (default: report.pdf beside the source)' })
      .option('paper', { choices: ['a4', 'letter'] as const, default: 'a4' as const, describe: 'Paper size (landscape)' })
      .option('queue', { type: 'boolean', default: true, describe: 'Queue the report for upload (--no-queue to skip)' }) as never,
  handler: async (args) => {
    // Settings are checked before any work, so a bad .env fails fast.
    const config = args.queue ? configFromArgs(args) : null;
    // A pty of zero columns (no real terminal behind it) would make the spinner redraw forever.
    const spinner = process.stderr.isTTY && (process.stderr.columns ?? 0) > 0 ? ora({ text: 'Writing the ECG report…', stream: process.stderr, discardStdin: false }).start() : null;
    let written;
    try {
      written = await writeReport(args.source, { paper: args.paper, ...(args.out === undefined ? {} : { out: args.out }) });
    } catch (error) {
      spinner?.fail('No report written');
      throw error;
    }
    spinner?.succeed(`Report written (${Math.round(written.bytes / 1024)} kB)`);
    process.stdout.write(`${written.pdfPath}\n`);
    if (!config) return;
    const api = createBackendApi(config);
    try {
      const result = await api.uploadReport(written.sessionId, written.pdf, { ...written.metadata });
      process.stderr.write(
        result.status === 'success'
          ? `report uploaded (queue item ${result.id})\n`
          : `report queued for upload as item ${result.id}${result.message ? `: ${result.message}` : ''}\n`,
      );
    } finally {
      await api.close();
    }
  },
};
