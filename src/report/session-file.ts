/** `session.json` as the recorder writes it, read tolerantly: a missing or odd field becomes null. */
import { z } from 'zod';

const num = z.number().finite().nullish().catch(null);
const str = z.string().nullish().catch(null);

const leadOffPeriod = z
  .object({ start_s: z.number(), end_s: z.number().nullish(), lead: z.string().nullish() })
  .passthrough();

const summarySchema = z
  .object({
    beats: num,
    heart_rate_mean: num,
    heart_rate_min: num,
    heart_rate_max: num,
    rr_ms: num,
    pr_ms: num,
    qrs_ms: num,
    qt_ms: num,
    qtc_ms: num,
    qtcf_ms: num,
    signal_quality: num,
    dropped_frames: num,
    lead_off_periods: z.array(leadOffPeriod).nullish().catch(null),
  })
  .passthrough();

export const sessionFileSchema = z
  .object({
    session_id: str,
    started_at: str,
    ended_at: str,
    duration_s: num,
    device: z
      .object({ protocol: str, source: str, serial: str })
      .passthrough()
      .nullish()
      .catch(null),
    sample_rate_hz: num,
    leads: z.array(z.string()).nullish().catch(null),
    filter: z.enum(['monitor', 'diagnostic']).nullish().catch(null),
    mains_hz: z.union([z.literal(50), z.literal(60)]).nullish().catch(null),
    patient_id: str,
    operator: str,
    summary: summarySchema.nullish().catch(null),
  })
  .passthrough();

export type SessionFile = z.infer<typeof sessionFileSchema>;

/** Parses the text of `session.json`; throws a one-line error when it is not a JSON object. */
export function parseSessionFile(text: string): SessionFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`session.json is not valid JSON (${(error as Error).message})`);
  }
  const parsed = sessionFileSchema.safeParse(raw);
  if (!parsed.success) throw new Error('session.json is not a JSON object');
  return parsed.data;
}
