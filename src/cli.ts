import yargs, { type CommandModule } from 'yargs';
import { UserError, errorMessage } from './errors.js';
import { configureLog, log } from './log.js';
import { VERSION } from './version.js';
import { withGlobalOptions } from './commands/common.js';
import { recordCommand } from './commands/record.js';
import { simulateCommand } from './commands/simulate.js';
import { analyzeCommand } from './commands/analyze.js';
import { reportCommand } from './commands/report.js';
import { portsCommand } from './commands/ports.js';
import { queueCommand } from './commands/queue.js';
import { backendCommand } from './commands/backend.js';

const commands = [
  recordCommand,
  simulateCommand,
  analyzeCommand,
  reportCommand,
  portsCommand,
  queueCommand,
  backendCommand,
] as CommandModule[];

export function buildCli(args: string[]) {
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
      throw new UserError(`${message}\nRun "ecg-monitor --help" for usage.`, 2);
    });
  for (const command of commands) cli = cli.command(command);
  return cli;
}

/** Runs the CLI; every failure becomes one line on stderr and an exit code (CONTRACTS section 1). */
export async function main(args: string[]): Promise<void> {
  const verbose = args.includes('--verbose');
  configureLog({ verbose });
  try {
    await buildCli(args).parseAsync();
  } catch (error) {
    const exitCode = error instanceof UserError ? error.exitCode : 1;
    log.error(errorMessage(error), error);
    process.stderr.write(`ecg-monitor: ${errorMessage(error)}\n`);
    if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    process.exitCode = exitCode;
  }
}
