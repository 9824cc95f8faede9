/**
 * The shared engine for fixed-length binary packets (OpenBCI Cyton, OpenEEG P2). Each protocol
 * supplies a `PacketFormat`; this class finds packets, resynchronises, counts bad and dropped
 * frames, and turns raw counts into µV blocks.
 *
 * Resync rule (the protocols carry no checksum): while in sync a packet is accepted when its
 * own checks pass and either a whole valid packet follows it or (garbage follows) no
 * valid packet starts inside it, which would mean it was truncated; out of sync
 * (at the start and after garbage) a candidate is only accepted once the whole packet after it
 * checks out too, so a stray header byte in noise is very unlikely to be taken for a frame.
 * The price is one packet of latency at start and after each resync.
 */
import { BlockBuilder, FlatRailDetector, RateMeter } from './decoder-core.js';
import type { Decoder, DecoderStats, Protocol, SampleBlock } from './types.js';

export interface PacketFormat {
  protocol: Protocol;
  packetBytes: number;
  channelCount: number;
  nominalRateHz: number;
  openCommands: Uint8Array | null;
  closeCommands: Uint8Array | null;
  /** Quick test on the first byte, to skip garbage fast. */
  firstByte: number;
  /** Full validity check of a packet starting at `offset` (header, footer, value ranges). */
  isValid(bytes: Uint8Array, offset: number): boolean;
  counter(bytes: Uint8Array, offset: number): number;
  /** Writes the raw channel values of the packet into `out`. */
  readRaw(bytes: Uint8Array, offset: number, out: Int32Array): void;
  /** Raw count → µV. */
  toMicrovolts(raw: number): number;
  railLow: number;
  railHigh: number;
}

const COUNTER_MODULO = 256;
/** Excess of elapsed-time frames over counted frames that signals a wrapped counter. */
const WRAP_SLACK_FRAMES = 64;

export class FramedDecoder implements Decoder {
  readonly protocol: Protocol;
  readonly channelCount: number;
  readonly nominalRateHz: number;
  readonly openCommands: Uint8Array | null;
  readonly closeCommands: Uint8Array | null;

  private pending = new Uint8Array(0);
  private inSync = false;
  private lastCounter: number | null = null;
  private lastChunkMs: number | null = null;
  private readonly raw: Int32Array;
  private readonly microvolts: Float32Array;
  private readonly leadOffNow: boolean[];
  private readonly builder: BlockBuilder;
  private readonly rate = new RateMeter();
  private readonly leadOffDetector: FlatRailDetector;
  private readonly counters: Omit<DecoderStats, 'measuredRateHz'> = { frames: 0, badFrames: 0, droppedFrames: 0, discardedBytes: 0 };

  constructor(private readonly format: PacketFormat) {
    this.protocol = format.protocol;
    this.channelCount = format.channelCount;
    this.nominalRateHz = format.nominalRateHz;
    this.openCommands = format.openCommands;
    this.closeCommands = format.closeCommands;
    this.raw = new Int32Array(format.channelCount);
    this.microvolts = new Float32Array(format.channelCount);
    this.leadOffNow = new Array<boolean>(format.channelCount).fill(false);
    this.builder = new BlockBuilder(format.channelCount);
    // Flat for 1 s, or pinned at a rail for 0.1 s (a clipped R wave is shorter than that).
    this.leadOffDetector = new FlatRailDetector(
      format.channelCount,
      format.railLow,
      format.railHigh,
      format.nominalRateHz,
      Math.round(format.nominalRateHz / 10),
    );
  }

  decode(bytes: Uint8Array, nowMs: number): SampleBlock[] {
    const buffer = concat(this.pending, bytes);
    const size = this.format.packetBytes;
    const frames: number[] = [];
    let position = 0;
    while (position + size <= buffer.length) {
      if (buffer[position] !== this.format.firstByte) {
        position += 1;
        this.counters.discardedBytes += 1;
        continue;
      }
      if (!this.format.isValid(buffer, position)) {
        if (this.inSync) this.counters.badFrames += 1;
        this.inSync = false;
        position += 1;
        this.counters.discardedBytes += 1;
        continue;
      }
      if (!this.inSync) {
        // Out of sync: wait for the following packet to confirm this one.
        if (position + 2 * size > buffer.length) break;
        if (!this.format.isValid(buffer, position + size)) {
          position += 1;
          this.counters.discardedBytes += 1;
          continue;
        }
        this.inSync = true;
      } else if (position + size < buffer.length) {
        // Not followed by a whole valid packet: either garbage follows (keep the packet) or the
        // packet was truncated and its "footer" is a byte of the next one, which then starts
        // inside it. A header byte alone proves nothing: sample bytes can hold one.
        if (position + 2 * size > buffer.length) break;
        if (!this.format.isValid(buffer, position + size) && this.packetStartsWithin(buffer, position)) {
          this.counters.badFrames += 1;
          this.inSync = false;
          position += 1;
          this.counters.discardedBytes += 1;
          continue;
        }
      }
      frames.push(position);
      position += size;
    }
    this.pending = buffer.slice(position);
    this.accept(buffer, frames, nowMs);
    return this.builder.take(nowMs);
  }

  private packetStartsWithin(buffer: Uint8Array, position: number): boolean {
    for (let k = 1; k < this.format.packetBytes; k += 1) {
      if (buffer[position + k] === this.format.firstByte && this.format.isValid(buffer, position + k)) return true;
    }
    return false;
  }

  private accept(buffer: Uint8Array, frames: number[], nowMs: number): void {
    const gaps = frames.map((offset) => {
      const counter = this.format.counter(buffer, offset);
      const gap = this.lastCounter === null ? 0 : (counter - this.lastCounter - 1 + COUNTER_MODULO) % COUNTER_MODULO;
      this.lastCounter = counter;
      return gap;
    });
    // An outage of whole counter cycles looks like no gap: check the counted frames against elapsed time.
    if (frames.length > 0 && this.lastChunkMs !== null) {
      const expectedFrames = ((nowMs - this.lastChunkMs) * this.nominalRateHz) / 1000;
      const counted = frames.length + gaps.reduce((sum, gap) => sum + gap, 0);
      const missing = expectedFrames - counted;
      if (missing > COUNTER_MODULO - WRAP_SLACK_FRAMES) gaps[0] = gaps[0]! + Math.max(1, Math.round(missing / COUNTER_MODULO)) * COUNTER_MODULO;
    }
    if (frames.length > 0) this.lastChunkMs = nowMs;
    frames.forEach((offset, index) => {
      const gap = gaps[index]!;
      if (gap > 0) {
        this.counters.droppedFrames += gap;
        this.builder.skip(gap, nowMs);
      }
      this.format.readRaw(buffer, offset, this.raw);
      for (let c = 0; c < this.channelCount; c += 1) {
        this.microvolts[c] = this.format.toMicrovolts(this.raw[c]!);
        this.leadOffNow[c] = this.leadOffDetector.update(c, this.raw[c]!);
      }
      this.builder.push(this.microvolts, this.leadOffNow);
      this.counters.frames += 1;
    });
    const lost = gaps.reduce((sum, gap) => sum + gap, 0);
    if (frames.length + lost > 0) this.rate.add(frames.length + lost, nowMs);
  }

  stats(): DecoderStats {
    return { ...this.counters, measuredRateHz: this.rate.rateHz() };
  }
}

export function concat(first: Uint8Array, second: Uint8Array): Uint8Array {
  if (first.length === 0) return second;
  const out = new Uint8Array(first.length + second.length);
  out.set(first, 0);
  out.set(second, first.length);
  return out;
}
