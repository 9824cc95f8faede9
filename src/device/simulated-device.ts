/**
 * An in-process simulated device for `record --simulate`: the simulator's encoded bytes go
 * through the same decoder and EcgDevice path as a serial port's, every 20 ms, at real time x
 * speed. Same events and stats() as SerialDevice.
 *
 *   const device = createSimulatedDevice({ source: 'synthetic', protocol: 'openbci', hrBpm: 72 });
 *   device.on('block', ...); await device.start(); ... await device.stop();
 */
import { EcgDevice } from './device.js';
import { Pacer, createSimulatorStream, type SimulatorOptions, type SimulatorStream } from './simulator.js';
import type { BeatTruth } from './synthetic.js';

export interface SimulatedDeviceOptions extends SimulatorOptions {
  /** Playback speed factor (1 = real time). */
  speed?: number;
  /** Tick period in ms. */
  tickMs?: number;
}

const DEFAULT_TICK_MS = 20;

export class SimulatedDevice extends EcgDevice {
  readonly stream: SimulatorStream;
  private timer: NodeJS.Timeout | null = null;
  private readonly speed: number;
  private readonly tickMs: number;

  constructor(options: SimulatedDeviceOptions) {
    const stream = createSimulatorStream(options);
    super({ protocol: options.protocol, rateHz: stream.rateHz, leads: stream.leads, unitsPerMv: options.unitsPerMv });
    this.stream = stream;
    this.speed = options.speed ?? 1;
    this.tickMs = options.tickMs ?? DEFAULT_TICK_MS;
  }

  async start(): Promise<void> {
    if (this.timer) return;
    this.setState('connecting');
    const pacer = new Pacer(this.stream.rateHz, this.speed);
    pacer.due(Date.now());
    this.setState('connected');
    this.timer = setInterval(() => {
      const now = Date.now();
      const frames = pacer.due(now);
      if (frames > 0) this.ingest(this.stream.nextBytes(frames), now);
    }, this.tickMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.setState('closed');
  }

  /** Synthetic source: ground truth of the beats generated so far (R samples at the device rate). */
  truth(): BeatTruth[] {
    return this.stream.source.truth?.() ?? [];
  }
}

export function createSimulatedDevice(options: SimulatedDeviceOptions): SimulatedDevice {
  return new SimulatedDevice(options);
}
