import type { CommandModule } from 'yargs';
import { UserError } from '../errors.js';
import type { GlobalArgs } from './common.js';

export const queueCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'queue <command>',
  describe: 'Inspect and manage the durable upload queue',
  builder: (yargs) => yargs.demandCommand(1) as never,
  handler: async () => {
    throw new UserError('queue is not available yet');
  },
};
