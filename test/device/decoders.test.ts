import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AsciiDecoder, encodeAsciiLine } from '../../src/device/ascii.js';
import { createDecoder } from '../../src/device/decoders.js';
import { createEncoder } from '../../src/device/encoders.js';
import { OPENBCI_UV_PER_COUNT, encodeOpenbciPacket } from '../../src/device/openbci.js';
import { P2_UV_PER_COUNT, encodeP2Packet } from '../../src/device/p2.js';
import type { Decoder, Protocol, SampleBlock } from '../../src/device/types.js';

interface ProtocolCase {
  protocol: Protocol;
  channels: number;
  /** µV per count and the count range a frame can carry. */
  uvPerCount: number;
  minCount: number;
  maxCount: number;
  frame(counter: number, counts: number[]): Uint8Array;
  decoder(): Decoder;
}

const ascii: ProtocolCase = {
  protocol: 'ascii',
  channels: 3,
  uvPerCount: 5,
  minCount: -512,
  maxCount: 1535,
  frame: (_counter, counts) => new TextEncoder().encode(encodeAsciiLine(counts.map((c) => c * 5))),
  decoder: () => new AsciiDecoder({ channelCount: 3, rateHz: 500 }),
};
const openbci: ProtocolCase = {
  protocol: 'openbci',
  channels: 8,
  uvPerCount: OPENBCI_UV_PER_COUNT,
  minCount: -(2 ** 23) + 1,
  maxCount: 2 ** 23 - 1,
  frame: (counter, counts) => encodeOpenbciPacket(counter, counts.map((c) => c * OPENBCI_UV_PER_COUNT), counter),
  decoder: () => createDecoder('openbci'),
};
const p2: ProtocolCase = {
  protocol: 'p2',
  channels: 6,
  uvPerCount: P2_UV_PER_COUNT,
  minCount: -512,
  maxCount: 511,
  frame: (counter, counts) => encodeP2Packet(counter, counts.map((c) => c * P2_UV_PER_COUNT)),
  decoder: () => createDecoder('p2'),
};
const CASES = [ascii, openbci, p2];

function framesArbitrary(kase: ProtocolCase, minLength = 0) {
  return fc.array(fc.array(fc.integer({ min: kase.minCount, max: kase.maxCount }), { minLength: kase.channels, maxLength: kase.channels }), {
    minLength,
    maxLength: 30,
  });
}

/** Feeds `bytes` in chunks split at `cuts` (fractions), 4 ms apart; returns every block. */
function feed(decoder: Decoder, bytes: Uint8Array, cuts: number[] = []): SampleBlock[] {
  const points = [...new Set(cuts.map((f) => Math.floor(f * bytes.length)))].sort((a, b) => a - b);
  const blocks: SampleBlock[] = [];
  let start = 0;
  let now = 1_000_000;
  for (const point of [...points, bytes.length]) {
    blocks.push(...decoder.decode(bytes.subarray(start, point), now));
    start = point;
    now += 4;
  }
  return blocks;
}

/** Decoded samples back in counts, frame by frame. */
function counts(kase: ProtocolCase, blocks: SampleBlock[]): number[][] {
  const frames: number[][] = [];
  for (const block of blocks) {
    for (let s = 0; s < block.sampleCount; s += 1) frames.push(block.channels.map((channel) => Math.round(channel[s]! / kase.uvPerCount)));
  }
  return frames;
}

const cutsArbitrary = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 });
const garbageArbitrary = fc.uint8Array({ maxLength: 300 });

