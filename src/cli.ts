import { parseArgs } from 'node:util';
import type { CommandModule } from 'yargs';
import type { AnalyzeArgs } from './commands/analyze.js';
import { UserError, errorMessage } from './errors.js';
import { tuneV8For } from './heap.js';
import { GLOBAL_VALUE_OPTIONS } from './commands/global-options.js';
import { configureLog, log } from './log.js';
import { VERSION } from './version.js';

interface CommandEntry {
  /** First word on the command line; `src/commands/<name>.ts` exports it as `<name>Command`. */
  name: string;
  /** The command string and description shown in the top-level help. */
  usage: string;
  describe: string;
}

// Only the command being run is imported: pdfmake, Ink, got and serialport cost start-up time and
// memory that `queue stats` or a long `record` session should not pay for.
const COMMANDS: CommandEntry[] = [
  { name: 'record', usage: 'record', describe: 'Record from a serial ECG device (or --simulate) with the live TUI' },
  { name: 'simulate', usage: 'simulate', describe: 'Write a simulated ECG device byte stream to a serial port at real-time pace' },
  { name: 'analyze', usage: 'analyze <file>', describe: 'Detect beats and measure intervals in a WFDB record or CSV file' },
  {
    name: 'report',
    usage: 'report <source>',
    describe: 'Write a PDF ECG report from a session directory or a WFDB record, and queue it for upload',
  },
  { name: 'ports', usage: 'ports', describe: 'List serial ports' },
  { name: 'queue', usage: 'queue <command>', describe: 'Inspect and manage the durable upload queue' },
  { name: 'backend', usage: 'backend', describe: 'Run the reference backend (CONTRACTS section 3) for development, demos and tests' },
];

async function loadCommand(name: string): Promise<CommandModule> {
  const module = (await import(`./commands/${name}.js`)) as Record<string, CommandModule>;
  const command = module[`${name}Command`];
  if (!command) throw new Error(`src/commands/${name}.ts does not export ${name}Command`);
  return command;
}

/** The words of an argument list that are not options or option values (`--queue-dir DIR` may come first). */
function positionalWords(args: readonly string[]): string[] {
  const words: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    if (GLOBAL_VALUE_OPTIONS.has(arg)) index += 1;
    else if (!arg.startsWith('-')) words.push(arg);
  }
  return words;
}

/** The command word of an argument list. */
function commandName(args: readonly string[]): string | undefined {
  return positionalWords(args)[0];
}

export async function buildCli(args: string[]) {
  // Loaded here, not at the top: the plain `analyze` path below never needs yargs or the config.
  const [{ default: yargs }, { withGlobalOptions }] = await Promise.all([import('yargs'), import('./commands/global-options.js')]);
  let cli = withGlobalOptions(yargs(args))
    .scriptName('ecg-monitor')
    .usage('$0 <command> [options]')
    .version(VERSION)
    .strict()
    .demandCommand(1, 'Give a command; see --help.')
    .recommendCommands()
    .wrap(Math.min(100, process.stdout.columns || 100))
    .epilogue('Exit codes: 0 ok, 1 runtime failure, 2 bad usage or bad input. Settings: see README (flag > env > .env > default).')
    .fail((message, error) => {
      if (error) throw error;
      throw new UserError(`${withUnknownCommand(message, args)}\nRun "ecg-monitor --help" for usage.`, 2);
    });
  const requested = commandName(args);
  for (const entry of COMMANDS) {
    if (entry.name === requested) {
      cli = cli.command({ ...(await loadCommand(entry.name)), describe: entry.describe });
    } else {
      // Listed for help and suggestions only; never reached, since yargs runs the requested command.
      cli = cli.command(entry.usage, entry.describe, () => {}, () => {});
    }
  }
  return cli;
}

/** yargs' suggestion alone ("Did you mean ports?") does not say what was wrong: name the unknown word. */
function withUnknownCommand(message: string, args: readonly string[]): string {
  if (!message.startsWith('Did you mean')) return message;
  const known = new Set(COMMANDS.map((entry) => entry.name));
  const unknown = positionalWords(args).find((word) => !known.has(word));
  return unknown === undefined ? message : `Unknown command: ${unknown}. ${message}`;
}

/**
 * `analyze <file> [--lead NAME] [--json] [--verbose]`, the batch command scripts run over many
 * files, read without yargs: loading and wiring yargs costs more start-up time than reading a
 * 30 min record. Null for anything else (help, other options, repeats, any mistake), which
 * then goes to the full CLI, so every message and exit code stays yargs' own.
 */
export function plainAnalyzeArgs(args: readonly string[]): AnalyzeArgs | null {
  if (args[0] !== 'analyze') return null;
  let parsed;
  try {
    parsed = parseArgs({
      args: args.slice(1),
      strict: true,
      allowPositionals: true,
      tokens: true,
      options: { json: { type: 'boolean' }, lead: { type: 'string' }, verbose: { type: 'boolean' } },
    });
  } catch {
    return null;
  }
  const { values, positionals, tokens } = parsed;
  const names = tokens.filter((token) => token.kind === 'option').map((token) => token.name);
  if (positionals.length !== 1 || tokens.some((token) => token.kind === 'option-terminator')) return null;
  if (new Set(names).size !== names.length) return null; // yargs would make a repeated option an array
  // yargs strips quotes around a value: leave quoted, empty or dash-led values to it.
  const plain = (text: string) => text !== '' && !/^['"-]|['"]$/.test(text);
  const file = positionals[0]!;
  if (!plain(file) || (values.lead !== undefined && !plain(values.lead))) return null;
  return { file, lead: values.lead, json: values.json ?? false, verbose: values.verbose };
}

/** Runs the CLI; every failure becomes one line on stderr and an exit code (CONTRACTS section 1). */
export async function main(args: string[]): Promise<void> {
  tuneV8For(commandName(args));
  const verbose = args.includes('--verbose');
  configureLog({ verbose });
  // A reader that goes away (`| head`) is not a failure of ours: stop printing, but let the
  // command finish, so a recording still queues its session_end.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  try {
    const plain = plainAnalyzeArgs(args);
    if (plain) await (await import('./commands/analyze.js')).runAnalyze(plain);
    else await (await buildCli(args)).parseAsync();
  } catch (error) {
    const exitCode = error instanceof UserError ? error.exitCode : 1;
    log.error(errorMessage(error), error);
    process.stderr.write(`ecg-monitor: ${errorMessage(error)}\n`);
    if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    process.exitCode = exitCode;
  }
}
