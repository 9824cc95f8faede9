/**
 * Turns what is on disk into a ReportInput: a recorded session directory (WFDB record, beats,
 * session.json) or any WFDB record. Also writes the PDF next to its source.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { createDisplayFilter } from '../dsp/filters.js';
import { UsageError, errorMessage } from '../errors.js';
import { isBeatCode, parseAnnotations } from '../formats/annotations.js';
import { readRecord, resolveRecordPath, signalMicrovolts, type WfdbRecord } from '../formats/wfdb.js';
import { buildReportPdf } from './document.js';
import { WINDOW_S } from './layout.js';
import { measureRecordSignals, measurementsFromBeats } from './measure.js';
import { reportMetadata, type ReportMetadata } from './metadata.js';
import { parseSessionFile, type SessionFile } from './session-file.js';
import { emptyInfo, emptyMeasurements, type LeadTrace, type Paper, type ReportInput, type ReportMeasurements } from './types.js';

export interface ReportSourceOptions {
  paper: Paper;
  /** Start of the shown 10 s in seconds; default: the last 10 s of a session, 2 s into a record. */
  fromS?: number;
}

export interface WriteReportOptions extends ReportSourceOptions {
  /** PDF path; default `report.pdf` in a session directory, `<record>-report.pdf` beside a record. */
  out?: string;
}

export interface WrittenReport {
  pdfPath: string;
  bytes: number;
  pdf: Uint8Array;
  /** The session (or record name) the report belongs to: the upload goes to this session. */
  sessionId: string;
  metadata: ReportMetadata;
}

/** A plain record's first seconds hold filter and electrode settling; the window starts after them. */
export const RECORD_SETTLE_S = 2;
/** Filters start this long before the window so the trace is settled when the paper starts. */
const FILTER_LEAD_IN_S = 5;

interface ResolvedSource {
  kind: 'session' | 'record';
  /** What the user named: a directory, or a record's header. */
  given: 'directory' | 'header';
  headerPath: string;
  session: SessionFile | null;
  directory: string;
}

/** Finds what `source` names; a missing or unreadable source is a UsageError (exit 2). */
export function resolveSource(source: string): ResolvedSource {
  const path = resolve(source);
  if (existsSync(path) && statSync(path).isDirectory()) {
    const sessionPath = join(path, 'session.json');
    let session: SessionFile | null = null;
    if (existsSync(sessionPath)) {
      try {
        session = parseSessionFile(readFileSync(sessionPath, 'utf8'));
      } catch (error) {
        throw new UsageError(`cannot read ${sessionPath}: ${errorMessage(error)}`);
      }
    }
    const named = session?.session_id ? join(path, `${session.session_id}.hea`) : null;
    const headers = readdirSync(path).filter((name) => name.endsWith('.hea'));
    const headerPath = named && existsSync(named) ? named : headers.length === 1 ? join(path, headers[0]!) : null;
    if (!headerPath) {
      throw new UsageError(
        headers.length === 0
          ? `${source} holds no WFDB record (.hea): give a session directory or a record.hea`
          : `${source} holds several records; name one: ecg-monitor report ${join(source, headers[0]!)}`,
      );
    }
    return { kind: session ? 'session' : 'record', given: 'directory', headerPath, session, directory: path };
  }
  const { headerPath, directory } = resolveRecordPath(path);
  if (!existsSync(headerPath)) throw new UsageError(`${source}: no such session directory or WFDB record`);
  // A record inside a session directory is reported as that session.
  const sessionPath = join(directory, 'session.json');
  let session: SessionFile | null = null;
  if (existsSync(sessionPath)) {
    try {
      const candidate = parseSessionFile(readFileSync(sessionPath, 'utf8'));
      if (candidate.session_id === basename(headerPath, '.hea')) session = candidate;
    } catch {
      session = null;
    }
  }
  return { kind: session ? 'session' : 'record', given: 'header', headerPath, session, directory };
}

/** Reads a session directory or record and prepares the 10 s window for the report. */
export async function loadReportInput(source: string, options: ReportSourceOptions): Promise<ReportInput> {
  return inputFromSource(resolveSource(source), options);
}

