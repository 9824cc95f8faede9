/** The report as a pdfmake document: header, measurements, ECG paper with traces, footer. */
import { VERSION } from '../version.js';
import {
  FOOTER_MM,
  GAIN_MM_PER_MV,
  PT_PER_MM,
  SPEED_MM_PER_S,
  calibrationPath,
  gridPath,
  planLayout,
  pt,
  segmentMedianUv,
  tracePath,
  type PageGeometry,
} from './layout.js';
import {
  MISSING,
  countText,
  dateTimeText,
  deviceText,
  durationText,
  filterText,
  heartRateText,
  leadOffText,
  orMissing,
  qualityText,
  whole,
} from './format.js';
import { REPORT_FONT, renderPdf, type Content, type DocDefinition } from './pdfmake.js';
import type { ReportInput } from './types.js';

export const FOOTER_NOTICE = 'computer-measured, to be confirmed by a clinician';

const COLOR = {
  minorGrid: '#f4a6a6',
  majorGrid: '#e05a5a',
  trace: '#000000',
  label: '#000000',
  muted: '#555555',
  beatMark: '#1f5fbf',
};
const LINE_PT = { minorGrid: 0.3, majorGrid: 0.7, trace: 0.6, beatMark: 0.6 };
const BEAT_MARK_MM = 1.5;
/** The device column gets the most room: serial paths and record names are long. */
const FIELD_COLUMN_WIDTHS = ['22%', '34%', '20%', '24%'];
const TOP_MARGIN_MM = 7;
/** Trace excursions beyond the grid are clipped this far outside it, never over the header. */
const TRACE_OVERSHOOT_MM = 2;

const mm = (value: number) => value * PT_PER_MM;

/** Renders the report; pure apart from CPU: no files, no queue. */
export async function buildReportPdf(input: ReportInput): Promise<Uint8Array> {
  return renderPdf(reportDefinition(input));
}

export function reportDefinition(input: ReportInput): DocDefinition {
  validateInput(input);
  const sampleCount = input.leads.reduce((n, lead) => Math.max(n, lead.uV.length), 0);
  const layout = planLayout(
    input.leads.map((lead) => lead.name),
    sampleCount,
    input.fsHz,
    input.paper,
  );
  const first = layout.pages[0]!;
  const sideMarginPt = mm(first.gridLeftMm);
  const content: Content[] = [];
  layout.pages.forEach((page, pageIndex) => {
    content.push({ stack: headerBlock(input), ...(pageIndex > 0 ? { pageBreak: 'before' } : {}) });
    content.push({ canvas: paperVectors(input, page), absolutePosition: { x: 0, y: 0 } });
    content.push(...leadLabels(page));
  });
  return {
    pageSize: input.paper === 'letter' ? 'LETTER' : 'A4',
    pageOrientation: 'landscape',
    pageMargins: [sideMarginPt, mm(TOP_MARGIN_MM), sideMarginPt, mm(FOOTER_MM)],
    content,
    footer: (currentPage, pageCount) => ({
      margin: [sideMarginPt, mm(4), sideMarginPt, 0],
      fontSize: 7,
      color: COLOR.muted,
      columns: [
        { text: `ecg-monitor ${VERSION}`, width: '*' },
        { text: FOOTER_NOTICE, width: 'auto', alignment: 'center' },
        { text: `page ${currentPage}/${pageCount}`, width: '*', alignment: 'right' },
      ],
    }),
    defaultStyle: { font: REPORT_FONT, fontSize: 8, lineHeight: 1.1 },
    info: {
      title: `ECG report ${input.info.sessionId ?? ''}`.trim(),
      creator: `ecg-monitor ${VERSION}`,
      producer: `ecg-monitor ${VERSION}`,
    },
  };
}

function validateInput(input: ReportInput): void {
  if (!(input.fsHz > 0) || !Number.isFinite(input.fsHz)) throw new RangeError(`report needs a positive sample rate, got ${input.fsHz}`);
}

