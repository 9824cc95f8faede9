/**
 * Where everything sits on ECG paper: page geometry in millimetres, the lead layout, and the
 * SVG-style path strings (in PDF points, origin top-left) for the grid and the traces.
 */
import type { Paper } from './types.js';

export const PT_PER_MM = 72 / 25.4;
export const SPEED_MM_PER_S = 25;
export const GAIN_MM_PER_MV = 10;
/** Calibration pulse: 1 mV high, drawn in the first 10 mm of every row. */
export const CAL_PULSE_WIDTH_MM = 5;
export const CAL_ZONE_MM = 10;
export const WINDOW_S = 10;
export const GRID_WIDTH_MM = CAL_ZONE_MM + WINDOW_S * SPEED_MM_PER_S;
/** Horizontal resolution of a trace: one min/max pair per 0.1 mm keeps every QRS peak. */
export const TRACE_BIN_MM = 0.1;
export const FOOTER_MM = 12;
export const MAX_ROWS_PER_PAGE = 4;
const MAX_ROW_HEIGHT_MM = 50;
const GRID_BLOCK_HEIGHT_MM = 150;
/** The baseline sits below the middle of a row: R waves need more room than S waves. */
const BASELINE_FRACTION = 0.6;

/** Landscape page sizes in mm (ISO 216 A4; US Letter 11 x 8.5 in). */
export const PAPER_MM: Readonly<Record<Paper, { width: number; height: number }>> = {
  a4: { width: 297, height: 210 },
  letter: { width: 279.4, height: 215.9 },
};

export const TWELVE_LEAD_ORDER = ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'] as const;
const COLUMN_S = 2.5;

/** One piece of one lead drawn on a row: samples [fromSample, toSample) starting at xMm. */
export interface Segment {
  leadIndex: number;
  label: string;
  fromSample: number;
  toSample: number;
  xMm: number;
}

export interface Row {
  topMm: number;
  heightMm: number;
  baselineMm: number;
  segments: Segment[];
}

export interface PageGeometry {
  widthMm: number;
  heightMm: number;
  gridLeftMm: number;
  gridTopMm: number;
  gridWidthMm: number;
  gridHeightMm: number;
  rows: Row[];
}

export interface Layout {
  twelveLead: boolean;
  pages: PageGeometry[];
}

/** The standard label of a lead name ("avr" → "aVR", "MLII" stays), for layout and printing. */
export function standardLeadLabel(name: string): string {
  const key = name.trim().toLowerCase().replace(/\s+/g, '');
  const standard = TWELVE_LEAD_ORDER.find((label) => label.toLowerCase() === key);
  return standard ?? name.trim();
}

/** Index of the lead to use as the rhythm strip: II, else MLII, else the first. */
export function rhythmLeadIndex(names: readonly string[]): number {
  const labels = names.map((n) => standardLeadLabel(n).toUpperCase());
  const ii = labels.indexOf('II');
  if (ii >= 0) return ii;
  const mlii = labels.indexOf('MLII');
  return mlii >= 0 ? mlii : 0;
}

/** The 3x4 + rhythm layout when all 12 standard leads are present, else one 10 s strip per lead. */
export function planLayout(leadNames: readonly string[], sampleCount: number, fsHz: number, paper: Paper): Layout {
  const labels = leadNames.map(standardLeadLabel);
  const standardIndex = TWELVE_LEAD_ORDER.map((label) => labels.indexOf(label));
  const twelveLead = standardIndex.every((index) => index >= 0);
  const windowSamples = Math.min(sampleCount, Math.round(WINDOW_S * fsHz));
  const traceLeftMm = CAL_ZONE_MM;

  let rowSegments: Segment[][];
  if (twelveLead) {
    const columnSamples = Math.round(COLUMN_S * fsHz);
    rowSegments = [0, 1, 2].map((row) =>
      [0, 1, 2, 3].map((column) => {
        const leadIndex = standardIndex[column * 3 + row]!;
        const fromSample = Math.min(windowSamples, column * columnSamples);
        return {
          leadIndex,
          label: labels[leadIndex]!,
          fromSample,
          toSample: Math.min(windowSamples, fromSample + columnSamples),
          xMm: traceLeftMm + column * COLUMN_S * SPEED_MM_PER_S,
        };
      }),
    );
    const rhythm = rhythmLeadIndex(leadNames);
    rowSegments.push([{ leadIndex: rhythm, label: labels[rhythm]!, fromSample: 0, toSample: windowSamples, xMm: traceLeftMm }]);
  } else {
    rowSegments = labels.map((label, leadIndex) => [{ leadIndex, label, fromSample: 0, toSample: windowSamples, xMm: traceLeftMm }]);
  }

  const { width, height } = PAPER_MM[paper];
  const rowsPerPage = Math.min(MAX_ROWS_PER_PAGE, Math.max(1, rowSegments.length));
  const rowHeightMm = Math.min(MAX_ROW_HEIGHT_MM, GRID_BLOCK_HEIGHT_MM / rowsPerPage);
  const gridHeightMm = Math.ceil((rowsPerPage * rowHeightMm) / 5) * 5;
  const gridLeftMm = (width - GRID_WIDTH_MM) / 2;
  // Fixed under the header, whatever the number of rows, so every report reads the same way.
  const gridTopMm = height - FOOTER_MM - GRID_BLOCK_HEIGHT_MM;

  const pages: PageGeometry[] = [];
  for (let start = 0; start < Math.max(1, rowSegments.length); start += rowsPerPage) {
    const rows = rowSegments.slice(start, start + rowsPerPage).map((segments, i) => {
      const topMm = gridTopMm + i * rowHeightMm;
      return {
        topMm,
        heightMm: rowHeightMm,
        baselineMm: topMm + rowHeightMm * BASELINE_FRACTION,
        segments: segments.map((s) => ({ ...s, xMm: gridLeftMm + s.xMm })),
      };
    });
    pages.push({ widthMm: width, heightMm: height, gridLeftMm, gridTopMm, gridWidthMm: GRID_WIDTH_MM, gridHeightMm, rows });
  }
  return { twelveLead, pages };
}