for (const kase of CASES) {
  describe(`${kase.protocol} decoder`, () => {
    it('decodes clean frames exactly, however the bytes are chunked', () => {
      fc.assert(
        fc.property(framesArbitrary(kase, 2), cutsArbitrary, (frames, cuts) => {
          const decoder = kase.decoder();
          const blocks = feed(decoder, Buffer.concat(frames.map((f, i) => kase.frame(i & 0xff, f))), cuts);
          expect(counts(kase, blocks)).toEqual(frames);
          expect(decoder.stats()).toMatchObject({ frames: frames.length, badFrames: 0, droppedFrames: 0, discardedBytes: 0 });
          // Blocks are contiguous from sample 0.
          let expected = 0;
          for (const block of blocks) {
            expect(block.firstSample).toBe(expected);
            expected += block.sampleCount;
          }
        }),
      );
    });

    it('never throws on random bytes, and its counters stay consistent', () => {
      fc.assert(
        fc.property(garbageArbitrary, cutsArbitrary, (bytes, cuts) => {
          const decoder = kase.decoder();
          const blocks = feed(decoder, bytes, cuts);
          const stats = decoder.stats();
          const samples = blocks.reduce((sum, block) => sum + block.sampleCount, 0);
          expect(stats.discardedBytes).toBeLessThanOrEqual(bytes.length);
          expect(stats.frames).toBeLessThanOrEqual(samples);
          for (const block of blocks) for (const channel of block.channels) expect(channel.every(Number.isFinite)).toBe(true);
        }),
      );
    });

    it('resynchronises: valid frames after garbage decode exactly', () => {
      fc.assert(
        fc.property(garbageArbitrary, framesArbitrary(kase, 2), cutsArbitrary, (garbage, frames, cuts) => {
          const decoder = kase.decoder();
          // ascii frames are lines: the garbage ends at a line break.
          const lead = kase.protocol === 'ascii' ? Buffer.concat([garbage, new Uint8Array([0x0a])]) : garbage;
          const blocks = feed(decoder, Buffer.concat([lead, ...frames.map((f, i) => kase.frame(i & 0xff, f))]), cuts);
          const decoded = counts(kase, blocks);
          expect(decoded.slice(decoded.length - frames.length)).toEqual(frames);
        }),
      );
    });

    it('survives bit flips and truncated frames, then decodes the frames that follow', () => {
      fc.assert(
        fc.property(
          framesArbitrary(kase, 4),
          fc.array(fc.nat(), { maxLength: 5 }),
          fc.nat(),
          framesArbitrary(kase, 2),
          (frames, flips, cutAt, after) => {
            const damaged = Buffer.concat(frames.map((f, i) => kase.frame(i & 0xff, f)));
            for (const flip of flips) damaged[flip % damaged.length]! ^= 1 << (flip % 8);
            const truncated = damaged.subarray(0, cutAt % damaged.length);
            const separator = kase.protocol === 'ascii' ? new Uint8Array([0x0a]) : new Uint8Array(0);
            const tail = after.map((f, i) => kase.frame((frames.length + 1 + i) & 0xff, f));
            const decoder = kase.decoder();
            const decoded = counts(kase, feed(decoder, Buffer.concat([truncated, separator, ...tail])));
            expect(decoded.slice(decoded.length - after.length)).toEqual(after);
          },
        ),
      );
    });
  });
}

describe('openbci: a truncated packet that looks whole', () => {
  it('is not taken for a frame when a header byte in the next packet sits where its successor would start', () => {
    // Cut 26 bytes into a packet; the next packet's channel 2 is 0x3ACFA0, so the cut packet's
    // "footer" lands on 0xCF and a 0xA0 follows right after it.
    const zeros = [0, 0, 0, 0, 0, 0, 0, 0];
    const tricky = [0, 3854240, 0, 0, 0, 0, 0, 0];
    const before = [0, 1, 2, 3].map((counter) => openbci.frame(counter, zeros));
    const cut = openbci.frame(4, zeros).subarray(0, 26);
    const after = [openbci.frame(5, tricky), openbci.frame(6, zeros), openbci.frame(7, zeros)];
    const decoded = counts(openbci, feed(openbci.decoder(), Buffer.concat([...before, cut, ...after])));
    expect(decoded.slice(-3)).toEqual([tricky, zeros, zeros]);
    expect(decoded).toHaveLength(7);
  });
});

describe('dropped frames', () => {
  for (const protocol of ['openbci', 'p2'] as const) {
    it(`${protocol}: counter gaps count as dropped frames and move firstSample on`, () => {
      const encoder = createEncoder(protocol, { dropEvery: 7 });
      const channels = [Float32Array.from({ length: 100 }, (_, i) => i * 5)];
      const decoder = createDecoder(protocol);
      const blocks = decoder.decode(encoder.encode(channels), 1_000_000);
      const stats = decoder.stats();
      expect(stats.droppedFrames).toBe(14);
      expect(stats.frames + stats.droppedFrames).toBe(100);
      // Each block's samples sit at their true index: value i*10 at sample i.
      for (const block of blocks) {
        const scale = protocol === 'p2' ? P2_UV_PER_COUNT : OPENBCI_UV_PER_COUNT;
        for (let s = 0; s < block.sampleCount; s += 1) {
          expect(Math.abs(block.channels[0]![s]! - (block.firstSample + s) * 5)).toBeLessThanOrEqual(scale);
        }
      }
      expect(blocks.length).toBe(15);
    });

    it(`${protocol}: an outage of exactly 256 frames (counter wrapped) is caught from elapsed time`, () => {
      const rate = protocol === 'p2' ? 256 : 250;
      const encoder = createEncoder(protocol);
      const decoder = createDecoder(protocol);
      const frame = (n: number) => encoder.encode([new Float32Array(n)]);
      const t0 = 1_000_000;
      const first = decoder.decode(frame(10), t0);
      frame(256); // generated but never delivered
      const later = decoder.decode(frame(10), t0 + ((10 + 256) * 1000) / rate);
      expect(decoder.stats().droppedFrames).toBe(256);
      expect(first[0]!.firstSample).toBe(0);
      expect(later[0]!.firstSample).toBe(10 + 256);
    });

    it(`${protocol}: a short stall without loss is not mistaken for a wrap`, () => {
      const encoder = createEncoder(protocol);
      const decoder = createDecoder(protocol);
      decoder.decode(encoder.encode([new Float32Array(10)]), 0);
      decoder.decode(encoder.encode([new Float32Array(10)]), 300); // 0.3 s late, nothing lost
      expect(decoder.stats().droppedFrames).toBe(0);
    });
  }
});

