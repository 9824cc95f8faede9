import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SampleDecoder, wfdbDecoderModuleBytes } from '../../src/formats/wfdb-decoder.js';

/** Sample `k` of a byte stream, as the WFDB formats define it, in plain JavaScript. */
function referenceSample(bytes: Uint8Array, format: number, k: number): number {
  if (format === 16) return ((bytes[2 * k]! | (bytes[2 * k + 1]! << 8)) << 16) >> 16;
  if (format === 80) return bytes[k]! - 128;
  const second = k & 1;
  const at = (k >> 1) * 3;
  const top = (bytes[at + 1]! >> (4 * second)) & 0x0f;
  return ((bytes[at + 2 * second]! | (top << 8)) << 20) >> 20;
}

const INVALID: Record<number, number> = { 16: -32768, 80: -128, 212: -2048 };

describe('WFDB sample decoder', () => {
  it('emits a valid module', () => {
    expect(WebAssembly.validate(wfdbDecoderModuleBytes())).toBe(true);
  });

  it('decodes every format and stride as the plain JavaScript reference does, invalid samples included', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(16, 80, 212),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 60 }),
        fc.uint8Array({ minLength: 400, maxLength: 400 }),
        fc.integer({ min: -40, max: 40 }),
        fc.double({ min: 0.01, max: 20, noNaN: true }),
        (format, stride, frames, noise, baseline, scale) => {
          const bytesLength = format === 16 ? 2 * frames * stride : format === 80 ? frames * stride : Math.ceil((frames * stride) / 2) * 3;
          const decoder = new SampleDecoder(format, stride, frames, bytesLength);
          decoder.bytes.set(noise.subarray(0, bytesLength));
          // Some samples invalid: a 0x80 byte is -128 in format 80, and the top byte of -32768 in format 16.
          for (let i = 0; i < bytesLength; i += 7) decoder.bytes[i] = 0x80;
          const bytes = decoder.bytes.slice();
          for (let column = 0; column < stride; column += 1) {
            let last = 0.5;
            const expected = new Float32Array(frames);
            for (let f = 0; f < frames; f += 1) {
              const value = referenceSample(bytes, format, f * stride + column);
              if (value !== INVALID[format]) last = (value - baseline) * scale;
              expected[f] = last;
            }
            const returned = decoder.decode(column, frames, baseline, scale, INVALID[format]!, 0.5);
            expect(Array.from(decoder.columns[column]!.subarray(0, frames))).toEqual(Array.from(expected));
            expect(returned).toBe(last);
            // Without an invalid value every sample is taken as it is.
            decoder.decode(column, frames, 0, 1, null, 0);
            expect(Array.from(decoder.columns[column]!.subarray(0, frames))).toEqual(Array.from({ length: frames }, (_, f) => referenceSample(bytes, format, f * stride + column)));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
