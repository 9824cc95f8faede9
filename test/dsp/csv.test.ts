import { describe, expect, it } from 'vitest';
import { CsvFormatError, parseCsv } from '../../src/formats/csv.js';

describe('CSV input', () => {
  it('reads leads in µV with the rate from a "# fs=" line', () => {
    const csv = parseCsv('# recorded on the bench\n# fs=500\nI,II\n10,20\n11,21\n12,22\n');
    expect(csv.fsHz).toBe(500);
    expect(csv.leads).toEqual(['I', 'II']);
    expect(Array.from(csv.signalsUv[1]!)).toEqual([20, 21, 22]);
  });

  it('takes the rate from a time column and converts _mV columns', () => {
    const csv = parseCsv('time;II_mV;V1_uV\n0;0.5;100\n0.004;0.25;101\n0.008;-1;102\n');
    expect(csv.fsHz).toBe(250);
    expect(csv.leads).toEqual(['II', 'V1']);
    expect(Array.from(csv.signalsUv[0]!)).toEqual([500, 250, -1000]);
    expect(parseCsv('time_ms\tII\n0\t1\n2\t2\n4\t3\n').fsHz).toBe(500);
  });

  it('rejects bad input with a line number', () => {
    expect(() => parseCsv('II\n1\n2\n')).toThrow(/sample rate/);
    expect(() => parseCsv('# fs=250\nII,V1\n1,2\n3\n')).toThrow(/line 4 has 1 columns/);
    expect(() => parseCsv('# fs=250\nII\n1\nabc\n')).toThrow(CsvFormatError);
    expect(() => parseCsv('# fs=250\n')).toThrow(/header/);
    expect(() => parseCsv('# fs=250\nII\n')).toThrow(/no samples/);
  });
});
