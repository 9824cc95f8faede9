import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ANN, encodeAnnotations, parseAnnotations, readAnnotations } from '../../src/formats/annotations.js';
import {
  decodeSamples,
  encodeSamples,
  formatHeader,
  invalidSampleValue,
  parseHeader,
  readRecord,
  openRecordMicrovolts,
  signalMicrovolts,
  verifyRecord,
} from '../../src/formats/wfdb.js';
import { WfdbStreamWriter, writeRecord } from '../../src/formats/wfdb-writer.js';

const scratch = mkdtempSync(join(tmpdir(), 'ecg-wfdb-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('sample formats', () => {
  const ranges: [number, number, number][] = [
    [16, -32768, 32767],
    [80, -128, 127],
    [212, -2048, 2047],
  ];
  for (const [format, low, high] of ranges) {
    it(`format ${format}: decodeSamples(encodeSamples(x)) === x`, () => {
      fc.assert(
        fc.property(fc.array(fc.integer({ min: low, max: high }), { maxLength: 200 }), (values) => {
          const decoded = Array.from(decodeSamples(encodeSamples(values, format), format));
          // Format 212 pads an odd count with one sample; readers know the count from the header.
          expect(decoded.slice(0, values.length)).toEqual(values);
        }),
      );
    });
  }
});

describe('reading straight into microvolts', () => {
  const ranges: [number, number][] = [
    [16, 32767],
    [80, 127],
    [212, 2047],
  ];
  it('openRecordMicrovolts, read in any blocks, gives what signalMicrovolts gives after readRecord, invalid samples and short files included', () => {
    let run = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...ranges),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 8 }),
        ([format, high], signals, frames, missingFrames, seed, halfChunk, blocks) => {
          // Deterministic values from the seed, with the format's invalid value now and then.
          let state = seed;
          const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
          const values = Array.from({ length: frames * signals }, () =>
            next() < 0.1 ? invalidSampleValue(format) : Math.round((2 * next() - 1) * high),
          );
          const name = `uv${(run += 1)}`;
          writeFileSync(join(scratch, `${name}.dat`), encodeSamples(values, format));
          const lines = Array.from({ length: signals }, (_, i) => `${name}.dat ${format} ${100 + 50 * i}(${i - 3})/mV 12 0 0 0 0 L${i}`);
          // A header count past the file's end: a recording cut short.
          writeFileSync(join(scratch, `${name}.hea`), `${name} ${signals} 250 ${frames + missingFrames}\n${lines.join('\n')}\n`);
          const record = readRecord(join(scratch, name));
          // Each signal as the flat decoder gives it, one sample after another (no frames).
          const flat = decodeSamples(encodeSamples(values, format), format);
          for (let i = 0; i < signals; i += 1) {
            expect(Array.from(record.digital[i]!.subarray(0, frames))).toEqual(Array.from({ length: frames }, (_, f) => flat[f * signals + i]));
          }
          const reader = openRecordMicrovolts(join(scratch, name), 2 * halfChunk);
          expect(reader.header).toEqual(record.header);
          const read: number[][] = Array.from({ length: signals }, () => []);
          // Blocks of the given sizes in turn, until every frame is read.
          for (let at = 0, b = 0; at < frames + missingFrames; b += 1) {
            const count = Math.min(blocks[b % blocks.length]!, frames + missingFrames - at);
            reader.read(count).forEach((block, i) => {
              expect(block.length).toBe(count);
              read[i]!.push(...block);
            });
            at += count;
          }
          reader.close();
          for (let i = 0; i < signals; i += 1) expect(read[i]).toEqual(Array.from(signalMicrovolts(record, i)));
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('headers', () => {
  it('formats a header that parses back to the same fields', () => {
    const text = '100 2 250/360 1000\n100.dat 212 200(5)/mV 11 1024 995 -22131 0 MLII\n100.dat 212 200 11 1024 1011 20052 0 V5\n# a comment\n';
    const header = parseHeader(text);
    expect(parseHeader(formatHeader(header))).toEqual(header);
  });

  it('treats a sample count of 0 as "read to the end"', () => {
    expect(parseHeader('r 1 500 0 12:00:00 01/02/2026\nr.dat 16 200/mV 16 0 0 0 0 II\n').sampleCount).toBeNull();
  });
});

describe('writing records', () => {
  it('writeRecord then readRecord gives the same samples (5 µV units), checksums and annotations', () => {
    const count = 3000;
    const leadII = Float32Array.from({ length: count }, (_, i) => (Math.round(300 * Math.sin(i / 17)) * 5 - (i % 7) * 5) || 0);
    const v1 = Float32Array.from({ length: count }, (_, i) => -800 + (i % 400) * 5);
    const beats = [
      { sample: 10, code: ANN.NORMAL },
      { sample: 400, code: ANN.PVC, aux: 'note' },
      { sample: 2999, code: ANN.NORMAL, num: 3, channel: 1, subtype: 2 },
    ];
    const headerPath = writeRecord(scratch, 'whole', {
      fsHz: 500,
      signals: [{ name: 'II' }, { name: 'V1' }],
      microvolts: [leadII, v1],
      annotations: beats,
      startedAt: new Date('2026-03-04T05:06:07Z'),
    });
    const record = readRecord(headerPath);
    expect(record.header).toMatchObject({ fsHz: 500, sampleCount: count, baseTime: '05:06:07', baseDate: '04/03/2026' });
    expect(verifyRecord(record).every((c) => c.checksumOk && c.initialValueOk)).toBe(true);
    expect(Array.from(signalMicrovolts(record, 0))).toEqual(Array.from(leadII));
    expect(Array.from(signalMicrovolts(record, 1))).toEqual(Array.from(v1));
    const annotations = readAnnotations(join(scratch, 'whole.atr'), 500);
    expect(annotations.map((a) => [a.sample, a.code, a.aux, a.num, a.channel, a.subtype])).toEqual([
      [10, ANN.NORMAL, null, 0, 0, 0],
      [400, ANN.PVC, 'note', 0, 0, 0],
      [2999, ANN.NORMAL, null, 3, 1, 2],
    ]);
  });

  it('a streaming writer killed before close() still reads back everything it appended', async () => {
    const directory = join(scratch, 'killed');
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `
        import { WfdbStreamWriter } from ${JSON.stringify(new URL('../../dist/formats/wfdb-writer.js', import.meta.url).href)};
        const writer = WfdbStreamWriter.create(${JSON.stringify(directory)}, 'rec', { fsHz: 250, signals: [{ name: 'I' }, { name: 'II' }] });
        for (let block = 0; block < 10; block += 1) {
          const a = Float32Array.from({ length: 25 }, (_, i) => (block * 25 + i) * 5);
          const b = Float32Array.from({ length: 25 }, (_, i) => -(block * 25 + i) * 5);
          writer.appendSamples([a, b]);
          writer.appendBeat(block * 25 + 3, 1);
        }
        process.stdout.write('written\\n');
        setInterval(() => {}, 1000);
        `,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('written') && resolve()));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));

    const record = readRecord(join(directory, 'rec.hea'));
    expect(record.header.sampleCount).toBe(250);
    expect(signalMicrovolts(record, 0)[249]).toBe(249 * 5);
    expect(signalMicrovolts(record, 1)[100]).toBe(-500);
    const beats = readAnnotations(join(directory, 'rec.atr'), 250);
    expect(beats.map((b) => b.sample)).toEqual(Array.from({ length: 10 }, (_, i) => i * 25 + 3));
  });

  it('close() rewrites the header with the count and checksums', () => {
    const writer = WfdbStreamWriter.create(join(scratch, 'closed'), 'rec', { fsHz: 360, signals: [{ name: 'MLII', gainAduPerMv: 1000 }] });
    writer.appendSamples([Float32Array.from([1, 2, 3, -4])]);
    writer.appendSamples([Float32Array.from([Number.NaN, 40000])]);
    writer.close();
    const header = parseHeader(readFileSync(join(scratch, 'closed', 'rec.hea'), 'utf8'));
    expect(header.sampleCount).toBe(6);
    expect(header.signals[0]).toMatchObject({ gain: 1000, initialValue: 1, description: 'MLII' });
    const record = readRecord(join(scratch, 'closed', 'rec.hea'));
    expect(Array.from(record.digital[0]!)).toEqual([1, 2, 3, -4, -32768, 32767]);
    expect(verifyRecord(record)[0]).toMatchObject({ checksumOk: true, initialValueOk: true });
  });
});

