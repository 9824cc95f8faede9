import type { CommandModule } from 'yargs';
import { UserError } from '../errors.js';
import type { GlobalArgs } from './common.js';

export interface BackendArgs extends GlobalArgs {
  port: number;
  data: string;
}

export const backendCommand: CommandModule<GlobalArgs, BackendArgs> = {
  command: 'backend',
  describe: 'Run the reference backend (CONTRACTS section 3) for development, demos and tests',
  builder: (yargs) =>
    yargs
      .option('port', { type: 'number', default: 3000, describe: 'TCP port on 127.0.0.1' })
      .option('data', { type: 'string', default: './backend-data', describe: 'Where received items are stored' }) as never,
  handler: async () => {
    throw new UserError('backend is not available yet');
  },
};
