/** The `metadata` JSON part of a report upload (CONTRACTS section 3, type `report`). */
import { VERSION } from '../version.js';
import type { ReportInput } from './types.js';

export interface ReportMetadata {
  session_id: string | null;
  filename: string;
  generated_at: string;
  software_version: string;
  paper: string;
  window_start_s: number;
  window_s: number;
  sample_rate_hz: number;
  leads: string[];
  heart_rate: number | null;
}

export function reportMetadata(input: ReportInput, filename: string, now: Date = new Date()): ReportMetadata {
  const samples = input.leads[0]?.uV.length ?? 0;
  return {
    session_id: input.info.sessionId,
    filename,
    generated_at: now.toISOString(),
    software_version: VERSION,
    paper: input.paper,
    window_start_s: round3(input.windowStartS),
    window_s: round3(samples / input.fsHz),
    sample_rate_hz: input.fsHz,
    leads: input.leads.map((lead) => lead.name),
    heart_rate: input.measurements.heartRateBpm === null ? null : Math.round(input.measurements.heartRateBpm),
  };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
