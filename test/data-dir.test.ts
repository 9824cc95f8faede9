import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findEcgDataDir } from '../src/data-dir.js';

const root = mkdtempSync(join(tmpdir(), 'ecg-data-dir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('findEcgDataDir', () => {
  it('walks up from where it starts to shared/data/ecg', () => {
    const data = join(root, 'shared', 'data', 'ecg');
    const nested = join(root, 'checkouts', 'ecg-monitor', 'dist');
    mkdirSync(data, { recursive: true });
    mkdirSync(nested, { recursive: true });
    expect(findEcgDataDir(nested, {})).toBe(data);
  });

  it('takes ECG_DATA_DIR first, and gives null when it does not exist', () => {
    expect(findEcgDataDir(root, { ECG_DATA_DIR: tmpdir() })).toBe(tmpdir());
    expect(findEcgDataDir(root, { ECG_DATA_DIR: join(root, 'missing') })).toBeNull();
  });
});