describe('lead-off', () => {
  it('ascii: a status line marks lead off and holds the last value in its sample slot', () => {
    const decoder = new AsciiDecoder({ rateHz: 250 });
    const text = '612\r\n!\n!\n712\nLead off\n';
    const blocks = decoder.decode(new TextEncoder().encode(text), 0);
    expect(blocks).toHaveLength(1);
    expect(Array.from(blocks[0]!.channels[0]!)).toEqual([500, 500, 500, 1000, 1000]);
    expect(blocks[0]!.leadOff).toEqual([true]);
    expect(decoder.statusLines).toBe(3);
    const clean = decoder.decode(new TextEncoder().encode('512\t1\n'), 10);
    expect(clean[0]!.leadOff).toEqual([false]);
    expect(Array.from(clean[0]!.channels[0]!)).toEqual([0]);
  });

  it('ascii: columns separated by comma, space or tab', () => {
    const decoder = new AsciiDecoder();
    const blocks = decoder.decode(new TextEncoder().encode('512,712\n312 512\n512\t\t1012\n'), 0);
    expect(decoder.channelCount).toBe(2);
    expect(blocks[0]!.channels.map((c) => Array.from(c))).toEqual([
      [0, -1000, 0],
      [1000, 0, 2500],
    ]);
  });

  it('p2: a flat channel (1 s unchanged) and a railed one (0.1 s at the rail) are lead off', () => {
    const decoder = createDecoder('p2');
    const packets = Array.from({ length: 300 }, (_, i) =>
      encodeP2Packet(i, [(i % 50) * 10 * P2_UV_PER_COUNT, 0, 5000, ((i % 9) - 4) * 20]),
    );
    const blocks = decoder.decode(Buffer.concat(packets), 0);
    expect(blocks[0]!.leadOff.slice(0, 4)).toEqual([false, true, true, false]);
  });

  it('openbci: a clipped R wave (a few samples at the rail) is not lead off', () => {
    const decoder = createDecoder('openbci');
    const packets = Array.from({ length: 250 }, (_, i) => encodeOpenbciPacket(i, [i % 100 < 5 ? 1e9 : Math.sin(i) * 100]));
    expect(decoder.decode(Buffer.concat(packets), 0)[0]!.leadOff[0]).toBe(false);
  });
});

describe('measured sample rate', () => {
  it('p2 at 256 Hz delivered in 50 ms chunks measures ~256 Hz', () => {
    const encoder = createEncoder('p2');
    const decoder = createDecoder('p2');
    let sent = 0;
    for (let chunk = 0; chunk <= 60; chunk += 1) {
      const due = Math.floor(chunk * 50 * 0.256) + 1 - sent;
      decoder.decode(encoder.encode([new Float32Array(due)]), chunk * 50);
      sent += due;
    }
    const rate = decoder.stats().measuredRateHz!;
    expect(rate).toBeGreaterThan(240);
    expect(rate).toBeLessThan(270);
  });
});

describe('start of stream', () => {
  it('holds the first binary packet until the next one confirms it', () => {
    const decoder = createDecoder('openbci');
    expect(decoder.decode(encodeOpenbciPacket(0, [100]), 0)).toEqual([]);
    const blocks = decoder.decode(encodeOpenbciPacket(1, [200]), 4);
    expect(blocks[0]!.sampleCount).toBe(2);
  });
});

describe('counter wrap over several cycles', () => {
  it('an outage of 3 x 256 frames counts 768 dropped frames', () => {
    const encoder = createEncoder('openbci');
    const decoder = createDecoder('openbci');
    decoder.decode(encoder.encode([new Float32Array(5)]), 0);
    encoder.encode([new Float32Array(768)]);
    const blocks = decoder.decode(encoder.encode([new Float32Array(5)]), ((5 + 768) * 1000) / 250);
    expect(decoder.stats().droppedFrames).toBe(768);
    expect(blocks[0]!.firstSample).toBe(5 + 768);
  });
});
