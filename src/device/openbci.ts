/**
 * OpenBCI Cyton: 115200 baud, 250 Hz, 33-byte packets:
 * 0xA0, counter (uint8), 8 channels x 24-bit signed big-endian, 6 aux bytes, footer 0xC0..0xCF.
 * Scale at the default gain 24: 4.5 V / 24 / (2^23 - 1) = 0.02235 µV per count.
 */
import { FramedDecoder, type PacketFormat } from './framed.js';

export const OPENBCI_BAUD = 115_200;
export const OPENBCI_RATE_HZ = 250;
export const OPENBCI_CHANNELS = 8;
export const OPENBCI_PACKET_BYTES = 33;
export const OPENBCI_UV_PER_COUNT = 4.5e6 / 24 / (2 ** 23 - 1);
const HEADER = 0xa0;
const FULL_SCALE = 2 ** 23 - 1;

export const openbciFormat: PacketFormat = {
  protocol: 'openbci',
  packetBytes: OPENBCI_PACKET_BYTES,
  channelCount: OPENBCI_CHANNELS,
  nominalRateHz: OPENBCI_RATE_HZ,
  openCommands: new TextEncoder().encode('vb'),
  closeCommands: new TextEncoder().encode('s'),
  firstByte: HEADER,
  isValid: (bytes, offset) => bytes[offset] === HEADER && (bytes[offset + 32]! & 0xf0) === 0xc0,
  counter: (bytes, offset) => bytes[offset + 1]!,
  readRaw(bytes, offset, out) {
    for (let c = 0; c < OPENBCI_CHANNELS; c += 1) {
      const at = offset + 2 + 3 * c;
      const value = (bytes[at]! << 16) | (bytes[at + 1]! << 8) | bytes[at + 2]!;
      out[c] = value & 0x800000 ? value - 0x1000000 : value;
    }
  },
  toMicrovolts: (raw) => raw * OPENBCI_UV_PER_COUNT,
  railLow: -FULL_SCALE,
  railHigh: FULL_SCALE,
};

export function createOpenbciDecoder(): FramedDecoder {
  return new FramedDecoder(openbciFormat);
}

/** One packet; `microvolts` per channel (missing channels are 0), clipped to the 24-bit range. */
export function encodeOpenbciPacket(counter: number, microvolts: ArrayLike<number>, footer = 0xc0): Uint8Array {
  const packet = new Uint8Array(OPENBCI_PACKET_BYTES);
  packet[0] = HEADER;
  packet[1] = counter & 0xff;
  for (let c = 0; c < OPENBCI_CHANNELS; c += 1) {
    const uV = c < microvolts.length ? microvolts[c]! : 0;
    const raw = Math.max(-FULL_SCALE - 1, Math.min(FULL_SCALE, Math.round(uV / OPENBCI_UV_PER_COUNT)));
    const value = raw < 0 ? raw + 0x1000000 : raw;
    const at = 2 + 3 * c;
    packet[at] = (value >> 16) & 0xff;
    packet[at + 1] = (value >> 8) & 0xff;
    packet[at + 2] = value & 0xff;
  }
  packet[32] = 0xc0 | (footer & 0x0f);
  return packet;
}
