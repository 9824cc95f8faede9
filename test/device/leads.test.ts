import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveLeads, expandedLeadNames, leadNames } from '../../src/device/leads.js';
import type { SampleBlock } from '../../src/device/types.js';

const block = (channels: number[][], leadOff: boolean[]): SampleBlock => ({
  firstSample: 7,
  sampleCount: channels[0]!.length,
  channels: channels.map((c) => Float32Array.from(c)),
  leadOff,
  receivedAtMs: 1,
});

describe('lead names and derivation', () => {
  it('names channels from --leads, CHn for the rest', () => {
    expect(leadNames('I, II,V1', 4)).toEqual(['I', 'II', 'V1', 'CH4']);
    expect(leadNames(null, 2)).toEqual(['CH1', 'CH2']);
    expect(leadNames(['I', 'II', 'V1'], 2)).toEqual(['I', 'II']);
  });

  it('adds III, aVR, aVL and aVF when I and II are present, and nothing otherwise', () => {
    expect(expandedLeadNames(['I', 'II', 'V1'])).toEqual(['I', 'II', 'V1', 'III', 'aVR', 'aVL', 'aVF']);
    expect(expandedLeadNames(['II', 'V1'])).toEqual(['II', 'V1']);
    expect(expandedLeadNames(['I', 'II', 'III'])).toEqual(['I', 'II', 'III', 'aVR', 'aVL', 'aVF']);
    const only = block([[1, 2]], [false]);
    expect(deriveLeads(only, ['II'])).toBe(only);
  });

  it('follows Einthoven and Goldberger exactly, and carries lead-off of I or II over', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: -5000, max: 5000 }), fc.integer({ min: -5000, max: 5000 })), { minLength: 1, maxLength: 20 }), (pairs) => {
        const leadI = pairs.map(([a]) => a);
        const leadII = pairs.map(([, b]) => b);
        const out = deriveLeads(block([leadII, [], leadI].map((c, i) => (i === 1 ? leadI.map(() => 9) : c)), [true, false, false]), ['II', 'V1', 'I']);
        expect(out.channels).toHaveLength(7);
        expect(out.firstSample).toBe(7);
        pairs.forEach(([i, ii], s) => {
          expect(out.channels[3]![s]).toBeCloseTo(ii - i, 3);
          expect(out.channels[4]![s]).toBeCloseTo(-(i + ii) / 2, 3);
          expect(out.channels[5]![s]).toBeCloseTo(i - ii / 2, 3);
          expect(out.channels[6]![s]).toBeCloseTo(ii - i / 2, 3);
        });
        expect(out.leadOff).toEqual([true, false, false, true, true, true, true]);
      }),
    );
  });
});
