/**
 * Serial port discovery. serialport's list() relies on udevadm on Linux; where that is missing
 * or fails, scan /dev for the usual device names instead and say so.
 */
import { readdirSync } from 'node:fs';
import { SerialPort } from 'serialport';

export interface PortInfo {
  path: string;
  manufacturer: string | null;
  serialNumber: string | null;
  vendorId: string | null;
  productId: string | null;
}

export interface PortListing {
  ports: PortInfo[];
  /** 'serialport' when the library listed them, 'dev-scan' for the fallback. */
  method: 'serialport' | 'dev-scan';
  /** Why the fallback was used. */
  note: string | null;
}

const DEV_PATTERN = /^(ttyUSB\d+|ttyACM\d+|ttyS\d+|ttyAMA\d+|rfcomm\d+|cu\..+|tty\.usb.+)$/;

export async function listPorts(): Promise<PortListing> {
  try {
    const found = await SerialPort.list();
    const ports = found.map((port) => ({
      path: port.path,
      manufacturer: port.manufacturer ?? null,
      serialNumber: port.serialNumber ?? null,
      vendorId: port.vendorId ?? null,
      productId: port.productId ?? null,
    }));
    if (ports.length > 0 || process.platform !== 'linux') return { ports, method: 'serialport', note: null };
    return scanDev('the serial port library found none');
  } catch (error) {
    return scanDev(`the serial port library could not list ports (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** Device nodes in /dev (and pseudo-terminals in /dev/pts) that look like serial ports. */
export function scanDev(reason: string, devDir = '/dev'): PortListing {
  const ports: PortInfo[] = [];
  const add = (path: string) => ports.push({ path, manufacturer: null, serialNumber: null, vendorId: null, productId: null });
  for (const name of safeList(devDir).sort(naturalOrder)) if (DEV_PATTERN.test(name)) add(`${devDir}/${name}`);
  for (const name of safeList(`${devDir}/pts`).sort(naturalOrder)) if (/^\d+$/.test(name)) add(`${devDir}/pts/${name}`);
  return { ports, method: 'dev-scan', note: `${reason}; scanned ${devDir} for ttyUSB*, ttyACM*, ttyS* and pts/*` };
}

function safeList(directory: string): string[] {
  try {
    return readdirSync(directory);
  } catch {
    return [];
  }
}

function naturalOrder(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
