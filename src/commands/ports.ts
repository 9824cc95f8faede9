import type { CommandModule } from 'yargs';
import { UserError } from '../errors.js';
import type { GlobalArgs } from './common.js';

export const portsCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'ports',
  describe: 'List serial ports',
  handler: async () => {
    throw new UserError('ports is not available yet');
  },
};
