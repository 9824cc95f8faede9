import { describe, expect, it } from 'vitest';
import { dropTier, formatAgo, formatIn, uploadStatus } from '../../src/tui/format.js';
import { availableLayouts, computeLayout, displayOrder } from '../../src/tui/layout.js';
import { takeSnapshot } from '../../src/tui/live-snapshot.js';
import { HELP_LINES } from '../../src/tui/panels/help.js';
import { liveStateFixture, queueFixture } from './fixtures.js';

const TWELVE = ['I', 'II', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6', 'III', 'aVR', 'aVL', 'aVF'];

describe('layout', () => {
  it('offers 1 and 3 leads at 80x24 and every lead from 120x36 on', () => {
    expect(availableLayouts(80, 24, 12)).toEqual(['single', 'three']);
    expect(availableLayouts(200, 60, 12)).toEqual(['single', 'three', 'all']);
    expect(availableLayouts(80, 24, 1)).toEqual(['single']);
  });

  it('lays the twelve leads out in the standard 4 x 3 order', () => {
    const layout = computeLayout(200, 60, { layout: 'all', leadIndex: 0 }, TWELVE);
    expect(layout.strips.map((strip) => strip.lead)).toEqual(['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6']);
    expect(displayOrder(TWELVE)[0]).toBe(0);
  });

  it('keeps every strip inside the waveform panel and apart from the others', () => {
    for (const [cols, rows] of [
      [80, 24],
      [132, 43],
      [200, 60],
    ] as const) {
      for (const mode of availableLayouts(cols, rows, 12)) {
        const layout = computeLayout(cols, rows, { layout: mode, leadIndex: 0 }, TWELVE);
        const inner = layout.waveInner;
        const taken = new Set<number>();
        let outside = 0;
        let overlapping = 0;
        for (const { rect } of layout.strips) {
          expect(rect.height).toBeGreaterThanOrEqual(3);
          for (let y = rect.y; y < rect.y + rect.height; y++)
            for (let x = rect.x; x < rect.x + rect.width; x++) {
              if (!(x >= inner.x && x < inner.x + inner.width && y >= inner.y && y < inner.y + inner.height)) outside++;
              if (taken.has(y * cols + x)) overlapping++;
              taken.add(y * cols + x);
            }
        }
        expect({ mode, outside, overlapping }).toEqual({ mode, outside: 0, overlapping: 0 });
        expect(layout.keys.y).toBe(rows - 1);
      }
    }
  });

  it('gives a bigger terminal a wider sweep', () => {
    const small = computeLayout(80, 24, { layout: 'single', leadIndex: 0 }, ['II']).strips[0]!.rect;
    const large = computeLayout(200, 60, { layout: 'single', leadIndex: 0 }, ['II']).strips[0]!.rect;
    expect(large.width).toBeGreaterThan(small.width * 2);
  });
});

describe('dropped-frame tiers', () => {
  it('grades the recent window', () => {
    expect(dropTier({ dropped: 0, received: 5000, silenceMs: 10, uptimeMs: 60_000 })).toBe('ok');
    expect(dropTier({ dropped: 3, received: 5000, silenceMs: 10, uptimeMs: 60_000 })).toBe('some');
    expect(dropTier({ dropped: 200, received: 5000, silenceMs: 10, uptimeMs: 60_000 })).toBe('many');
    expect(dropTier({ dropped: 0, received: 5000, silenceMs: 5000, uptimeMs: 60_000 })).toBe('no-data');
    expect(dropTier({ dropped: 0, received: 0, silenceMs: null, uptimeMs: 6000 })).toBe('no-data');
    expect(dropTier({ dropped: 0, received: 0, silenceMs: null, uptimeMs: 1000 })).toBe('ok');
  });
});

describe('upload status', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  it('puts the most serious condition first', () => {
    expect(uploadStatus(queueFixture({ unauthorized: true, is_online: false }), now)).toBe('unauthorized');
    expect(uploadStatus(queueFixture({ upload_enabled: false, unauthorized: true }), now)).toBe('disabled');
    expect(uploadStatus(queueFixture({ throttled_until: '2026-01-01T12:01:00Z' }), now)).toBe('throttled');
    expect(uploadStatus(null, now)).toBe('unknown');
  });

  it('formats times relative to now', () => {
    expect(formatAgo('2026-01-01T11:58:00Z', now)).toBe('2 min ago');
    expect(formatAgo(null, now)).toBe('never');
    expect(formatIn('2026-01-01T11:58:00Z', now)).toBe('now');
    expect(formatIn('2026-01-01T12:00:42Z', now)).toBe('in 42 s');
  });
});

describe('live snapshot clocks', () => {
  it('ticks the elapsed time and the clock for relative times together, once a second', () => {
    const state = liveStateFixture();
    const startedMs = Date.parse('2026-01-01T10:00:00.700Z');
    state.info.startedAt = new Date(startedMs).toISOString();
    const at = (offsetMs: number) => {
      const { elapsedS, nowMs } = takeSnapshot(state, startedMs + offsetMs, 'OK');
      return { elapsedS, nowMs };
    };
    // 0.5 s in, the wall clock has crossed a whole second but the session has not.
    expect(at(500)).toEqual(at(100));
    expect(at(999)).toEqual(at(0));
    expect(at(1000)).toEqual({ elapsedS: 1, nowMs: startedMs + 1000 });
    expect(at(1900).nowMs - at(1900).elapsedS * 1000).toBe(startedMs);
  });
});

describe('help screen', () => {
  it('fits every line inside the waveform panel of an 80-column terminal, nothing cut off', () => {
    const { waveInner } = computeLayout(80, 24, { layout: 'single', leadIndex: 0 }, ['II']);
    for (const line of HELP_LINES) expect(line.length, line).toBeLessThanOrEqual(waveInner.width);
  });
});
