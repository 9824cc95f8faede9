import { loadConfig, type Config } from '../config.js';
import type { GlobalArgs } from './global-options.js';

export { withGlobalOptions, type GlobalArgs } from './global-options.js';

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
