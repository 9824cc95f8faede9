/**
 * OpenEEG ModularEEG P2 (as sent by the Olimex SHIELD-EKG-EMG sketch): 57600 baud, 256 Hz,
 * 17-byte packets: 0xA5 0x5A, version 0x02, counter, 6 channels x 16-bit big-endian holding
 * 10-bit ADC values (0..1023, mid-scale 512), switches byte.
 *
 * Scale: the shield's nominal total gain of 2848 (10 x ~80 x 3.56, Olimex's default trimmer
 * setting) on a 5 V, 10-bit ADC: 5 V / 1024 / 2848 = 1.714 µV per count, ±877 µV full scale.
 * Taller waves clip at the rails, exactly as on the real shield.
 */
import { FramedDecoder, type PacketFormat } from './framed.js';

export const P2_BAUD = 57_600;
export const P2_RATE_HZ = 256;
export const P2_CHANNELS = 6;
export const P2_PACKET_BYTES = 17;
export const P2_NOMINAL_GAIN = 2848;
export const P2_UV_PER_COUNT = 5e6 / 1024 / P2_NOMINAL_GAIN;
export const P2_MIDSCALE = 512;
const MAX_COUNT = 1023;

export const p2Format: PacketFormat = {
  protocol: 'p2',
  packetBytes: P2_PACKET_BYTES,
  channelCount: P2_CHANNELS,
  nominalRateHz: P2_RATE_HZ,
  openCommands: null,
  closeCommands: null,
  firstByte: 0xa5,
  isValid(bytes, offset) {
    if (bytes[offset] !== 0xa5 || bytes[offset + 1] !== 0x5a || bytes[offset + 2] !== 0x02) return false;
    // 10-bit values: every high byte is 0..3.
    for (let c = 0; c < P2_CHANNELS; c += 1) if (bytes[offset + 4 + 2 * c]! > 3) return false;
    return true;
  },
  counter: (bytes, offset) => bytes[offset + 3]!,
  readRaw(bytes, offset, out) {
    for (let c = 0; c < P2_CHANNELS; c += 1) out[c] = (bytes[offset + 4 + 2 * c]! << 8) | bytes[offset + 5 + 2 * c]!;
  },
  toMicrovolts: (raw) => (raw - P2_MIDSCALE) * P2_UV_PER_COUNT,
  railLow: 0,
  railHigh: MAX_COUNT,
};

export function createP2Decoder(): FramedDecoder {
  return new FramedDecoder(p2Format);
}

/** One packet; `microvolts` per channel (missing channels at mid-scale), clipped to 0..1023. */
export function encodeP2Packet(counter: number, microvolts: ArrayLike<number>, switches = 0): Uint8Array {
  const packet = new Uint8Array(P2_PACKET_BYTES);
  packet[0] = 0xa5;
  packet[1] = 0x5a;
  packet[2] = 0x02;
  packet[3] = counter & 0xff;
  for (let c = 0; c < P2_CHANNELS; c += 1) {
    const uV = c < microvolts.length ? microvolts[c]! : 0;
    const raw = Math.max(0, Math.min(MAX_COUNT, Math.round(uV / P2_UV_PER_COUNT) + P2_MIDSCALE));
    packet[4 + 2 * c] = raw >> 8;
    packet[5 + 2 * c] = raw & 0xff;
  }
  packet[16] = switches & 0xff;
  return packet;
}
