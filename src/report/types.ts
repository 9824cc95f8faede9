/** What a report shows; built from a session directory, a WFDB record or the live session. */

export type Paper = 'a4' | 'letter';

/** One lead of the shown window, in µV at `fsHz`, already filtered for display. */
export interface LeadTrace {
  name: string;
  uV: Float32Array;
}

export interface LeadOffPeriod {
  startS: number;
  endS: number;
  lead: string | null;
}

/** Who, what and how; every field may be unknown (printed as "—"). */
export interface ReportInfo {
  sessionId: string | null;
  patientId: string | null;
  operator: string | null;
  protocol: string | null;
  source: string | null;
  deviceSerial: string | null;
  sampleRateHz: number | null;
  /** ISO-8601 start of the recording. */
  startedAt: string | null;
  durationS: number | null;
  filter: 'monitor' | 'diagnostic' | null;
  mainsHz: 50 | 60 | null;
}

/** Computer measurements; null = not measured (printed as "—"). */
export interface ReportMeasurements {
  beats: number | null;
  heartRateBpm: number | null;
  heartRateMinBpm: number | null;
  heartRateMaxBpm: number | null;
  rrMs: number | null;
  prMs: number | null;
  qrsMs: number | null;
  qtMs: number | null;
  qtcBazettMs: number | null;
  qtcFridericiaMs: number | null;
  /** 0 (unusable) .. 1 (clean). */
  signalQuality: number | null;
  droppedFrames: number | null;
  leadOffPeriods: LeadOffPeriod[] | null;
}

export interface ReportInput {
  paper: Paper;
  fsHz: number;
  /** Signals of the shown window (normally 10 s), all the same length. */
  leads: LeadTrace[];
  /** Where the window starts, in seconds since the start of the recording. */
  windowStartS: number;
  /** R peaks inside the window, in samples from the window start (optional beat marks). */
  beatSamples?: number[];
  info: ReportInfo;
  measurements: ReportMeasurements;
}

export function emptyInfo(): ReportInfo {
  return {
    sessionId: null,
    patientId: null,
    operator: null,
    protocol: null,
    source: null,
    deviceSerial: null,
    sampleRateHz: null,
    startedAt: null,
    durationS: null,
    filter: null,
    mainsHz: null,
  };
}

export function emptyMeasurements(): ReportMeasurements {
  return {
    beats: null,
    heartRateBpm: null,
    heartRateMinBpm: null,
    heartRateMaxBpm: null,
    rrMs: null,
    prMs: null,
    qrsMs: null,
    qtMs: null,
    qtcBazettMs: null,
    qtcFridericiaMs: null,
    signalQuality: null,
    droppedFrames: null,
    leadOffPeriods: null,
  };
}
