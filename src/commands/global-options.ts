import type { Argv } from 'yargs';

/** Options every command accepts (CONTRACTS section 1). */
export interface GlobalArgs {
  queueDir?: string;
  envFile?: string;
  verbose?: boolean;
}

/** The global options that take a value, as they may be spelled on the command line. */
export const GLOBAL_VALUE_OPTIONS: ReadonlySet<string> = new Set(['--queue-dir', '--queueDir', '--env-file', '--envFile']);

// Apart from common.ts, so the CLI can declare them without loading the config and its validator.
export function withGlobalOptions<T>(yargs: Argv<T>): Argv<T & GlobalArgs> {
  return yargs
    .option('queue-dir', {
      type: 'string',
      describe: 'Queue directory (env ECG_QUEUE_DIR, default ./offline_queue)',
      global: true,
    })
    .option('env-file', { type: 'string', describe: 'Read settings from this file instead of ./.env', global: true })
    .option('verbose', { type: 'boolean', describe: 'Print stack traces and log lines on stderr', global: true }) as Argv<
    T & GlobalArgs
  >;
}
