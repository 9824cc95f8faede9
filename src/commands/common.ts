import type { Argv } from 'yargs';
import { loadConfig, type Config } from '../config.js';

/** Options every command accepts (CONTRACTS section 1). */
export interface GlobalArgs {
  queueDir?: string;
  envFile?: string;
  verbose?: boolean;
}

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

/** The validated config for a command, with `--queue-dir` as the strongest source. */
export function configFromArgs(args: GlobalArgs): Config {
  return loadConfig({ flags: { queueDir: args.queueDir }, envFile: args.envFile });
}

/** Durations such as `30s`, `10m`, `1h` or a bare number of seconds. */
export function parseDurationS(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!match) throw new Error(`invalid duration "${text}": use e.g. 30s, 10m or 1h`);
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  const factor = unit === 'ms' ? 0.001 : unit === 's' ? 1 : unit === 'm' ? 60 : 3600;
  return value * factor;
}
