/** One place that maps a protocol name to its decoder and serial settings. */
import { ASCII_BAUD, AsciiDecoder } from './ascii.js';
import { OPENBCI_BAUD, createOpenbciDecoder } from './openbci.js';
import { P2_BAUD, createP2Decoder } from './p2.js';
import type { Decoder, Protocol } from './types.js';

export const PROTOCOLS: readonly Protocol[] = ['ascii', 'openbci', 'p2'];

export const DEFAULT_BAUD: Record<Protocol, number> = { ascii: ASCII_BAUD, openbci: OPENBCI_BAUD, p2: P2_BAUD };

export interface DecoderOptions {
  /** ascii only: sample rate when known. */
  rateHz?: number | null;
  /** ascii only: counts per mV (default 200, baseline 512). */
  unitsPerMv?: number;
  /** ascii only: columns per line, when known in advance. */
  channelCount?: number;
}

export function createDecoder(protocol: Protocol, options: DecoderOptions = {}): Decoder {
  switch (protocol) {
    case 'openbci':
      return createOpenbciDecoder();
    case 'p2':
      return createP2Decoder();
    default:
      return new AsciiDecoder(options);
  }
}
