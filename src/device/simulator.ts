/**
 * The simulated device's byte stream: a source (synthetic or WFDB replay) at the protocol's
 * rate, encoded frame by frame, and a pacer that says how many frames are due at real time
 * x speed. Used by `ecg-monitor simulate` (to a serial port) and by SimulatedDevice (in-process).
 */
import { createEncoder, protocolChannelCount, protocolRateHz, type Encoder, type EncoderOptions } from './encoders.js';
import { createRecordSource, createSource, resample, type SignalSource } from './sources.js';
import type { Protocol } from './types.js';

export interface SimulatorOptions extends EncoderOptions {
  /** "synthetic" (default) or a WFDB record path. */
  source?: string;
  protocol: Protocol;
  hrBpm?: number;
  /** Synthetic only: which leads go on the device channels, in order. */
  leads?: string[];
}

export interface SimulatorStream {
  protocol: Protocol;
  rateHz: number;
  /** Names of the signals on the device channels, in order. */
  leads: string[];
  source: SignalSource;
  encoder: Encoder;
  /** Bytes for the next `frames` frames. */
  nextBytes(frames: number): Uint8Array;
}

/** The leads a typical device of each protocol carries when the synthetic source feeds it. */
export const DEFAULT_SIMULATED_LEADS: Record<Protocol, string[]> = {
  ascii: ['II'],
  openbci: ['I', 'II', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'],
  p2: ['I', 'II', 'V1', 'V2', 'V3', 'V4'],
};

export function createSimulatorStream(options: SimulatorOptions): SimulatorStream {
  const sourceName = options.source ?? 'synthetic';
  const channelLimit = protocolChannelCount(options.protocol) ?? Number.POSITIVE_INFINITY;
  let rateHz: number;
  let source: SignalSource;
  if (sourceName === 'synthetic') {
    rateHz = protocolRateHz(options.protocol, 500);
    const leads = (options.leads ?? DEFAULT_SIMULATED_LEADS[options.protocol]).slice(0, channelLimit);
    source = createSource({ source: 'synthetic', fsHz: rateHz, hrBpm: options.hrBpm, leads, seed: options.seed });
  } else {
    const record = createRecordSource(sourceName);
    rateHz = protocolRateHz(options.protocol, record.fsHz);
    source = resample(record, rateHz);
  }
  const leads = source.leads.slice(0, channelLimit);
  const encoder = createEncoder(options.protocol, options);
  return {
    protocol: options.protocol,
    rateHz,
    leads,
    source,
    encoder,
    nextBytes(frames) {
      if (frames <= 0) return new Uint8Array(0);
      return encoder.encode(source.next(frames).slice(0, leads.length));
    },
  };
}

/** Frames due by now at `rateHz` x `speed`, counted from the first call. */
export class Pacer {
  private startMs: number | null = null;
  private sent = 0;

  constructor(
    private readonly rateHz: number,
    private readonly speed = 1,
  ) {}

  due(nowMs: number): number {
    if (this.startMs === null) this.startMs = nowMs;
    const total = Math.floor((((nowMs - this.startMs) / 1000) * this.rateHz * this.speed));
    const due = total - this.sent;
    this.sent = total;
    return due;
  }

  get framesSent(): number {
    return this.sent;
  }
}
