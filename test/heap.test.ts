import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const HEAP_MODULE = join(import.meta.dirname, '..', 'dist', 'heap.js');

/** The young generation's size (MB) in a fresh Node after `command`'s heap tuning and a burst of short-lived garbage. */
function newSpaceMbAfterGarbage(command: string): number {
  const script = `
    const { tuneV8For } = await import(${JSON.stringify(HEAP_MODULE)});
    const { getHeapSpaceStatistics } = await import('node:v8');
    tuneV8For(${JSON.stringify(command)});
    let kept = [];
    for (let i = 0; i < 3e6; i += 1) { kept.push({ i, list: [i] }); if (kept.length > 20000) kept = []; }
    const space = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    process.stdout.write(String(space.space_size / 1e6));
  `;
  return Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
}

describe('heap tuning per command', () => {
  it('keeps the young generation at its initial size for a long-running command, and lets a batch command grow it', () => {
    const recordMb = newSpaceMbAfterGarbage('record');
    const analyzeMb = newSpaceMbAfterGarbage('analyze');
    expect(recordMb).toBeLessThanOrEqual(4);
    expect(analyzeMb).toBeGreaterThan(recordMb * 2);
  });
});
