/**
 * A live ECG device on a serial port (serialport 13).
 *
 *   const device = new SerialDevice({ path: '/dev/ttyUSB0', protocol: 'openbci', leads: ['I', 'II'] });
 *   device.on('block', (block) => ...);           // SampleBlock, µV, channels in device.leads order
 *   device.on('state', (state, message) => ...);  // 'connecting' | 'connected' | 'reconnecting' | 'closed'
 *   await device.start();                         // UserError when the port is missing or not permitted
 *   ...
 *   await device.stop();                          // sends the protocol's stop command, closes
 *
 * When the port vanishes mid-session (unplugged, socat gone) the device reports
 * 'reconnecting' with "device disconnected, reconnecting…" and reopens with backoff
 * (0.25 s doubling to 5 s) until stop(). Not every vanished port raises 'close', so after 2 s
 * without data the port path is checked, and a device that needs a start command (OpenBCI) is
 * reopened after 5 s of silence. The first block after it comes back starts where real
 * time says it should, so a recording keeps its time axis; stats().gapSamples adds up the gaps.
 */
import { existsSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { UserError } from '../errors.js';
import { log } from '../log.js';
import { waitAtMost } from '../wait.js';
import { DEFAULT_BAUD } from './decoders.js';
import { EcgDevice, type DeviceOptions } from './device.js';

export interface SerialDeviceOptions extends DeviceOptions {
  path: string;
  baudRate?: number;
}

export const DISCONNECTED_MESSAGE = 'device disconnected, reconnecting…';
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5000;
/** Silence after which the link is checked: a vanished pty or USB node does not always raise 'close'. */
const STALL_CHECK_MS = 2000;
/** Silence after which a device that needs a start command is reopened (and told to start again). */
const RESTART_SILENT_MS = 5000;

export class SerialDevice extends EcgDevice {
  readonly path: string;
  readonly baudRate: number;
  private port: SerialPort | null = null;
  private stopping = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryMs = FIRST_RETRY_MS;
  private watchdog: NodeJS.Timeout | null = null;
  private lastDataAtMs = 0;
  private streamedSinceOpen = false;

  constructor(options: SerialDeviceOptions) {
    super(options);
    this.path = options.path;
    this.baudRate = options.baudRate ?? DEFAULT_BAUD[options.protocol];
  }

  async start(): Promise<void> {
    this.stopping = false;
    this.setState('connecting');
    try {
      await this.open();
    } catch (error) {
      this.setState('closed', null);
      throw new UserError(openFailureMessage(this.path, error));
    }
  }

  private async open(): Promise<void> {
    const port = new SerialPort({ path: this.path, baudRate: this.baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
    if (this.stopping) {
      // stop() came while a reconnect attempt was opening the port.
      await new Promise<void>((resolve) => port.close(() => resolve()));
      return;
    }
    this.port = port;
    port.on('data', (chunk: Buffer) => {
      this.lastDataAtMs = Date.now();
      this.streamedSinceOpen = true;
      this.ingest(chunk, this.lastDataAtMs);
    });
    port.on('error', (error) => log.warn(`serial port ${this.path}: ${error.message}`));
    port.on('close', () => this.lost(port));
    const open = this.decoder.openCommands;
    if (open) await writeAll(port, open);
    this.retryMs = FIRST_RETRY_MS;
    this.lastDataAtMs = Date.now();
    this.streamedSinceOpen = false;
    this.startWatchdog(port);
    this.setState('connected');
  }

  private startWatchdog(port: SerialPort): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = setInterval(() => {
      if (this.port !== port) return;
      const silentMs = Date.now() - this.lastDataAtMs;
      if (silentMs < STALL_CHECK_MS) return;
      // A port that streamed, fell silent and whose link or device node is gone has been unplugged,
      // even if no 'close' came. (A port just reopened may wait for its device: leave that alone.)
      const vanished = this.streamedSinceOpen && !existsSync(this.path);
      const needsRestart = this.decoder.openCommands !== null && silentMs >= RESTART_SILENT_MS;
      if (vanished || needsRestart) {
        log.warn(`serial port ${this.path}: no data for ${(silentMs / 1000).toFixed(1)} s${vanished ? ' and the port is gone' : ''}`);
        this.lost(port);
        if (port.isOpen) port.close(() => undefined);
      }
    }, 1000);
    this.watchdog.unref();
  }

  private lost(port: SerialPort): void {
    if (this.port !== port) return;
    this.port = null;
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    if (this.stopping) return;
    log.warn(`serial port ${this.path} closed unexpectedly; reconnecting`);
    this.restartDecoder();
    this.setState('reconnecting', DISCONNECTED_MESSAGE);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.stopping) return;
      this.open().catch((error: unknown) => {
        log.info(`reopening ${this.path} failed: ${error instanceof Error ? error.message : String(error)}`);
        this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
        this.scheduleRetry();
      });
    }, this.retryMs);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const port = this.port;
    this.port = null;
    if (port?.isOpen) {
      const close = this.decoder.closeCommands;
      // A device that has stopped reading never drains the command: give it a second, then close.
      if (close) await waitAtMost(writeAll(port, close), CLOSE_COMMAND_LIMIT_MS);
      await new Promise<void>((resolve) => port.close(() => resolve()));
    }
    this.setState('closed');
  }
}

/** How long stop() waits for the protocol's close command (OpenBCI `s`) to reach the device. */
const CLOSE_COMMAND_LIMIT_MS = 1000;

function writeAll(port: SerialPort, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    port.write(Buffer.from(bytes), (error) => {
      if (error) return reject(error);
      port.drain((drainError) => (drainError ? reject(drainError) : resolve()));
    });
  });
}

/** One line a technician can act on, from an open() failure. */
export function openFailureMessage(path: string, error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  if (/ENOENT|no such file/i.test(text)) return `serial port ${path} not found: check the cable, or run "ecg-monitor ports"`;
  if (/EACCES|permission denied/i.test(text)) {
    return `no permission to open ${path}: add your user to the "dialout" group (then log in again)`;
  }
  if (/EBUSY|cannot lock|resource busy/i.test(text)) return `serial port ${path} is busy: another program has it open`;
  return `cannot open serial port ${path}: ${text}`;
}
