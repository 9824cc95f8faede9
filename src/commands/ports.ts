import type { CommandModule } from 'yargs';
import { listPorts } from '../device/ports.js';
import type { GlobalArgs } from './common.js';

export const portsCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'ports',
  handler: async () => {
    const listing = await listPorts();
    if (listing.note) process.stdout.write(`note: ${listing.note}\n`);
    if (listing.ports.length === 0) {
      process.stdout.write('No serial ports found.\n');
      return;
    }
    const rows = listing.ports.map((port) => [
      port.path,
      port.manufacturer ?? '-',
      port.serialNumber ?? '-',
      port.vendorId && port.productId ? `${port.vendorId}:${port.productId}` : '-',
    ]);
    const header = ['PATH', 'MANUFACTURER', 'SERIAL', 'VID:PID'];
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
    for (const row of [header, ...rows]) {
      process.stdout.write(`${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()}\n`);
    }
  },
};
