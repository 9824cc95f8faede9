import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The shared PhysioNet records used by tests and benchmarks: `ECG_DATA_DIR`, or the first
 * `shared/data/ecg` found walking up from `start`. Null when neither exists.
 */
export function findEcgDataDir(start: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.ECG_DATA_DIR) return existsSync(env.ECG_DATA_DIR) ? resolve(env.ECG_DATA_DIR) : null;
  let directory = resolve(start);
  for (;;) {
    const candidate = join(directory, 'shared', 'data', 'ecg');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(directory);
    if (parent === directory) return null;
    directory = parent;
  }
}
