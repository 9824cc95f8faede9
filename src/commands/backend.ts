import { resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { startBackend } from '../backend/server.js';
import { loadConfig } from '../config.js';
import { UsageError, UserError } from '../errors.js';
import { log } from '../log.js';
import type { GlobalArgs } from './common.js';

export interface BackendArgs extends GlobalArgs {
  port: number;
  data: string;
  failRate?: number;
  status?: number;
  retryAfter?: string;
  latencyMs?: number;
  resetRate?: number;
  apiKey?: string;
}

function probability(name: string, value: number | undefined): number | undefined {
  if (value !== undefined && !(value >= 0 && value <= 1)) throw new UsageError(`--${name} must be between 0 and 1`);
  return value;
}

export const backendCommand: CommandModule<GlobalArgs, BackendArgs> = {
  command: 'backend',
  builder: (yargs) =>
    yargs
      .option('port', { type: 'number', default: 3000, describe: 'TCP port on 127.0.0.1 (0 = any free port)' })
      .option('data', { type: 'string', default: './backend-data', describe: 'Where received items are stored' })
      .option('api-key', { type: 'string', describe: 'Key clients must send (else BACKEND_API_KEY; none = any key)' })
      .option('fail-rate', { type: 'number', describe: 'Fault: share of uploads answered with --status (0..1; default 1 when --status is given)' })
      .option('status', { type: 'number', describe: 'Fault: HTTP status of injected failures (default 503)' })
      .option('retry-after', { type: 'string', describe: 'Fault: Retry-After sent with injected failures (seconds or HTTP-date)' })
      .option('latency-ms', { type: 'number', describe: 'Fault: delay before each upload is answered' })
      .option('reset-rate', { type: 'number', describe: 'Fault: share of uploads whose connection is reset (0..1)' })
      .group(['fail-rate', 'status', 'retry-after', 'latency-ms', 'reset-rate'], 'Fault injection (uploads only; /health always answers):') as never,
  handler: async (args) => {
    if (args.status !== undefined && !(Number.isInteger(args.status) && args.status >= 100 && args.status <= 599)) {
      throw new UsageError('--status must be an HTTP status code (100-599)');
    }
    if (args.latencyMs !== undefined && !(args.latencyMs >= 0)) throw new UsageError('--latency-ms must be 0 or more');
    const failRate = probability('fail-rate', args.failRate) ?? (args.status !== undefined ? 1 : 0);
    const resetRate = probability('reset-rate', args.resetRate) ?? 0;
    const apiKey = args.apiKey ?? loadConfig({ envFile: args.envFile, uploads: false }).apiKey;
    if (!(Number.isInteger(args.port) && args.port >= 0 && args.port <= 65535)) throw new UsageError('--port must be 0-65535');
    const backend = await startBackend({
      port: args.port,
      dataDir: resolve(args.data),
      apiKey,
      faults: {
        failRate,
        resetRate,
        ...(args.status !== undefined ? { status: args.status } : {}),
        ...(args.retryAfter !== undefined ? { retryAfter: args.retryAfter } : {}),
        ...(args.latencyMs !== undefined ? { latencyMs: args.latencyMs } : {}),
      },
    }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') throw new UserError(`port ${args.port} is already in use: pick another with --port`);
      throw error;
    });
    process.stdout.write(`reference backend listening: BACKEND_API_URL=${backend.url}\n`);
    process.stdout.write(`storing under ${resolve(args.data)}; ${apiKey ? 'API key required' : 'any API key accepted'}; Ctrl-C stops\n`);
    log.info(`reference backend on port ${backend.port}`);
    await new Promise<void>((done) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void backend.close().then(done);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  },
};
