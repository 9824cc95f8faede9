/** Serial protocols the monitor speaks (CONTRACTS section 4). */
export type Protocol = 'ascii' | 'openbci' | 'p2';

/**
 * A run of consecutive samples from the device, the unit that flows from device/ to dsp/ and
 * session/. Values are microvolts. `firstSample` counts samples since the stream began,
 * including any that were lost: a dropped frame shows up as a jump between blocks.
 */
export interface SampleBlock {
  firstSample: number;
  sampleCount: number;
  /** One array per device channel (in `--leads` order), each `sampleCount` long, in µV. */
  channels: Float32Array[];
  /** Per channel: lead off (status line, flat or railed input) during this block. */
  leadOff: boolean[];
  /** Wall-clock time (ms since epoch) when the last sample of the block arrived. */
  receivedAtMs: number;
}

/** Running counters every decoder keeps. */
export interface DecoderStats {
  frames: number;
  badFrames: number;
  droppedFrames: number;
  /** Bytes thrown away while resynchronising. */
  discardedBytes: number;
  /** Sample rate measured from arrival times (Hz), null until enough data. */
  measuredRateHz: number | null;
}

/** Turns a device's byte stream into sample blocks. Never throws on bad bytes. */
export interface Decoder {
  readonly protocol: Protocol;
  readonly channelCount: number;
  /** The protocol's fixed rate, or null where it must be given or measured (ascii). */
  readonly nominalRateHz: number | null;
  /** Bytes to write to the device right after opening it (e.g. OpenBCI `v` then `b`). */
  readonly openCommands: Uint8Array | null;
  /** Bytes to write before closing it (OpenBCI `s`). */
  readonly closeCommands: Uint8Array | null;
  decode(bytes: Uint8Array, nowMs: number): SampleBlock[];
  stats(): DecoderStats;
}

/** Connection state of a live device, as the session and the TUI show it. */
export type DeviceState = 'connecting' | 'connected' | 'reconnecting' | 'closed';
