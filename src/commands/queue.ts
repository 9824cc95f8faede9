import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { bodyProblem, looksLikePdf } from '../backend/schemas.js';
import type { Config } from '../config.js';
import { UsageError, UserError } from '../errors.js';
import { queueStats } from '../queue/stats.js';
import { QueueStore, type EnqueueInput } from '../queue/store.js';
import type { DrainReport } from '../queue/sync.js';
import { ITEM_TYPES, type ItemState, type ItemType, type QueueItem, type QueueStats } from '../queue/types.js';
import { configFromArgs, type GlobalArgs } from './common.js';

interface QueueArgs extends GlobalArgs {
  json?: boolean;
}

/** The longest server-requested pause `queue sync` waits out before giving up for now. */
const MAX_WAIT_FOR_PAUSE_MS = 60_000;

async function withStore<T>(args: GlobalArgs, work: (store: QueueStore, config: Config) => Promise<T>): Promise<T> {
  const config = configFromArgs(args);
  const store = await QueueStore.open(config.queueDir, { syncedKeep: config.syncedKeep });
  try {
    return await work(store, config);
  } finally {
    await store.close();
  }
}

const print = (text: string): void => void process.stdout.write(`${text}\n`);
const printJson = (value: unknown) => print(JSON.stringify(value, null, 2));

/** The item fields of `queue list --json` (CONTRACTS section 1). */
function listedItem(item: QueueItem) {
  const { id, type, priority, state, queued_at, retry_count, last_error, session_id, bytes } = item;
  return { id, type, priority, state, queued_at, retry_count, last_error, session_id, bytes };
}

function humanBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function connectionState(stats: QueueStats): string {
  if (!stats.upload_enabled) return 'uploads off (BACKEND_UPLOAD_ENABLED=false): everything stays queued';
  if (stats.unauthorized) return 'paused: the backend refused the API key (check BACKEND_API_KEY, then run "queue sync")';
  if (stats.throttled_until && Date.parse(stats.throttled_until) > Date.now()) {
    return `paused: the backend asked to wait until ${stats.throttled_until}`;
  }
  return stats.is_online ? 'online' : 'offline (the backend was not reachable at the last try)';
}

function printStats(stats: QueueStats): void {
  const rows: [string, string][] = [
    ['queue', stats.queue_dir],
    ['state', connectionState(stats)],
    ['pending', `${stats.pending_count} (${humanBytes(stats.bytes_pending)})`],
    ['inflight', String(stats.inflight_count)],
    ['failed', String(stats.failed_count)],
    ['synced', `${stats.synced_count} kept`],
    ['totals', `queued ${stats.total_queued}, synced ${stats.total_synced}, failed ${stats.total_failed}`],
    ['last sync', stats.last_sync_at ?? 'never'],
    ['next try', stats.next_attempt_at ?? '-'],
  ];
  if (stats.disk_error) rows.push(['disk', `${stats.disk_error} (${stats.memory_only_count} items held in memory)`]);
  for (const [name, value] of rows) print(`${name.padEnd(10)} ${value}`);
}

