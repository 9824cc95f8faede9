import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The real binary (run `npx tsc -p .` first: it imports dist/). */
export const BIN = fileURLToPath(new URL('../../bin/ecg-monitor.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment minus every setting of ours, so a developer's shell or .env cannot leak into a test. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(BACKEND_|ECG_|SYNC_|MAX_RETRIES)/.test(name)) env[name] = value;
  }
  return { ...env, ...extra };
}

/**
 * Runs `node bin/ecg-monitor.js ...args` in `cwd` and resolves with its exit code and output;
 * `installed: true` runs the file itself, through its `#!` line, as an installed command does.
 */
export function runCli(args: string[], options: { cwd: string; env: Record<string, string>; timeoutMs?: number; installed?: boolean }): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      options.installed ? BIN : process.execPath,
      options.installed ? args : [BIN, ...args],
      { cwd: options.cwd, env: cleanEnv(options.env), timeout: options.timeoutMs ?? 30_000 },
      (error, stdout, stderr) => {
        // 124 like timeout(1) when the child had to be killed.
        const code = error ? (typeof error.code === 'number' ? error.code : error.killed ? 124 : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
