import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import envPaths from 'env-paths';

/** Where detail goes: never the terminal, which belongs to the TUI or to --json output. */
export function logFilePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ECG_LOG_FILE) return env.ECG_LOG_FILE;
  return join(envPaths('ecg-monitor', { suffix: '' }).log, 'ecg-monitor.log');
}

type Level = 'debug' | 'info' | 'warn' | 'error';

let target: string | null = null;
let verbose = false;

export function configureLog(options: { file?: string; verbose?: boolean }): void {
  if (options.file !== undefined) target = options.file;
  if (options.verbose !== undefined) verbose = options.verbose;
}

function write(level: Level, message: string, detail?: unknown): void {
  const file = target ?? logFilePath();
  const line = JSON.stringify({
    time: new Date().toISOString(),
    level,
    pid: process.pid,
    message,
    ...(detail === undefined ? {} : { detail: detail instanceof Error ? detail.stack ?? detail.message : detail }),
  });
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    appendFileSync(file, line + '\n', { mode: 0o600 });
  } catch {
    // A log that cannot be written must never take the monitor down with it.
  }
  if (verbose && level !== 'debug') process.stderr.write(`[${level}] ${message}\n`);
}

export const log = {
  debug: (message: string, detail?: unknown) => write('debug', message, detail),
  info: (message: string, detail?: unknown) => write('info', message, detail),
  warn: (message: string, detail?: unknown) => write('warn', message, detail),
  error: (message: string, detail?: unknown) => write('error', message, detail),
};
