/**
 * What SerialDevice and SimulatedDevice share: bytes in, decoder, SampleBlocks out, with the
 * stream's sample numbering kept in real time across reconnects.
 *
 * Events: 'block' (SampleBlock, channels in `leads` order, µV), 'state' (DeviceState, message).
 */
import { EventEmitter } from 'node:events';
import { log } from '../log.js';
import { createDecoder } from './decoders.js';
import { leadNames } from './leads.js';
import type { Decoder, DecoderStats, DeviceState, Protocol, SampleBlock } from './types.js';

/** Measured rate further than this fraction from nominal is worth a log line. */
const RATE_TOLERANCE = 0.02;

export interface DeviceOptions {
  protocol: Protocol;
  /** ascii: the sample rate, when known. */
  rateHz?: number | null;
  /** ascii: counts per mV (default 200, baseline 512). */
  unitsPerMv?: number;
  /** Channel names in order (`--leads`); extra device channels are left out. */
  leads?: string[] | string | null;
}

export interface DeviceStats extends DecoderStats {
  state: DeviceState;
  nominalRateHz: number | null;
  reconnects: number;
  /** Samples lost while the device was away (the jumps in firstSample after reconnects). */
  gapSamples: number;
}

export interface DeviceEvents {
  block: [SampleBlock];
  state: [DeviceState, string | null];
}

export abstract class EcgDevice extends EventEmitter<DeviceEvents> {
  readonly protocol: Protocol;
  protected decoder: Decoder;
  protected stateNow: DeviceState = 'closed';
  private readonly options: DeviceOptions;
  private leadList: string[] | null = null;
  /** Totals of decoders replaced by a reconnect. */
  private earlier: Omit<DecoderStats, 'measuredRateHz'> = { frames: 0, badFrames: 0, droppedFrames: 0, discardedBytes: 0 };
  private offset = 0;
  private nextSample = 0;
  private lastSampleAtMs: number | null = null;
  private resumeFromMs: number | null = null;
  private reconnectCount = 0;
  private gapTotal = 0;
  private rateBeforeRestartHz: number | null = null;
  private rateWarned = false;

  protected constructor(options: DeviceOptions) {
    super();
    this.options = options;
    this.protocol = options.protocol;
    this.decoder = this.newDecoder();
  }

  private newDecoder(): Decoder {
    const channelCount = Array.isArray(this.options.leads) && this.protocol === 'ascii' ? this.options.leads.length : undefined;
    return createDecoder(this.protocol, { rateHz: this.options.rateHz, unitsPerMv: this.options.unitsPerMv, channelCount });
  }

  /** Channel names; for ascii without --leads, known once the first line arrived. */
  get leads(): string[] {
    if (this.leadList) return this.leadList;
    const given = this.options.leads;
    const names = typeof given === 'string' ? given.split(',').map((n) => n.trim()).filter(Boolean) : given ?? [];
    const count = names.length > 0 ? Math.min(names.length, this.decoder.channelCount) : this.decoder.channelCount;
    return leadNames(names, count);
  }

  get state(): DeviceState {
    return this.stateNow;
  }

  get nominalRateHz(): number | null {
    return this.decoder.nominalRateHz ?? this.options.rateHz ?? null;
  }

  protected setState(state: DeviceState, message: string | null = null): void {
    this.stateNow = state;
    this.emit('state', state, message);
  }

  /** Feeds bytes from the device; emits the blocks they complete. */
  protected ingest(bytes: Uint8Array, nowMs: number): void {
    for (const block of this.decoder.decode(bytes, nowMs)) {
      if (this.leadList === null) this.leadList = this.leads;
      if (this.resumeFromMs !== null) this.bridgeGap(block);
      const first = block.firstSample + this.offset;
      const count = this.leadList.length;
      const out: SampleBlock = {
        ...block,
        firstSample: first,
        channels: block.channels.slice(0, count),
        leadOff: block.leadOff.slice(0, count),
      };
      this.checkRate();
      this.nextSample = first + block.sampleCount;
      this.lastSampleAtMs = block.receivedAtMs;
      this.emit('block', out);
    }
  }

  /** Says once in the log when the device runs more than 2 % off its nominal rate. */
  private checkRate(): void {
    if (this.rateWarned) return;
    const nominal = this.nominalRateHz;
    const measured = this.decoder.stats().measuredRateHz;
    if (nominal === null || measured === null || Math.abs(measured - nominal) <= nominal * RATE_TOLERANCE) return;
    this.rateWarned = true;
    log.warn(`device ${this.protocol}: measured ${measured.toFixed(1)} Hz, nominal ${nominal} Hz`);
  }

  /** After a reconnect, place the first new block where real time says it belongs. */
  private bridgeGap(block: SampleBlock): void {
    const rateHz = this.decoder.nominalRateHz ?? this.options.rateHz ?? this.rateBeforeRestartHz ?? this.decoder.stats().measuredRateHz ?? 0;
    const awayMs = this.lastSampleAtMs === null ? 0 : Math.max(0, block.receivedAtMs - this.lastSampleAtMs);
    // Samples in this block arrived over its own duration; the rest of the absence is the gap.
    const gap = Math.max(0, Math.round((awayMs * rateHz) / 1000) - block.sampleCount);
    this.offset = this.nextSample + gap - block.firstSample;
    this.gapTotal += gap;
    this.resumeFromMs = null;
  }

  /** The link went away: a fresh decoder for the new connection, numbering continued. */
  protected restartDecoder(): void {
    const stats = this.decoder.stats();
    this.earlier = {
      frames: this.earlier.frames + stats.frames,
      badFrames: this.earlier.badFrames + stats.badFrames,
      droppedFrames: this.earlier.droppedFrames + stats.droppedFrames,
      discardedBytes: this.earlier.discardedBytes + stats.discardedBytes,
    };
    this.rateBeforeRestartHz = stats.measuredRateHz ?? this.rateBeforeRestartHz;
    this.decoder = this.newDecoder();
    this.resumeFromMs = Date.now();
    this.reconnectCount += 1;
  }

  stats(): DeviceStats {
    const now = this.decoder.stats();
    return {
      frames: this.earlier.frames + now.frames,
      badFrames: this.earlier.badFrames + now.badFrames,
      droppedFrames: this.earlier.droppedFrames + now.droppedFrames,
      discardedBytes: this.earlier.discardedBytes + now.discardedBytes,
      measuredRateHz: now.measuredRateHz,
      state: this.stateNow,
      nominalRateHz: this.nominalRateHz,
      reconnects: this.reconnectCount,
      gapSamples: this.gapTotal,
    };
  }

  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;
}
