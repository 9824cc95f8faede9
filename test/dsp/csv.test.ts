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

  it("reads PhysioNet's CSV export: quoted cells, a units row, clock times printed to the millisecond", () => {
    // 360 Hz: steps print as 2 or 3 ms, so the rate comes from the whole span.
    const rows = Array.from({ length: 720 }, (_, i) => {
      const t = i / 360;
      return `'${Math.floor(t / 60)}:${(t % 60).toFixed(3).padStart(6, '0')}',${(i % 7) / 1000},${-i / 1000}`;
    });
    const csv = parseCsv(["'Elapsed time','MLII','V5'", "'hh:mm:ss.mmm','mV','mV'", ...rows].join('\n'));
    expect(csv.fsHz).toBe(360);
    expect(csv.leads).toEqual(['MLII', 'V5']);
    expect(csv.signalsUv[0]![3]).toBeCloseTo(3, 4);
    expect(csv.signalsUv[1]![719]).toBeCloseTo(-719, 3);
    // A units row in µV, time in seconds; double quotes.
    const micro = parseCsv('"t","II"\n"sec","uV"\n0,5\n0.002,6\n0.004,7\n');
    expect(micro.fsHz).toBe(500);
    expect(Array.from(micro.signalsUv[0]!)).toEqual([5, 6, 7]);
  });

  it('takes the rate from the typical step where rows are missing', () => {
    const times = [0, 0.004, 0.008, 0.2, 0.204, 0.208, 0.212];
    expect(parseCsv(`time,II\n${times.map((t) => `${t},1`).join('\n')}\n`).fsHz).toBe(250);
  });

  it('rejects bad input with a line number', () => {
    expect(() => parseCsv("'Elapsed time','II'\n'hh:mm:ss.mmm','furlongs'\n'0:00.000',1\n")).toThrow(/line 2: unit "furlongs" of column II/);
    expect(() => parseCsv('II\n1\n2\n')).toThrow(/sample rate/);
    expect(() => parseCsv('# fs=250\nII,V1\n1,2\n3\n')).toThrow(/line 4 has 1 columns/);
    expect(() => parseCsv('# fs=250\nII\n1\nabc\n')).toThrow(CsvFormatError);
    expect(() => parseCsv('# fs=250\n')).toThrow(/header/);
    expect(() => parseCsv('# fs=250\nII\n')).toThrow(/no samples/);
  });
});
