/** Printed words for report values; anything unknown is an em dash. */
import { FILTER_BANDS } from '../dsp/filters.js';
import type { LeadOffPeriod, ReportInfo } from './types.js';

export const MISSING = '—';

export function whole(value: number | null | undefined, unit: string): string {
  return value === null || value === undefined || !Number.isFinite(value) ? MISSING : `${Math.round(value)} ${unit}`;
}

export function heartRateText(mean: number | null, min: number | null, max: number | null): string {
  const text = whole(mean, 'bpm');
  if (text === MISSING || min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) return text;
  return `${text} (${Math.round(min)}–${Math.round(max)})`;
}

export function qualityText(quality: number | null): string {
  if (quality === null || !Number.isFinite(quality)) return MISSING;
  const clamped = Math.min(1, Math.max(0, quality));
  const word = clamped >= 0.8 ? 'good' : clamped >= 0.5 ? 'fair' : 'poor';
  return `${Math.round(clamped * 100)} % (${word})`;
}

export function countText(count: number | null): string {
  return count === null || !Number.isFinite(count) ? MISSING : String(Math.round(count));
}

const MAX_LISTED_LEAD_OFF = 3;

export function leadOffText(periods: LeadOffPeriod[] | null): string {
  if (periods === null) return MISSING;
  if (periods.length === 0) return 'none';
  const listed = periods.slice(0, MAX_LISTED_LEAD_OFF).map((p) => `${p.startS.toFixed(1)}–${p.endS.toFixed(1)} s${p.lead ? ` (${p.lead})` : ''}`);
  const more = periods.length - listed.length;
  return `${periods.length}: ${listed.join(', ')}${more > 0 ? `, +${more} more` : ''}`;
}

/** "monitor 0.5–40 Hz, notch 50 Hz", in the words printed on the page. */
export function filterText(info: Pick<ReportInfo, 'filter' | 'mainsHz'>): string {
  const notch = info.mainsHz === null ? 'no notch' : `notch ${info.mainsHz} Hz`;
  if (info.filter === null) return `unfiltered, ${notch}`;
  const band = FILTER_BANDS[info.filter];
  return `${info.filter} ${band.highPassHz}–${band.lowPassHz} Hz, ${notch}`;
}

export function durationText(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return MISSING;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h} h ${m} min ${s} s`;
  if (m > 0) return `${m} min ${s} s`;
  return `${(Math.round(seconds * 10) / 10).toString()} s`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Local wall-clock time with its UTC offset, e.g. "2026-11-24 16:05:09 UTC+01:00". */
export function dateTimeText(iso: string | null): string {
  if (iso === null) return MISSING;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const offsetMin = -date.getTimezoneOffset();
  const sign = offsetMin >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMin);
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())} UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

/** Free text from the user or a device is cut here, so the header never pushes the paper off the page. */
const MAX_FIELD_CHARS = 64;

function clip(text: string): string {
  return text.length <= MAX_FIELD_CHARS ? text : `${text.slice(0, MAX_FIELD_CHARS - 1)}…`;
}

export function deviceText(info: Pick<ReportInfo, 'protocol' | 'source' | 'deviceSerial'>): string {
  const parts = [info.protocol, info.source, info.deviceSerial ? `serial ${info.deviceSerial}` : null].filter(
    (p): p is string => p !== null && p !== '',
  );
  return parts.length === 0 ? MISSING : clip(parts.join(', '));
}

export function orMissing(text: string | null | undefined): string {
  return text === null || text === undefined || text === '' ? MISSING : clip(text);
}
