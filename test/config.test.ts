import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, redactConfig } from '../src/config.js';
import { UsageError } from '../src/errors.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ecg-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('configuration (CONTRACTS section 2)', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({ env: {}, cwd: dir })).toEqual({
      uploadEnabled: false,
      apiUrl: null,
      apiKey: null,
      caFile: null,
      queueDir: join(dir, 'offline_queue'),
      syncIntervalS: 30,
      maxRetries: 5,
      syncBatchSize: 10,
      syncedKeep: 100,
    });
  });

  it('takes a flag over the environment, the environment over .env, .env over the default', () => {
    writeFileSync(join(dir, '.env'), 'ECG_QUEUE_DIR=from-dotenv\nMAX_RETRIES=7\nSYNC_BATCH_SIZE=3\n');
    const env = { ECG_QUEUE_DIR: 'from-env', MAX_RETRIES: '9' };
    const config = loadConfig({ env, cwd: dir, flags: { queueDir: 'from-flag' } });
    expect(config).toMatchObject({ queueDir: join(dir, 'from-flag'), maxRetries: 9, syncBatchSize: 3, syncedKeep: 100 });
    expect(loadConfig({ env, cwd: dir }).queueDir).toBe(join(dir, 'from-env'));
  });

  it('reads --env-file instead of ./.env, and refuses a missing one', () => {
    writeFileSync(join(dir, '.env'), 'SYNC_INTERVAL_S=11\n');
    writeFileSync(join(dir, 'lab.env'), 'SYNC_INTERVAL_S=12\n');
    expect(loadConfig({ env: {}, cwd: dir, envFile: 'lab.env' }).syncIntervalS).toBe(12);
    expect(() => loadConfig({ env: {}, cwd: dir, envFile: 'missing.env' })).toThrow(UsageError);
  });

  it('names the variable of a bad value, as a usage error (exit 2)', () => {
    // BACKEND_UPLOAD_ENABLED=true alone: uploads on with nowhere to send them.
    const bad = [['BACKEND_UPLOAD_ENABLED', 'maybe'], ['BACKEND_UPLOAD_ENABLED', 'true'], ['BACKEND_API_URL', 'ftp://x'], ['MAX_RETRIES', '0'], ['BACKEND_CA_FILE', 'missing-ca.pem']];
    for (const [variable, value] of bad) {
      let thrown: unknown = null;
      try {
        loadConfig({ env: { [variable!]: value }, cwd: dir });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(UsageError);
      expect((thrown as UsageError).exitCode).toBe(2);
      expect((thrown as Error).message).toContain(variable);
    }
  });

  it('leaves the upload settings unchecked for a command that never uploads (the reference backend)', () => {
    const env = { BACKEND_UPLOAD_ENABLED: 'true', BACKEND_CA_FILE: 'missing-ca.pem', BACKEND_API_KEY: 'k-9' };
    expect(() => loadConfig({ env, cwd: dir })).toThrow(UsageError);
    expect(loadConfig({ env, cwd: dir, uploads: false }).apiKey).toBe('k-9');
  });

  it('never shows the API key', () => {
    const config = loadConfig({ env: { BACKEND_API_KEY: 'k-123' }, cwd: dir });
    expect(config.apiKey).toBe('k-123');
    expect(JSON.stringify(redactConfig(config))).not.toContain('k-123');
  });
});
