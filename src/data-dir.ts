import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout this module belongs to (src/ and dist/ sit directly below it). */
const REPO_DIR = fileURLToPath(new URL('..', import.meta.url));

/**
 * The shared PhysioNet records used by tests and benchmarks: `ECG_DATA_DIR`, or the first
 * `shared/data/ecg` found walking up from `start` (by default from the repository, then from
 * the working directory). Null when none exists.
 */
export function findEcgDataDir(start?: string, env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.ECG_DATA_DIR) return existsSync(env.ECG_DATA_DIR) ? resolve(env.ECG_DATA_DIR) : null;
  const starts = start === undefined ? [REPO_DIR, process.cwd()] : [start];
  for (const from of starts) {
    let directory = resolve(from);
    for (;;) {
      const candidate = join(directory, 'shared', 'data', 'ecg');
      if (existsSync(candidate)) return candidate;
      const parent = dirname(directory);
      if (parent === directory) break;
      directory = parent;
    }
  }
  return null;
}
