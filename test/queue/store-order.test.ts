import { describe, expect, it } from 'vitest';
import { compareSendOrder, emptySnapshot, IndexState, type ItemRecord, type JournalOp } from '../../src/queue/index-state.js';
import { ITEM_TYPES } from '../../src/queue/types.js';

/** Every due pending item, sorted the slow and obvious way. */
function bruteForceDue(state: IndexState, nowIso: string, limit: number, accept: (r: ItemRecord) => boolean): string[] {
  return [...state.items.values()]
    .filter((r) => r.state === 'pending' && (r.next_attempt_at == null || r.next_attempt_at <= nowIso))
    .sort(compareSendOrder)
    .filter(accept)
    .slice(0, limit)
    .map((r) => r.id);
}

describe('the pending order behind due()', () => {
  it('agrees with a full sort through thousands of random operations, bulk retries and reloads', () => {
    let seed = 12345;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const pickIds = (state: IndexState, wanted: ItemRecord['state'], count: number): string[] => {
      const ids = [...state.items.values()].filter((r) => r.state === wanted).map((r) => r.id);
      return Array.from({ length: Math.min(count, ids.length) }, () => ids[Math.floor(random() * ids.length)]!);
    };
    let state = new IndexState(emptySnapshot());
    const base = Date.UTC(2030, 0, 1);
    let clockMs = base;
    for (let step = 0; step < 10000; step += 1) {
      clockMs += Math.floor(random() * 3);
      const roll = random();
      const ops: JournalOp[] = [];
      if (roll < 0.5) {
        // Equal timestamps happen: ties must fall back to journal order.
        const queuedAt = new Date(clockMs - (random() < 0.1 ? 5000 : 0)).toISOString();
        ops.push({ op: 'add', item: { id: `i${step}`, type: random() < 0.7 ? 'metrics' : ITEM_TYPES[Math.floor(random() * 5)]!, state: 'pending', queued_at: queuedAt, bytes: 10 } });
      } else if (roll < 0.58) {
        ops.push({ op: 'inflight', ids: pickIds(state, 'pending', 25), owner: 'test' });
      } else if (roll < 0.66) {
        ops.push({ op: 'release', ids: pickIds(state, 'inflight', 12) });
      } else if (roll < 0.76) {
        for (const id of pickIds(state, 'inflight', 2)) ops.push({ op: 'synced', id, at: new Date(clockMs).toISOString() });
      } else if (roll < 0.82) {
        for (const id of pickIds(state, 'inflight', 8)) ops.push({ op: 'failed', id, error: 'x' });
      } else if (roll < 0.93) {
        for (const id of pickIds(state, 'inflight', 2)) {
          const later = random() < 0.3 ? null : new Date(clockMs + Math.floor(random() * 4000)).toISOString();
          ops.push({ op: 'reschedule', id, error: 'e', next_attempt_at: later, count_attempt: true });
        }
      } else if (roll < 0.94) {
        ops.push({ op: 'retry', ids: pickIds(state, 'failed', 2000) });
      } else if (roll < 0.97) {
        ops.push({ op: 'drop', ids: pickIds(state, 'synced', 50) });
      } else if (roll < 0.9705) {
        // A process loading the same index from its snapshot must see the same order.
        state = new IndexState(JSON.parse(JSON.stringify(state.toSnapshot(1))));
      }
      for (const op of ops) state.apply(op);
      if (step % 25 === 0) {
        const nowIso = new Date(clockMs + Math.floor(random() * 3000)).toISOString();
        const limit = random() < 0.3 ? 1e6 : 1 + Math.floor(random() * 12); // sometimes everything, late arrivals included
        const accept = random() < 0.5 ? () => true : (r: ItemRecord) => r.type !== 'metrics';
        const fast = state.pending.due(nowIso, limit, accept).map((r) => r.id);
        expect(fast, `step ${step}`).toEqual(bruteForceDue(state, nowIso, limit, accept));
      }
    }
    expect(state.items.size).toBeGreaterThan(1000);
  });

  it('stays right when most of a long queue is sent from the middle, and when thousands come back', () => {
    const state = new IndexState(emptySnapshot());
    const at = (n: number) => new Date(Date.UTC(2030, 0, 1) + n * 1000).toISOString();
    for (let n = 0; n < 3000; n += 1) {
      state.apply({ op: 'add', item: { id: `m${n}`, type: 'metrics', state: 'pending', queued_at: at(n), bytes: 1 } });
    }
    const sent = [...Array(3000).keys()].filter((n) => n % 3 !== 0).map((n) => `m${n}`);
    state.apply({ op: 'inflight', ids: sent, owner: 'test' });
    const all = (r: ItemRecord) => r.type === 'metrics';
    const nowIso = at(10_000);
    expect(state.pending.due(nowIso, 1e6, all).map((r) => r.id)).toEqual(bruteForceDue(state, nowIso, 1e6, all));
    // They come back (offline), older than everything still queued: merged back in age order.
    state.apply({ op: 'release', ids: sent });
    expect(state.pending.due(nowIso, 1e6, all).map((r) => r.id)).toEqual(bruteForceDue(state, nowIso, 1e6, all));
    expect(state.pending.due(nowIso, 3, all).map((r) => r.id)).toEqual(['m0', 'm1', 'm2']);
  });
});

