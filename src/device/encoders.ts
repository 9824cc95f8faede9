/**
 * Turns µV samples into a device byte stream in any protocol: the simulator's half of the
 * decoders. Test options can drop frames (the counter still advances) or inject garbage.
 */
import { encodeAsciiLine, ASCII_DEFAULT_UNITS_PER_MV } from './ascii.js';
import { OPENBCI_CHANNELS, OPENBCI_RATE_HZ, encodeOpenbciPacket } from './openbci.js';
import { P2_CHANNELS, P2_RATE_HZ, encodeP2Packet } from './p2.js';
import type { Protocol } from './types.js';

export interface EncoderOptions {
  /** ascii: counts per mV (baseline 512). */
  unitsPerMv?: number;
  /** Leave out every Nth frame (1-based), as a lossy link would. */
  dropEvery?: number;
  /** After every Nth frame, write 1..40 random bytes. */
  garbageEvery?: number;
  seed?: number;
}

export interface Encoder {
  readonly protocol: Protocol;
  /** Channels per frame (ascii: as many as given). */
  readonly channelCount: number | null;
  /** Encodes `channels[c][s]` (µV), frame by frame. */
  encode(channels: readonly Float32Array[]): Uint8Array;
  /** Frames encoded so far, dropped ones included. */
  readonly framesEncoded: number;
}

/** The rate a protocol is sent at: fixed for the binary ones, the source's own for ascii. */
export function protocolRateHz(protocol: Protocol, sourceRateHz: number): number {
  if (protocol === 'openbci') return OPENBCI_RATE_HZ;
  if (protocol === 'p2') return P2_RATE_HZ;
  return sourceRateHz;
}

export function protocolChannelCount(protocol: Protocol): number | null {
  if (protocol === 'openbci') return OPENBCI_CHANNELS;
  if (protocol === 'p2') return P2_CHANNELS;
  return null;
}

export function createEncoder(protocol: Protocol, options: EncoderOptions = {}): Encoder {
  const unitsPerMv = options.unitsPerMv ?? ASCII_DEFAULT_UNITS_PER_MV;
  let random = (options.seed ?? 7) >>> 0 || 7;
  const nextRandom = () => {
    // xorshift32: deterministic garbage for reproducible tests.
    random ^= random << 13;
    random >>>= 0;
    random ^= random >>> 17;
    random ^= random << 5;
    random >>>= 0;
    return random;
  };
  const encodeFrame = (counter: number, values: number[]): Uint8Array => {
    if (protocol === 'openbci') return encodeOpenbciPacket(counter, values);
    if (protocol === 'p2') return encodeP2Packet(counter, values);
    return new TextEncoder().encode(encodeAsciiLine(values, unitsPerMv));
  };
  let frames = 0;
  return {
    protocol,
    channelCount: protocolChannelCount(protocol),
    get framesEncoded() {
      return frames;
    },
    encode(channels) {
      const count = channels[0]?.length ?? 0;
      const parts: Uint8Array[] = [];
      let total = 0;
      const values = new Array<number>(channels.length);
      for (let s = 0; s < count; s += 1) {
        frames += 1;
        for (let c = 0; c < channels.length; c += 1) values[c] = channels[c]![s]!;
        if (!(options.dropEvery && frames % options.dropEvery === 0)) {
          const frame = encodeFrame((frames - 1) & 0xff, values);
          parts.push(frame);
          total += frame.length;
        }
        if (options.garbageEvery && frames % options.garbageEvery === 0) {
          const garbage = new Uint8Array(1 + (nextRandom() % 40));
          for (let i = 0; i < garbage.length; i += 1) garbage[i] = nextRandom() & 0xff;
          parts.push(garbage);
          total += garbage.length;
        }
      }
      const out = new Uint8Array(total);
      let at = 0;
      for (const part of parts) {
        out.set(part, at);
        at += part.length;
      }
      return out;
    },
  };
}