async function inputFromSource(resolved: ResolvedSource, options: ReportSourceOptions): Promise<ReportInput> {
  let record: WfdbRecord;
  try {
    record = readRecord(resolved.headerPath);
  } catch (error) {
    throw new UsageError(`cannot read the WFDB record ${resolved.headerPath}: ${errorMessage(error)}`);
  }
  const fsHz = record.header.fsHz;
  const sampleCount = record.header.sampleCount ?? 0;
  if (sampleCount === 0 || record.header.signalCount === 0) throw new UsageError(`${resolved.headerPath} holds no samples`);
  const recordS = sampleCount / fsHz;
  const session = resolved.session;

  const defaultFromS = session ? recordS - WINDOW_S : Math.min(RECORD_SETTLE_S, recordS - WINDOW_S);
  const fromS = clamp(options.fromS ?? defaultFromS, 0, Math.max(0, recordS - Math.min(WINDOW_S, recordS)));
  const fromSample = Math.round(fromS * fsHz);
  const toSample = Math.min(sampleCount, fromSample + Math.round(WINDOW_S * fsHz));

  // A session's .dat holds the raw samples; the report shows them through the session's own filter.
  const filter = session?.filter ?? (session ? 'monitor' : 'diagnostic');
  const mainsHz = session?.mains_hz ?? null;
  const names = record.header.signals.map((spec, i) => spec.description || session?.leads?.[i] || `ch${i + 1}`);
  const leadInStart = Math.max(0, fromSample - Math.round(FILTER_LEAD_IN_S * fsHz));
  const rawLeads = names.map((name, i) => ({ name, uV: signalMicrovolts(record, i) }));
  const leads: LeadTrace[] = rawLeads.map(({ name, uV }) => {
    const excerpt = uV.slice(leadInStart, toSample);
    createDisplayFilter({ fsHz, mode: filter, mainsHz }).process(excerpt, excerpt);
    return { name, uV: excerpt.subarray(fromSample - leadInStart) };
  });

  // A session's .atr holds the monitor's own beats; a plain record's .atr is someone else's reference.
  let beatSamples: number[] | null;
  let measurements: ReportMeasurements;
  if (session) {
    beatSamples = readBeatSamples(resolved.headerPath, fsHz);
    measurements = measurementsFromSession(session, beatSamples, fsHz);
  } else {
    const measured = await measureRecordSignals(rawLeads, fsHz);
    beatSamples = measured.beatSamples;
    measurements = measured.measurements;
  }
  const windowBeats = beatSamples?.filter((s) => s >= fromSample && s < toSample).map((s) => s - fromSample);

  const recordName = basename(resolved.headerPath, '.hea');
  const info = emptyInfo();
  if (session) {
    info.sessionId = session.session_id ?? recordName;
    info.patientId = session.patient_id ?? null;
    info.operator = session.operator ?? null;
    info.protocol = session.device?.protocol ?? null;
    info.source = session.device?.source ?? null;
    info.deviceSerial = session.device?.serial ?? null;
    info.sampleRateHz = session.sample_rate_hz ?? fsHz;
    info.startedAt = session.started_at ?? null;
    info.durationS = session.duration_s ?? recordS;
  } else {
    info.sessionId = recordName;
    info.protocol = 'WFDB record';
    info.source = basename(resolved.headerPath);
    info.sampleRateHz = fsHz;
    info.startedAt = recordStartIso(record);
    info.durationS = recordS;
  }
  info.filter = filter;
  info.mainsHz = mainsHz;

  return {
    paper: options.paper,
    fsHz,
    leads,
    windowStartS: fromSample / fsHz,
    ...(windowBeats ? { beatSamples: windowBeats } : {}),
    info,
    measurements,
  };
}

/** Builds the report of `source` and writes it; resolves once the file is on disk. */
export async function writeReport(source: string, options: WriteReportOptions): Promise<WrittenReport> {
  const resolved = resolveSource(source);
  const input = await inputFromSource(resolved, options);
  const pdf = await buildReportPdf(input);
  const pdfPath = resolve(
    options.out ??
      (resolved.given === 'directory'
        ? join(resolved.directory, 'report.pdf')
        : join(dirname(resolved.headerPath), `${basename(resolved.headerPath, '.hea')}-report.pdf`)),
  );
  try {
    await writeFile(pdfPath, pdf);
  } catch (error) {
    throw new UsageError(`cannot write ${pdfPath}: ${errorMessage(error)}`);
  }
  const sessionId = input.info.sessionId ?? basename(resolved.headerPath, '.hea');
  return { pdfPath, bytes: pdf.byteLength, pdf, sessionId, metadata: reportMetadata(input, basename(pdfPath)) };
}

function measurementsFromSession(session: SessionFile, beatSamples: number[] | null, fsHz: number): ReportMeasurements {
  const summary = session.summary;
  const fromBeats = beatSamples ? measurementsFromBeats(beatSamples, fsHz) : emptyMeasurements();
  if (!summary) return fromBeats;
  return {
    beats: summary.beats ?? fromBeats.beats,
    heartRateBpm: summary.heart_rate_mean ?? fromBeats.heartRateBpm,
    heartRateMinBpm: summary.heart_rate_min ?? fromBeats.heartRateMinBpm,
    heartRateMaxBpm: summary.heart_rate_max ?? fromBeats.heartRateMaxBpm,
    rrMs: summary.rr_ms ?? fromBeats.rrMs,
    prMs: summary.pr_ms ?? null,
    qrsMs: summary.qrs_ms ?? null,
    qtMs: summary.qt_ms ?? null,
    qtcBazettMs: summary.qtc_ms ?? null,
    qtcFridericiaMs: summary.qtcf_ms ?? null,
    signalQuality: summary.signal_quality ?? null,
    droppedFrames: summary.dropped_frames ?? null,
    leadOffPeriods:
      summary.lead_off_periods?.map((p) => ({ startS: p.start_s, endS: p.end_s ?? p.start_s, lead: p.lead ?? null })) ?? null,
  };
}

/** R peaks from the record's `.atr` (a session's detected beats), or null when there is none. */
function readBeatSamples(headerPath: string, fsHz: number): number[] | null {
  const atrPath = headerPath.replace(/\.hea$/, '.atr');
  if (!existsSync(atrPath)) return null;
  try {
    return parseAnnotations(readFileSync(atrPath), fsHz)
      .filter((a) => isBeatCode(a.code))
      .map((a) => a.sample);
  } catch {
    return null;
  }
}

/** The header's base date and time as ISO, when it has both (WFDB: HH:MM:SS DD/MM/YYYY). */
function recordStartIso(record: WfdbRecord): string | null {
  const { baseTime, baseDate } = record.header;
  if (!baseTime || !baseDate) return null;
  const time = /^(\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?$/.exec(baseTime);
  const date = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(baseDate);
  if (!time || !date) return null;
  const iso = `${date[3]}-${date[2]!.padStart(2, '0')}-${date[1]!.padStart(2, '0')}T${time[1]!.padStart(2, '0')}:${time[2]}:${(time[3] ?? '00').padStart(2, '0')}`;
  return Number.isNaN(new Date(iso).getTime()) ? null : iso;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
