/**
 * The real binary's TUI in tmux at 80x24 with `--simulate`: the screen is captured, keys are
 * sent, and `q` ends the session cleanly. Run `npx tsc -p .` first.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { BIN, countByType, queueList, tempDir, waitFor } from '../session/e2e-helpers.js';

const socket = `ecg-record-tui-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', 'rec');
const paneFlag = (name: string) => tmux('display-message', '-p', '-t', 'rec', `#{${name}}`).trim();

const temp = tempDir('tui');
afterAll(() => {
  try {
    tmux('kill-server');
  } catch {
    // already gone
  }
  temp.remove();
});

test('record --simulate in tmux: panels, keys, clean exit on q', async () => {
  const queueDir = join(temp.dir, 'queue');
  const exitFile = join(temp.dir, 'exit');
  const command =
    `cd ${temp.dir} && ECG_LOG_FILE=${join(temp.dir, 'ecg.log')} ${process.execPath} ${BIN} record --simulate synthetic --protocol openbci ` +
    `--session-id tui --queue-dir ${queueDir} --out ${join(temp.dir, 'out')}; echo $? > ${exitFile}; sleep 5`;
  tmux('new-session', '-d', '-s', 'rec', '-x', '80', '-y', '24', command);
  tmux('set-option', '-t', 'rec', 'remain-on-exit', 'on');

  // A heart rate has been measured once RR shows a number.
  // A loaded CI machine can take a while to start node and the first beats.
  const first = await waitFor('the metrics on screen', () => {
    const text = screen();
    return /RR\s+\d+ ms/.test(text) ? text : null;
  }, 60_000).catch((error) => {
    throw new Error(`${error}\n${screen()}`);
  });
  const lines = first.split('\n');
  expect(lines.length).toBeGreaterThanOrEqual(24);
  expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(80);
  expect(first).toMatch(/─ II ─ 10 mm\/mV/);
  expect(first).toContain('Metrics');
  expect(first).toContain('Upload queue');
  expect(first).toMatch(/pending \d+/);
  expect(first).toMatch(/openbci 250 Hz/);
  expect(first).toMatch(/s sync .*q quit/);

  tmux('send-keys', '-t', 'rec', 'l');
  await waitFor('the next lead', () => !/─ II ─/.test(screen().split('\n')[0]!));
  tmux('send-keys', '-t', 'rec', '+');
  await waitFor('the gain step', () => /20 mm\/mV/.test(screen()));
  tmux('send-keys', '-t', 'rec', '?');
  await waitFor('the help', () => /sync now/.test(screen()));
  tmux('send-keys', '-t', 'rec', '?');
  await waitFor('the help to close', () => !/sync now/.test(screen()));
  tmux('send-keys', '-t', 'rec', 's');
  await waitFor('the sync notice', () => /sync pass done/.test(screen()));

  tmux('send-keys', '-t', 'rec', 'r');
  await waitFor('the report notice', () => /report written: /.test(screen()), 60_000);

  tmux('send-keys', '-t', 'rec', 'q');
  await waitFor('the process to end', () => existsSync(exitFile) && readFileSync(exitFile, 'utf8').trim() !== '', 20_000);
  expect(readFileSync(exitFile, 'utf8').trim()).toBe('0');
  // The recorder is gone (the shell moved on) and the terminal is given back: main screen, cursor shown.
  expect(paneFlag('alternate_on')).toBe('0');
  expect(paneFlag('cursor_flag')).toBe('1');
  expect(screen()).toMatch(/session tui ended: [\d.]+ s, \d+ beats/);

  const counts = countByType(await queueList(temp.dir, queueDir));
  expect(counts.session_start).toBe(1);
  expect(counts.session_end).toBe(1);
  expect(counts.report).toBe(1);
  const pdfs = readdirSync(join(temp.dir, 'out', 'tui')).filter((name) => name.endsWith('.pdf'));
  expect(pdfs).toHaveLength(1);
  expect(readFileSync(join(temp.dir, 'out', 'tui', pdfs[0]!)).subarray(0, 5).toString()).toBe('%PDF-');
  const session = JSON.parse(readFileSync(join(temp.dir, 'out', 'tui', 'session.json'), 'utf8'));
  expect(session.ended_at).toEqual(expect.any(String));
  expect(session.summary.beats).toBeGreaterThan(3);
}, 150_000);