function printItems(items: QueueItem[]): void {
  if (items.length === 0) return print('no items');
  const header = ['id', 'type', 'state', 'tries', 'queued_at', 'session', 'bytes', 'last error'];
  const rows = items.map((item) => [
    item.id,
    item.type,
    item.state,
    String(item.retry_count),
    item.queued_at,
    item.session_id ?? '-',
    String(item.bytes),
    item.last_error ?? '',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  for (const row of [header, ...rows]) print(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd());
}

/** Reads `--file`/`--data` into an enqueue input, refusing anything the backend would reject (exit 2). */
function pushInput(args: { type: ItemType; file?: string; data?: string; sessionId?: string }): EnqueueInput {
  if ((args.file === undefined) === (args.data === undefined)) throw new UsageError('give exactly one of --file or --data');
  let bytes: Buffer;
  if (args.file !== undefined) {
    try {
      bytes = readFileSync(args.file);
    } catch (error) {
      throw new UsageError(`cannot read ${args.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  } else {
    bytes = Buffer.from(args.data!, 'utf8');
  }
  if (args.type === 'report') {
    if (args.file === undefined) throw new UsageError('a report is a PDF: give it with --file report.pdf');
    if (!looksLikePdf(bytes)) throw new UsageError(`${args.file} is not a PDF`);
    if (!args.sessionId) throw new UsageError('a report needs --session-id');
    return {
      type: 'report',
      payload: bytes,
      contentType: 'application/pdf',
      sessionId: args.sessionId,
      metadata: { session_id: args.sessionId, filename: basename(args.file) },
    };
  }
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new UsageError(`${args.file ?? '--data'} is not valid JSON: ${(error as Error).message}`);
  }
  const problem = bodyProblem(args.type, body);
  if (problem) throw new UsageError(problem);
  let sessionId = args.sessionId ?? null;
  if (args.type === 'session_start') {
    const bodySessionId = (body as { session_id: string }).session_id;
    if (sessionId !== null && sessionId !== bodySessionId) {
      throw new UsageError(`--session-id ${sessionId} differs from the body's session_id ${bodySessionId}`);
    }
    sessionId = bodySessionId;
  } else if (sessionId === null) {
    throw new UsageError(`a ${args.type} item needs --session-id`);
  }
  return { type: args.type, payload: JSON.stringify(body), contentType: 'application/json', sessionId };
}

function syncSummary(report: DrainReport, pending: number): string {
  return `sync: ${report.delivered} delivered, ${report.failed} failed, ${report.retrying} to retry, ${pending} pending`;
}

async function runSync(args: QueueArgs): Promise<void> {
  await withStore(args, async (store, config) => {
    if (!config.uploadEnabled) throw new UserError('uploads are off: set BACKEND_UPLOAD_ENABLED=true (and BACKEND_API_URL) to sync');
    if (config.apiUrl === null) throw new UserError('BACKEND_API_URL is not set: nowhere to send the queue');
    // Loaded here so the other queue commands start without got and ora.
    const { SyncLoop } = await import('../queue/sync.js');
    const ora = !args.json && process.stderr.isTTY ? (await import('ora')).default : null;
    const loop = new SyncLoop(store, config);
    const spinner = ora ? ora({ text: 'syncing…', stream: process.stderr, discardStdin: false }).start() : null;
    const total: DrainReport = { stopped: null, attempted: 0, delivered: 0, failed: 0, retrying: 0, throttledUntil: null };
    const seen = new Set<string>();
    loop.on('settled', () => {
      if (spinner) spinner.text = `syncing… ${total.attempted + 1} sent`;
    });
    try {
      await store.setStatus({ unauthorized: false });
      for (;;) {
        const report = await loop.drain({ ignoreBackoff: true, waitForLock: true, seen });
        for (const field of ['attempted', 'delivered', 'failed', 'retrying'] as const) total[field] += report[field];
        total.stopped = report.stopped;
        total.throttledUntil = report.throttledUntil;
        const waitMs = report.throttledUntil ? Date.parse(report.throttledUntil) - Date.now() : 0;
        if (report.stopped !== 'throttled' || waitMs > MAX_WAIT_FOR_PAUSE_MS) break;
        if (spinner) spinner.text = `the backend asked to wait until ${report.throttledUntil}…`;
        await new Promise((resolve) => setTimeout(resolve, Math.max(waitMs, 0) + 50));
      }
    } finally {
      spinner?.stop();
      await loop.stop();
    }
    const stats = await queueStats(store, config);
    if (args.json) printJson({ ...total, pending_count: stats.pending_count, failed_count: stats.failed_count });
    else print(syncSummary(total, stats.pending_count));
    const left = `${stats.pending_count} items stay queued`;
    if (total.stopped === 'offline') throw new UserError(`backend not reachable at ${config.apiUrl}/health (${loop.offlineReason ?? 'no reply'}); ${left}`);
    if (total.stopped === 'unauthorized') throw new UserError(`the backend refused the API key: check BACKEND_API_KEY; ${left}`);
    if (total.stopped === 'throttled') throw new UserError(`the backend asked to wait until ${total.throttledUntil}; ${left}`);
  });
}

const jsonOption = { type: 'boolean', describe: 'Machine-readable JSON on stdout' } as const;

const subcommands: CommandModule<GlobalArgs, never>[] = [
  {
    command: 'stats',
    describe: 'Counts, connection state and totals',
    builder: (yargs: Argv) => yargs.option('json', jsonOption) as never,
    handler: async (args: QueueArgs) =>
      withStore(args, async (store, config) => {
        const stats = await queueStats(store, config);
        if (args.json) printJson(stats);
        else printStats(stats);
      }),
  },
  {
    command: 'list',
    describe: 'Items in the queue, in sending order',
    builder: (yargs: Argv) =>
      yargs
        .option('state', { choices: ['pending', 'inflight', 'failed', 'synced'] as const, describe: 'Only items in this state' })
        .option('json', jsonOption) as never,
    handler: async (args: QueueArgs & { state?: ItemState }) =>
      withStore(args, async (store) => {
        const items = await store.list(args.state ? { state: args.state } : {});
        if (args.json) printJson(items.map(listedItem));
        else printItems(items);
      }),
  },
  {
    command: 'show <id>',
    describe: 'One item with its payload (JSON)',
    // Always JSON; --json is accepted so scripts can pass it to every queue command alike.
    builder: (yargs: Argv) => yargs.positional('id', { type: 'string', describe: 'Item id' }).option('json', jsonOption) as never,
    handler: async (args: QueueArgs & { id: string }) =>
      withStore(args, async (store) => {
        const item = await store.get(String(args.id));
        if (!item) throw new UsageError(`no queue item with id ${args.id}`);
        let details: Record<string, unknown> = {};
        if (item.state !== 'synced') {
          const info = await store.payloadInfo(item.id);
          const payload = await store.readPayload(item.id);
          details = {
            content_type: info.contentType,
            metadata: info.metadata,
            payload: info.contentType.startsWith('application/json') ? JSON.parse(payload.toString('utf8')) : `<${payload.length} bytes ${info.contentType}>`,
          };
        }
        printJson({ ...item, ...details });
      }),
  },
  {
    command: 'push',
    describe: 'Queue one item by hand (F is the JSON body, or the PDF for a report)',
    builder: (yargs: Argv) =>
      yargs
        .option('type', { choices: ITEM_TYPES, demandOption: true, describe: 'Item type' })
        .option('file', { type: 'string', describe: 'JSON body file, or the PDF for a report' })
        .option('data', { type: 'string', describe: 'JSON body given inline' })
        .option('session-id', { type: 'string', describe: 'Session the item belongs to' })
        .conflicts('file', 'data')
        .option('json', jsonOption) as never,
    handler: async (args: QueueArgs & { type: ItemType; file?: string; data?: string; sessionId?: string }) => {
      const input = pushInput(args);
      await withStore(args, async (store) => {
        const item = await store.enqueue(input);
        if (args.json) printJson(listedItem(item));
        else print(`queued ${item.type} ${item.id}`);
      });
    },
  },
  {
    command: 'sync',
    describe: 'Try every pending item now (backoff timers ignored; a server Retry-After pause holds) and wait',
    builder: (yargs: Argv) => yargs.option('json', jsonOption) as never,
    handler: runSync,
  },
  {
    command: 'retry-failed',
    describe: 'Failed items back to pending, retry counters reset',
    builder: (yargs: Argv) => yargs.option('json', jsonOption) as never,
    handler: async (args: QueueArgs) =>
      withStore(args, async (store) => {
        await store.setStatus({ unauthorized: false });
        const count = await store.retryFailed();
        if (args.json) printJson({ retried: count });
        else print(`${count} failed items back to pending`);
      }),
  },
  {
    command: 'clear-synced',
    describe: 'Forget the synced items kept for the audit trail',
    builder: (yargs: Argv) => yargs.option('json', jsonOption) as never,
    handler: async (args: QueueArgs) =>
      withStore(args, async (store) => {
        const count = await store.clearSynced();
        if (args.json) printJson({ cleared: count });
        else print(`${count} synced items cleared`);
      }),
  },
];

export const queueCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'queue',
  builder: (yargs) => {
    let withSubcommands = yargs;
    for (const subcommand of subcommands) withSubcommands = withSubcommands.command(subcommand as CommandModule<GlobalArgs, GlobalArgs>);
    return withSubcommands.demandCommand(1, 'Give a queue command: stats, list, show, push, sync, retry-failed or clear-synced.') as never;
  },
  handler: () => undefined,
};
