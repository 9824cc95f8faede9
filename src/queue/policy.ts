/**
 * What a reply means for the queue (CONTRACTS section 3): delivered, retry later, pause, or give up.
 * Pure functions; the sync loop applies the decisions to the store.
 */

/** What one HTTP attempt produced, as the uploader reports it. */
export type Outcome =
  | { kind: 'http'; status: number; body: string; retryAfter: string | null }
  /** No HTTP reply: refused, reset, DNS, TLS or a timeout. `code` is the system or got error code. */
  | { kind: 'network'; code: string; message: string }
  /** The item cannot be turned into a request at all (e.g. no session id for a session route). */
  | { kind: 'invalid'; message: string };

export type Decision =
  | { action: 'delivered' }
  /** Retry later with backoff; `pauseMs` set when the server asked the whole queue to wait. */
  | { action: 'transient'; error: string; pauseMs: number | null; network: boolean }
  /** The key was refused: pause uploading, spend no attempts. */
  | { action: 'unauthorized'; error: string }
  /** Will never succeed as sent: the item fails at once. */
  | { action: 'permanent'; error: string };

const TRANSIENT_STATUSES = new Set([408, 425, 429]);
const MESSAGE_MAX_CHARS = 300;

export function classify(outcome: Outcome, nowMs: number): Decision {
  if (outcome.kind === 'invalid') return { action: 'permanent', error: outcome.message };
  if (outcome.kind === 'network') {
    return { action: 'transient', error: `${outcome.code}: ${outcome.message}`, pauseMs: null, network: true };
  }
  const { status } = outcome;
  if (status >= 200 && status < 300) return { action: 'delivered' };
  const error = `HTTP ${status}: ${serverMessage(outcome.body) || 'no message'}`;
  if (status === 401 || status === 403) return { action: 'unauthorized', error };
  if (TRANSIENT_STATUSES.has(status) || status >= 500) {
    return { action: 'transient', error, pauseMs: parseRetryAfter(outcome.retryAfter, nowMs), network: false };
  }
  return { action: 'permanent', error };
}

/**
 * Full jitter (AWS architecture blog, "Exponential Backoff and Jitter"): a uniform delay in
 * [0, min(cap, base * 2^(attempt-1))], so many clients retrying at once spread out.
 */
export function backoffDelayMs(
  attempt: number,
  options: { baseMs?: number; capMs?: number; random?: () => number } = {},
): number {
  const baseMs = options.baseMs ?? 1_000;
  const capMs = options.capMs ?? 5 * 60_000;
  const random = options.random ?? Math.random;
  const ceilingMs = Math.min(capMs, baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.floor(random() * ceilingMs);
}

/** `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 10.2.3); null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | null {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  if (text === '') return null;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Only date forms count; Date.parse would also accept plain words like "tomorrow 10".
  if (!/\d{4}|GMT/i.test(text)) return null;
  const atMs = Date.parse(text);
  if (Number.isNaN(atMs)) return null;
  return Math.max(0, atMs - nowMs);
}

/** The server's own words from an error body (`{"error": ...}`, `{"message": ...}` or plain text), shortened. */
export function serverMessage(body: string): string {
  const text = body.trim();
  let message = text;
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      const field = parsed.error ?? parsed.message ?? parsed.detail;
      if (typeof field === 'string') message = field;
      else if (field && typeof field === 'object' && typeof (field as { message?: unknown }).message === 'string') {
        message = (field as { message: string }).message;
      }
    } catch {
      // Not JSON after all: keep the text.
    }
  }
  message = message.replace(/\s+/g, ' ');
  return message.length > MESSAGE_MAX_CHARS ? `${message.slice(0, MESSAGE_MAX_CHARS)}…` : message;
}