/** Millimetres as PDF points for a path, short: two decimals are 0.0035 mm, far below any printer's dot. */
export function pt(mm: number): string {
  const value = Math.round(mm * PT_PER_MM * 100) / 100;
  return Object.is(value, -0) ? '0' : String(value);
}

/** Grid lines every `stepMm` (skipping those every `skipEveryMm`), as one path. */
export function gridPath(page: PageGeometry, stepMm: number, skipEveryMm: number | null): string {
  const parts: string[] = [];
  const { gridLeftMm: left, gridTopMm: top, gridWidthMm: w, gridHeightMm: h } = page;
  const onSkipped = (offsetMm: number) => skipEveryMm !== null && Math.abs(offsetMm / skipEveryMm - Math.round(offsetMm / skipEveryMm)) < 1e-9;
  for (let i = 0; i * stepMm <= w + 1e-9; i += 1) {
    const x = i * stepMm;
    if (onSkipped(x)) continue;
    parts.push(`M${pt(left + x)} ${pt(top)}V${pt(top + h)}`);
  }
  for (let j = 0; j * stepMm <= h + 1e-9; j += 1) {
    const y = j * stepMm;
    if (onSkipped(y)) continue;
    parts.push(`M${pt(left)} ${pt(top + y)}H${pt(left + w)}`);
  }
  return parts.join('');
}

/** The 1 mV calibration pulse at the start of a row: 2 mm flat, 10 mm up, 5 mm wide, down, flat. */
export function calibrationPath(row: Row, gridLeftMm: number): string {
  const x0 = gridLeftMm;
  const y0 = row.baselineMm;
  const up = y0 - GAIN_MM_PER_MV;
  const rise = x0 + 2;
  const fall = rise + CAL_PULSE_WIDTH_MM;
  return `M${pt(x0)} ${pt(y0)}H${pt(rise)}V${pt(up)}H${pt(fall)}V${pt(y0)}H${pt(x0 + CAL_ZONE_MM - 1)}`;
}

/**
 * One segment of a trace as a path. Samples are binned per 0.1 mm of paper and each bin keeps
 * its minimum and maximum in time order, so spikes survive however high the sample rate.
 * `offsetUv` is subtracted first (the segment's baseline); y is clamped to [minYMm, maxYMm].
 */
export function tracePath(
  uV: Float32Array,
  segment: Segment,
  fsHz: number,
  baselineMm: number,
  offsetUv: number,
  clampMm: { minYMm: number; maxYMm: number },
): string {
  const { fromSample, toSample, xMm } = segment;
  if (toSample - fromSample < 1) return '';
  const mmPerSample = SPEED_MM_PER_S / fsHz;
  const mmPerUv = GAIN_MM_PER_MV / 1000;
  const yOf = (value: number) => {
    const y = baselineMm - (value - offsetUv) * mmPerUv;
    return Math.min(clampMm.maxYMm, Math.max(clampMm.minYMm, Number.isFinite(y) ? y : baselineMm));
  };
  const out: string[] = [];
  const emit = (sample: number) => {
    out.push(`${out.length === 0 ? 'M' : out.length === 1 ? 'L' : ''}${pt(xMm + (sample - fromSample) * mmPerSample)} ${pt(yOf(uV[sample]!))}`);
  };
  const samplesPerBin = TRACE_BIN_MM / mmPerSample;
  if (samplesPerBin <= 2) {
    for (let s = fromSample; s < toSample; s += 1) emit(s);
    return out.join(' ');
  }
  let binStart = fromSample;
  for (let bin = 1; binStart < toSample; bin += 1) {
    const binEnd = Math.min(toSample, fromSample + Math.round(bin * samplesPerBin));
    let minAt = binStart;
    let maxAt = binStart;
    for (let s = binStart + 1; s < binEnd; s += 1) {
      if (uV[s]! < uV[minAt]!) minAt = s;
      if (uV[s]! > uV[maxAt]!) maxAt = s;
    }
    if (minAt === maxAt) emit(minAt);
    else if (minAt < maxAt) {
      emit(minAt);
      emit(maxAt);
    } else {
      emit(maxAt);
      emit(minAt);
    }
    binStart = binEnd;
  }
  return out.join(' ');
}

/** The median of a segment: its display baseline, so a trace sits on its row whatever its DC level. */
export function segmentMedianUv(uV: Float32Array, fromSample: number, toSample: number): number {
  const length = toSample - fromSample;
  if (length <= 0) return 0;
  const step = Math.max(1, Math.floor(length / 512));
  const picked: number[] = [];
  for (let s = fromSample; s < toSample; s += step) if (Number.isFinite(uV[s]!)) picked.push(uV[s]!);
  if (picked.length === 0) return 0;
  picked.sort((a, b) => a - b);
  return picked[Math.floor(picked.length / 2)]!;
}
