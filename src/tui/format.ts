import type { QueueStats } from '../queue/types.js';
import { NO_DATA_MS } from '../session/types.js';

/** Milliseconds as a whole number, or dashes when not measurable. */
export function formatMs(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '---' : String(Math.round(value));
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

/** A duration in seconds as "42 s", "3 min", "2 h 05 min". */
export function formatSpan(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** Elapsed session time as hh:mm:ss. */
export function formatClock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

export function formatAgo(iso: string | null, nowMs: number): string {
  if (iso === null) return 'never';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return 'never';
  return `${formatSpan((nowMs - at) / 1000)} ago`;
}

export function formatIn(iso: string | null, nowMs: number): string {
  if (iso === null) return '-';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '-';
  return at <= nowMs ? 'now' : `in ${formatSpan((at - nowMs) / 1000)}`;
}

// ---- upload status ------------------------------------------------------------------------

export type UploadStatus = 'disabled' | 'unauthorized' | 'throttled' | 'online' | 'offline' | 'unknown';

/** The one word the queue panel leads with; the most serious condition wins. */
export function uploadStatus(queue: QueueStats | null, nowMs: number): UploadStatus {
  if (queue === null) return 'unknown';
  if (!queue.upload_enabled) return 'disabled';
  if (queue.unauthorized) return 'unauthorized';
  if (queue.throttled_until !== null && Date.parse(queue.throttled_until) > nowMs) return 'throttled';
  return queue.is_online ? 'online' : 'offline';
}

export const UPLOAD_STATUS_TEXT: Record<UploadStatus, string> = {
  disabled: 'upload off (offline mode)',
  unauthorized: 'UNAUTHORIZED: check API key',
  throttled: 'THROTTLED by server',
  online: 'online',
  offline: 'OFFLINE, queueing',
  unknown: 'starting…',
};

// ---- dropped-frame tiers ------------------------------------------------------------------

export type DropTier = 'ok' | 'some' | 'many' | 'no-data';

/** Share of frames lost, over the recent window, from which "some" becomes "many". */
export const MANY_DROPPED_RATIO = 0.01;

export interface DropWindow {
  /** Frames dropped within the window. */
  dropped: number;
  /** Samples received within the window. */
  received: number;
  /** ms since the last sample arrived; null when none ever did. */
  silenceMs: number | null;
  /** ms since the display started, for the case of a device that never sent anything. */
  uptimeMs: number;
}

export function dropTier(window: DropWindow): DropTier {
  const silence = window.silenceMs ?? window.uptimeMs;
  if (silence >= NO_DATA_MS) return 'no-data';
  if (window.dropped <= 0) return 'ok';
  return window.dropped / (window.dropped + window.received) < MANY_DROPPED_RATIO ? 'some' : 'many';
}

export const DROP_TIER_TEXT: Record<DropTier, string> = {
  ok: 'OK',
  some: 'some',
  many: 'MANY',
  'no-data': 'NO DATA 5 s',
};

export type QualityWord = 'good' | 'fair' | 'poor';

export function qualityWord(signalQuality: number): QualityWord {
  return signalQuality >= 0.8 ? 'good' : signalQuality >= 0.5 ? 'fair' : 'poor';
}

/** Measured rate more than this fraction away from nominal is flagged. */
export const RATE_TOLERANCE = 0.02;

export function rateIsOff(measuredHz: number | null, nominalHz: number): boolean {
  return measuredHz !== null && nominalHz > 0 && Math.abs(measuredHz - nominalHz) / nominalHz > RATE_TOLERANCE;
}

/** Fits text to exactly `width` cells (all TUI text is one cell per character). */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length > width) return width > 1 ? `${text.slice(0, width - 1)}…` : text.slice(0, width);
  return text.padEnd(width);
}
