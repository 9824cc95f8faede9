import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { backoffDelayMs, classify, parseRetryAfter, serverMessage } from '../../src/queue/policy.js';

const NOW_MS = Date.parse('2026-01-01T12:00:00Z');
const http = (status: number, body = '', retryAfter: string | null = null) =>
  ({ kind: 'http', status, body, retryAfter }) as const;

describe('classify', () => {
  it('counts every 2xx, including 200 for a known key, as delivered', () => {
    for (const status of [200, 201, 202, 204]) expect(classify(http(status), NOW_MS)).toEqual({ action: 'delivered' });
  });

  it('treats 408, 425, 429 and 5xx as transient', () => {
    for (const status of [408, 425, 429, 500, 502, 503, 504, 599]) {
      expect(classify(http(status), NOW_MS)).toMatchObject({ action: 'transient', pauseMs: null, network: false });
    }
  });

  it('treats network errors and timeouts as transient network failures', () => {
    const decision = classify({ kind: 'network', code: 'ETIMEDOUT', message: 'Timeout awaiting request' }, NOW_MS);
    expect(decision).toMatchObject({ action: 'transient', network: true });
  });

  it('pauses on 401 and 403', () => {
    expect(classify(http(401, '{"error":"bad key"}'), NOW_MS)).toEqual({ action: 'unauthorized', error: 'HTTP 401: bad key' });
    expect(classify(http(403), NOW_MS).action).toBe('unauthorized');
  });

  it('fails other 4xx at once with the server message', () => {
    expect(classify(http(422, '{"error":"invalid metrics body: t: expected number"}'), NOW_MS)).toEqual({
      action: 'permanent',
      error: 'HTTP 422: invalid metrics body: t: expected number',
    });
    expect(classify(http(404, 'no such route'), NOW_MS)).toEqual({ action: 'permanent', error: 'HTTP 404: no such route' });
  });

  it('carries a Retry-After pause on transient replies', () => {
    expect(classify(http(503, '', '7'), NOW_MS)).toMatchObject({ action: 'transient', pauseMs: 7000 });
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', NOW_MS)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', NOW_MS)).toBe(0);
  });

  it('reads an HTTP-date relative to now, never negative', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 12:00:30 GMT', NOW_MS)).toBe(30_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 11:00:00 GMT', NOW_MS)).toBe(0);
  });

  it('ignores absent or unreadable values', () => {
    for (const value of [null, undefined, '', '-5', '1.5', 'soon', 'tomorrow 10']) expect(parseRetryAfter(value, NOW_MS)).toBeNull();
  });
});

describe('backoffDelayMs', () => {
  it('stays within [0, min(cap, base * 2^(n-1))] (full jitter)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (attempt, draw) => {
        const delayMs = backoffDelayMs(attempt, { baseMs: 1000, capMs: 60_000, random: () => draw });
        const ceilingMs = Math.min(60_000, 1000 * 2 ** (attempt - 1));
        return delayMs >= 0 && delayMs < ceilingMs + 1 && Number.isInteger(delayMs);
      }),
    );
  });

  it('grows with the attempt number', () => {
    const top = (attempt: number) => backoffDelayMs(attempt, { baseMs: 100, capMs: 1e9, random: () => 0.999 });
    expect(top(1)).toBeLessThan(top(2));
    expect(top(2)).toBeLessThan(top(5));
    expect(backoffDelayMs(3, { random: () => 0 })).toBe(0);
  });
});

describe('serverMessage', () => {
  it('takes the message out of common JSON shapes and shortens long text', () => {
    expect(serverMessage('{"message":"nope"}')).toBe('nope');
    expect(serverMessage('{"error":{"message":"deep"}}')).toBe('deep');
    expect(serverMessage('plain\n text')).toBe('plain text');
    expect(serverMessage('x'.repeat(1000)).length).toBeLessThan(310);
  });
});