function headerBlock(input: ReportInput): Content[] {
  const { info, measurements: m } = input;
  const shownS = input.leads.length === 0 ? 0 : input.leads[0]!.uV.length / input.fsHz;
  const field = (label: string, value: string) => ({
    text: [{ text: `${label}: `, color: COLOR.muted }, { text: value, bold: true }],
  });
  const who: Content[] = [];
  if (info.patientId) who.push(field('Patient', orMissing(info.patientId)));
  if (info.operator) who.push(field('Operator', orMissing(info.operator)));
  if (who.length === 0) who.push(field('Patient', MISSING));
  const fields: Content[] = [
    ...who,
    field('Session', orMissing(info.sessionId)),
    field('Device', deviceText(info)),
    field('Sample rate', info.sampleRateHz === null ? MISSING : `${roundTo(info.sampleRateHz, 1)} Hz`),
    field('Start', dateTimeText(info.startedAt)),
    field('Duration', durationText(info.durationS)),
    field('Filter', filterText(info)),
    field('Shown', `${input.windowStartS.toFixed(1)}–${(input.windowStartS + shownS).toFixed(1)} s`),
  ];
  const measurementCells: [string, string][] = [
    ['HR', heartRateText(m.heartRateBpm, m.heartRateMinBpm, m.heartRateMaxBpm)],
    ['RR', whole(m.rrMs, 'ms')],
    ['PR', whole(m.prMs, 'ms')],
    ['QRS', whole(m.qrsMs, 'ms')],
    ['QT', whole(m.qtMs, 'ms')],
    ['QTc Bazett', whole(m.qtcBazettMs, 'ms')],
    ['QTc Fridericia', whole(m.qtcFridericiaMs, 'ms')],
    ['Beats', countText(m.beats)],
    ['Signal quality', qualityText(m.signalQuality)],
    ['Dropped frames', countText(m.droppedFrames)],
    ['Lead-off', leadOffText(m.leadOffPeriods)],
  ];
  return [
    {
      columns: [
        { text: 'Electrocardiogram', fontSize: 13, bold: true, width: 'auto' },
        {
          text: [
            { text: `${SPEED_MM_PER_S} mm/s`, bold: true },
            '   ',
            { text: `${GAIN_MM_PER_MV} mm/mV`, bold: true },
          ],
          alignment: 'right',
          fontSize: 10,
          margin: [0, 2, 0, 0],
        },
      ],
      margin: [0, 0, 0, 3],
    },
    {
      columns: splitInColumns(fields, FIELD_COLUMN_WIDTHS.length).map((stack, i) => ({ stack, width: FIELD_COLUMN_WIDTHS[i] })),
      columnGap: 8,
      margin: [0, 0, 0, 4],
    },
    {
      table: {
        headerRows: 1,
        widths: measurementCells.map(([label]) => (label === 'Lead-off' ? '*' : 'auto')),
        body: [
          measurementCells.map(([label]) => ({ text: label, color: COLOR.muted, fontSize: 7 })),
          measurementCells.map(([, value]) => ({ text: value, bold: true })),
        ],
      },
      layout: {
        hLineWidth: () => 0.4,
        vLineWidth: () => 0.4,
        hLineColor: () => '#999999',
        vLineColor: () => '#999999',
        paddingLeft: () => 3,
        paddingRight: () => 3,
        paddingTop: () => 1.5,
        paddingBottom: () => 1.5,
      },
    },
  ];
}

function splitInColumns<T>(items: T[], columns: number): T[][] {
  const perColumn = Math.ceil(items.length / columns);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += perColumn) out.push(items.slice(i, i + perColumn));
  return out;
}

function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/** Grid (two paths), then per row one path with the calibration pulse and the trace segments. */
function paperVectors(input: ReportInput, page: PageGeometry): Content[] {
  const vectors: Content[] = [
    { type: 'path', d: gridPath(page, 1, 5), lineColor: COLOR.minorGrid, lineWidth: LINE_PT.minorGrid },
    { type: 'path', d: gridPath(page, 5, null), lineColor: COLOR.majorGrid, lineWidth: LINE_PT.majorGrid },
  ];
  const clamp = { minYMm: page.gridTopMm - TRACE_OVERSHOOT_MM, maxYMm: page.gridTopMm + page.gridHeightMm + TRACE_OVERSHOOT_MM };
  for (const row of page.rows) {
    const parts = [calibrationPath(row, page.gridLeftMm)];
    row.segments.forEach((segment, i) => {
      const lead = input.leads[segment.leadIndex];
      if (!lead) return;
      if (i > 0) parts.push(separatorPath(segment.xMm, row.baselineMm));
      const offsetUv = segmentMedianUv(lead.uV, segment.fromSample, segment.toSample);
      parts.push(tracePath(lead.uV, segment, input.fsHz, row.baselineMm, offsetUv, clamp));
    });
    vectors.push({ type: 'path', d: parts.filter((p) => p !== '').join(' '), lineColor: COLOR.trace, lineWidth: LINE_PT.trace, lineJoin: 'round' });
  }
  const marks = beatMarksPath(input, page);
  if (marks !== '') vectors.push({ type: 'path', d: marks, lineColor: COLOR.beatMark, lineWidth: LINE_PT.beatMark });
  return vectors;
}

/** Small ticks along the bottom of each full-length strip, one per detected beat. */
function beatMarksPath(input: ReportInput, page: PageGeometry): string {
  if (!input.beatSamples || input.beatSamples.length === 0) return '';
  const mmPerSample = SPEED_MM_PER_S / input.fsHz;
  const parts: string[] = [];
  for (const row of page.rows) {
    if (row.segments.length !== 1) continue;
    const segment = row.segments[0]!;
    const bottom = row.topMm + row.heightMm - 0.5;
    for (const sample of input.beatSamples) {
      if (sample < segment.fromSample || sample >= segment.toSample) continue;
      const x = pt(segment.xMm + (sample - segment.fromSample) * mmPerSample);
      parts.push(`M${x} ${pt(bottom - BEAT_MARK_MM)}V${pt(bottom)}`);
    }
  }
  return parts.join('');
}

/** A short vertical bar where one lead's column ends and the next begins. */
function separatorPath(xMm: number, baselineMm: number): string {
  return `M${pt(xMm)} ${pt(baselineMm - 2.5)}V${pt(baselineMm + 2.5)}`;
}

function leadLabels(page: PageGeometry): Content[] {
  const labels: Content[] = [];
  for (const row of page.rows) {
    for (const segment of row.segments) {
      labels.push({
        text: segment.label,
        bold: true,
        fontSize: 9,
        color: COLOR.label,
        absolutePosition: { x: mm(segment.xMm + 1.5), y: mm(row.topMm + 1.2) },
      });
    }
  }
  return labels;
}
