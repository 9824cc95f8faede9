import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { UsageError } from './errors.js';

/** Everything the program reads from flags, environment and `.env`, validated once. */
export interface Config {
  uploadEnabled: boolean;
  apiUrl: string | null;
  apiKey: string | null;
  caFile: string | null;
  queueDir: string;
  syncIntervalS: number;
  maxRetries: number;
  syncBatchSize: number;
  syncedKeep: number;
}

/** The environment variable behind each field (CONTRACTS section 2). */
export const CONFIG_VARIABLES = {
  uploadEnabled: 'BACKEND_UPLOAD_ENABLED',
  apiUrl: 'BACKEND_API_URL',
  apiKey: 'BACKEND_API_KEY',
  caFile: 'BACKEND_CA_FILE',
  queueDir: 'ECG_QUEUE_DIR',
  syncIntervalS: 'SYNC_INTERVAL_S',
  maxRetries: 'MAX_RETRIES',
  syncBatchSize: 'SYNC_BATCH_SIZE',
  syncedKeep: 'SYNCED_KEEP',
} as const satisfies Record<keyof Config, string>;

const booleanText = z
  .string()
  .trim()
  .toLowerCase()
  .refine((text) => ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'].includes(text), {
    message: 'expected true or false',
  })
  .transform((text) => ['true', '1', 'yes', 'on'].includes(text));

const optionalText = z
  .string()
  .trim()
  .transform((text) => (text === '' ? null : text));

const wholeNumber = (min: number) => z.coerce.number().int().min(min);

const schema = z.object({
  uploadEnabled: booleanText.default(false),
  apiUrl: optionalText
    .refine((url) => url === null || /^https?:\/\/[^\s]+$/.test(url), { message: 'expected an http(s) URL' })
    .transform((url) => (url === null ? null : url.replace(/\/+$/, '')))
    .default(null),
  apiKey: optionalText.default(null),
  caFile: optionalText.default(null),
  queueDir: z.string().trim().min(1).default('./offline_queue'),
  syncIntervalS: z.coerce.number().positive().default(30),
  maxRetries: wholeNumber(1).default(5),
  syncBatchSize: wholeNumber(1).default(10),
  syncedKeep: wholeNumber(0).default(100),
});

export interface LoadConfigOptions {
  /** Values given on the command line; they win over everything. */
  flags?: Partial<Record<keyof Config, string | number | boolean | undefined>>;
  /** `--env-file`; a missing file named explicitly is an error. */
  envFile?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** False for a command that never uploads (the reference backend): the upload settings are not checked. */
  uploads?: boolean;
}

/** Precedence: flag > environment > `.env` file > default. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const fileValues = readEnvFile(options.envFile, cwd);
  const raw: Record<string, string> = {};
  for (const [field, variable] of Object.entries(CONFIG_VARIABLES)) {
    const flag = options.flags?.[field as keyof Config];
    const value = flag !== undefined ? String(flag) : (env[variable] ?? fileValues[variable]);
    if (value !== undefined) raw[field] = value;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? '');
    const variable = CONFIG_VARIABLES[field as keyof Config] ?? field;
    throw new UsageError(`invalid configuration ${variable}: ${issue?.message ?? 'bad value'}`);
  }
  const config = parsed.data;
  if (options.uploads === false) return { ...config, queueDir: resolve(cwd, config.queueDir) };
  // Else uploads would be on with nowhere to go, shown as "offline" as if the network were down.
  if (config.uploadEnabled && config.apiUrl === null) {
    throw new UsageError(`invalid configuration ${CONFIG_VARIABLES.uploadEnabled}: true needs ${CONFIG_VARIABLES.apiUrl}`);
  }
  // Checked here, not at the first upload, where it could only show as "offline".
  if (config.caFile !== null && !existsSync(resolve(cwd, config.caFile))) {
    throw new UsageError(`invalid configuration ${CONFIG_VARIABLES.caFile}: no such file ${resolve(cwd, config.caFile)}`);
  }
  return { ...config, queueDir: resolve(cwd, config.queueDir) };
}

function readEnvFile(explicit: string | undefined, cwd: string): Record<string, string> {
  const file = resolve(cwd, explicit ?? '.env');
  if (!existsSync(file)) {
    if (explicit !== undefined) throw new UsageError(`env file not found: ${file}`);
    return {};
  }
  try {
    return parseDotenv(readFileSync(file));
  } catch (error) {
    throw new UsageError(`cannot read env file ${file}: ${(error as Error).message}`);
  }
}

/** The config as it may be shown or logged: the API key never appears. */
export function redactConfig(config: Config): Record<string, unknown> {
  return { ...config, apiKey: config.apiKey === null ? null : '***' };
}
