import { describe, expect, it } from 'vitest';
import { evaluateQtdb, printAccuracy, qtdbDir } from './intervals-helpers.js';

const dir = qtdbDir();
if (dir === null) console.log('intervals-qtdb: skipped, shared ECG data (qtdb/) not found; set ECG_DATA_DIR');

describe.skipIf(dir === null)('intervals on the QT Database vs the .q1c manual marks', () => {
  it('first signal, reference beats', () => {
    const result = evaluateQtdb(dir!, 0, 'reference');
    printAccuracy('QTDB signal 0, .atr beats', result);
    expect(result.qt.n).toBeGreaterThanOrEqual(30);
  });
});
