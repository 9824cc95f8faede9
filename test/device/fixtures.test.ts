import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDecoder } from '../../src/device/decoders.js';
import type { SampleBlock } from '../../src/device/types.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', name));
const layout = (blocks: SampleBlock[]) => blocks.map((b) => [b.firstSample, b.sampleCount]);

describe('captured simulator streams decode to the same figures', () => {
  it('openbci over a bad link: drops at the counter gaps, garbage skipped, no good frame lost', () => {
    const decoder = createDecoder('openbci');
    const blocks = decoder.decode(fixture('openbci-bad-link.bin'), 0);
    // Frames 125, 250, 375 and 500 (1-based) were never sent; frame 499 waits for what follows its garbage.
    expect(layout(blocks)).toEqual([
      [0, 124],
      [125, 124],
      [250, 124],
      [375, 123],
    ]);
    expect(decoder.stats()).toMatchObject({ frames: 495, droppedFrames: 3, badFrames: 0 });
    expect(blocks[0]!.channels).toHaveLength(8);
  });

  it('p2: 256 clean frames, one block', () => {
    const decoder = createDecoder('p2');
    const blocks = decoder.decode(fixture('p2-clean.bin'), 0);
    expect(layout(blocks)).toEqual([[0, 256]]);
    expect(decoder.stats()).toMatchObject({ frames: 256, droppedFrames: 0, badFrames: 0, discardedBytes: 0 });
  });

  it('ascii with CRLF and lead-off lines: 500 samples + 3 held lead-off slots, two columns', () => {
    const decoder = createDecoder('ascii');
    const blocks = decoder.decode(fixture('ascii-leadoff.txt'), 0);
    expect(layout(blocks)).toEqual([[0, 503]]);
    expect(blocks[0]!.channels).toHaveLength(2);
    expect(blocks[0]!.leadOff).toEqual([true, true]);
    const leadII = blocks[0]!.channels[1]!;
    expect(leadII[200]).toBe(leadII[199]);
    expect(leadII[202]).toBe(leadII[199]);
  });
});
