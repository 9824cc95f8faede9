import { z } from 'zod';
import type { ItemType } from '../queue/types.js';

/**
 * Request bodies of the backend API (CONTRACTS section 3). The reference backend answers 422 when
 * one does not match; `queue push` checks the same shapes so a bad body is refused before it is queued.
 */
const isoTime = z.string().min(1).refine((text) => !Number.isNaN(Date.parse(text)), { message: 'expected an ISO-8601 time' });
const measurement = z.number().finite().nullable().optional();
const leadName = z.string().min(1).max(16);

const sessionStart = z.object({
  session_id: z.string().min(1).max(200),
  device_serial: z.string().nullable().optional(),
  started_at: isoTime,
  patient_id: z.string().nullable().optional(),
  operator: z.string().nullable().optional(),
  protocol: z.string().min(1),
  sample_rate_hz: z.number().positive().finite(),
  leads: z.array(leadName).min(1),
});

const sessionEnd = z.object({
  ended_at: isoTime,
  summary: z.record(z.string(), z.unknown()),
});

const waveform = z.object({
  start_sample: z.number().int().min(0),
  started_at: isoTime,
  sample_rate_hz: z.number().positive().finite(),
  units: z.literal('uV'),
  leads: z.record(leadName, z.array(z.number().int())),
});

const metrics = z.object({
  t: z.number().finite(),
  heart_rate: measurement,
  rr_ms: measurement,
  pr_ms: measurement,
  qrs_ms: measurement,
  qt_ms: measurement,
  qtc_ms: measurement,
  signal_quality: z.number().min(0).max(1).nullable().optional(),
});

const reportMetadata = z.record(z.string(), z.unknown());

const SCHEMAS: Record<ItemType, z.ZodType> = {
  session_start: sessionStart,
  session_end: sessionEnd,
  waveform,
  metrics,
  report: reportMetadata,
};

/** Null when `body` is a valid JSON body for `type` (for a report: its metadata), else what is wrong. */
export function bodyProblem(type: ItemType, body: unknown): string | null {
  const result = SCHEMAS[type].safeParse(body);
  if (result.success) return null;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
  return `invalid ${type} body: ${where}: ${issue?.message ?? 'bad value'}`;
}

/** PDF files start with `%PDF-` (ISO 32000-1, 7.5.2). */
export function looksLikePdf(bytes: Uint8Array): boolean {
  return bytes.length >= 5 && Buffer.from(bytes.subarray(0, 5)).toString('latin1') === '%PDF-';
}