describe('annotation files', () => {
  const annotation = fc.record({
    gap: fc.oneof(fc.integer({ min: 0, max: 1023 }), fc.integer({ min: 1024, max: 5_000_000 })),
    code: fc.integer({ min: 1, max: 49 }),
    subtype: fc.integer({ min: -128, max: 127 }),
    channel: fc.integer({ min: 0, max: 255 }),
    num: fc.integer({ min: -128, max: 127 }),
    aux: fc.option(fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 40 }), { nil: null }),
  });

  it('encode then parse is the identity, incl. SKIP for long gaps, AUX, NUM, SUB and CHN', () => {
    fc.assert(
      fc.property(fc.array(annotation, { maxLength: 40 }), (items) => {
        let sample = 0;
        const input = items.map(({ gap, ...rest }) => {
          sample += gap;
          return { sample, ...rest };
        });
        const parsed = parseAnnotations(encodeAnnotations(input));
        expect(parsed.map(({ symbol: _symbol, ...rest }) => rest)).toEqual(input);
      }),
    );
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.option(fc.integer({ min: 1, max: 2000 }), { nil: undefined }), (bytes, fsHz) => {
        for (const annotation of parseAnnotations(bytes, fsHz)) expect(Number.isFinite(annotation.sample)).toBe(true);
      }),
    );
  });

  it('reads a file without its terminator (a recording cut short)', () => {
    const bytes = encodeAnnotations([
      { sample: 100, code: ANN.NORMAL },
      { sample: 5000, code: ANN.NORMAL },
    ]);
    const cut = bytes.subarray(0, bytes.length - 2);
    expect(parseAnnotations(cut).map((a) => a.sample)).toEqual([100, 5000]);
    // A torn last word is ignored, not thrown on.
    expect(parseAnnotations(cut.subarray(0, cut.length - 1)).map((a) => a.sample)).toEqual([100]);
  });

  it('applies a "## time resolution" note: ticks are converted to record samples', () => {
    const bytes = encodeAnnotations([
      { sample: 0, code: ANN.NOTE, aux: '## time resolution: 1000' },
      { sample: 2000, code: ANN.NORMAL },
      { sample: 3500, code: ANN.NORMAL },
    ]);
    writeFileSync(join(scratch, 'res.atr'), bytes);
    const parsed = readAnnotations(join(scratch, 'res.atr'), 250);
    expect(parsed.map((a) => [a.sample, a.symbol])).toEqual([
      [500, 'N'],
      [875, 'N'],
    ]);
  });
});
