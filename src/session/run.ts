/**
 * `ecg-monitor record`: opens the device (serial port or simulator), the queue and the session,
 * shows the TUI or prints events, and ends cleanly on --duration, `q`, SIGINT or SIGTERM.
 */
import { existsSync } from 'node:fs';
import type { Config } from '../config.js';
import { resolveRecordPath } from '../formats/wfdb.js';
import type { EcgDevice } from '../device/device.js';
import type { Protocol } from '../device/types.js';
import { UsageError } from '../errors.js';
import { log } from '../log.js';
import { createBackendApi } from '../queue/backend-api.js';
import { eventPrinter, type SessionEvent } from './events.js';
import { makeSessionId, Session } from './session.js';
import type { SessionSummary } from './summary.js';

export interface RecordOptions {
  port: string | null;
  /** "synthetic" or a record path; null for a serial port. */
  simulate: string | null;
  protocol: Protocol;
  baudRate: number | null;
  rateHz: number | null;
  leads: string[] | null;
  mainsHz: 50 | 60;
  unitsPerMv: number;
  filter: 'monitor' | 'diagnostic';
  durationS: number | null;
  sessionId: string | null;
  patientId: string | null;
  operator: string | null;
  outDir: string;
  tui: boolean;
  json: boolean;
  config: Config;
  /** Simulator heart rate (demo, tests). */
  hrBpm?: number;
  /** Called once the session runs (the demo uses it). */
  onSession?: (session: Session) => void;
}

const SESSION_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$/;

/** Checks the options that yargs cannot; a problem is a UsageError (exit 2). */
export function validateRecordOptions(options: RecordOptions): void {
  if (options.sessionId !== null && !SESSION_ID_PATTERN.test(options.sessionId)) {
    throw new UsageError(`--session-id "${options.sessionId}" is not usable as a folder name: use letters, digits, "_" or "-"`);
  }
  if (options.rateHz !== null && !(options.rateHz > 0 && options.rateHz <= 20_000)) throw new UsageError('--rate must be a sample rate in Hz above 0');
  if (!(options.unitsPerMv > 0)) throw new UsageError('--units-per-mv must be above 0');
  if (options.baudRate !== null && !(Number.isInteger(options.baudRate) && options.baudRate > 0)) throw new UsageError('--baud must be a positive whole number');
  if (options.durationS !== null && !(options.durationS > 0)) throw new UsageError('--duration must be longer than 0 s');
  if (options.simulate !== null && options.simulate !== '' && options.simulate !== 'synthetic') {
    const { headerPath } = resolveRecordPath(options.simulate);
    if (!existsSync(headerPath)) throw new UsageError(`--simulate: no WFDB record at ${headerPath} (give "synthetic" or a .hea file)`);
  }
  if (options.leads !== null && options.leads.length === 0) throw new UsageError('--leads needs at least one lead name');
}

// Each kind of device is imported only when used: serialport's bindings are dead weight in a simulation.
async function openDevice(options: RecordOptions): Promise<{ device: EcgDevice; source: string; serial: string }> {
  if (options.simulate !== null) {
    const { createSimulatedDevice } = await import('../device/simulated-device.js');
    const source = options.simulate === '' ? 'synthetic' : options.simulate;
    const device = createSimulatedDevice({
      source,
      protocol: options.protocol,
      hrBpm: options.hrBpm,
      ...(options.leads ? { leads: options.leads } : {}),
      unitsPerMv: options.unitsPerMv,
    });
    return { device, source, serial: 'simulator' };
  }
  const { SerialDevice } = await import('../device/serial-device.js');
  const device = new SerialDevice({
    path: options.port!,
    protocol: options.protocol,
    baudRate: options.baudRate ?? undefined,
    rateHz: options.rateHz,
    unitsPerMv: options.unitsPerMv,
    leads: options.leads,
  });
  return { device, source: options.port!, serial: options.port! };
}

/** Runs one recording session to its end; resolves with the summary. */
export async function runRecord(options: RecordOptions): Promise<SessionSummary> {
  validateRecordOptions(options);
  const useTui = options.tui && process.stdout.isTTY === true;
  if (options.tui && !useTui) log.warn('record: stdout is not a terminal, printing events instead of the TUI');
  const { device, source, serial } = await openDevice(options);
  const print = useTui ? null : eventPrinter(process.stdout, options.json);
  const api = createBackendApi(options.config, { uploadTimeoutMs: 0 });
  const session = new Session({
    sessionId: options.sessionId ?? makeSessionId(),
    protocol: options.protocol,
    source,
    deviceSerial: serial,
    deviceLeads: options.simulate !== null ? null : options.leads,
    rateHz: options.rateHz ?? device.nominalRateHz,
    filter: options.filter,
    mainsHz: options.mainsHz,
    patientId: options.patientId,
    operator: options.operator,
    outDir: options.outDir,
    api,
    uploadEnabled: options.config.uploadEnabled,
    onEvent: (event: SessionEvent) => {
      if (print) print(event);
      else log.info(`session event ${event.type}`, event);
    },
  });

  let stopWith: (reason: string) => void = () => undefined;
  const stopRequested = new Promise<string>((resolve) => (stopWith = resolve));
  session.onStopRequest((reason) => stopWith(reason));
  const onSignal = (signal: NodeJS.Signals) => stopWith(signal);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const timers: NodeJS.Timeout[] = [];
  try {
    session.attach(device);
    // A device that cannot start leaves nothing behind: no files, nothing queued.
    await device.start();
    session.start();
    options.onSession?.(session);
    if (options.durationS !== null) timers.push(setTimeout(() => stopWith('duration'), options.durationS * 1000));
    let tui: import('../tui/index.js').TuiHandle | null = null;
    if (useTui) {
      const { startTui } = await import('../tui/index.js');
      tui = startTui(session.state, session.commands);
      void tui.waitUntilExit().then(() => stopWith('quit'));
    }
    const reason = await stopRequested;
    log.info(`record: stopping (${reason})`);
    tui?.unmount();
    await device.stop().catch((error: unknown) => log.warn('record: device stop failed', error));
    const summary = await session.stop(reason);
    if (useTui) {
      process.stdout.write(
        `session ${session.state.info.sessionId} ended: ${summary.duration_s.toFixed(1)} s, ${summary.beats} beats; recording in ${session.dir}\n`,
      );
    }
    return summary;
  } finally {
    for (const timer of timers) clearTimeout(timer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await api.close();
  }
}
