import { PassThrough, Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { gridLines } from '../../src/tui/grid.js';
import { startTui, type TuiHandle } from '../../src/tui/index.js';
import { computeLayout } from '../../src/tui/layout.js';
import { liveStateFixture, recordingCommands } from './fixtures.js';
import { VirtualTerminal } from './virtual-terminal.js';

/** A terminal for startTui: what is written goes through the virtual terminal. */
function fakeTerminal(cols: number, rows: number, linkDelayMs = 0) {
  const terminal = new VirtualTerminal(cols, rows);
  const written: string[] = [];
  const stdout = new Writable({
    decodeStrings: false,
    // With a delay, a link that takes each write slowly: write() reports back-pressure.
    highWaterMark: linkDelayMs > 0 ? 1 : 16384,
    write(chunk: string, _encoding, callback) {
      written.push(chunk);
      terminal.write(chunk);
      if (linkDelayMs > 0) setTimeout(callback, linkDelayMs);
      else callback();
    },
  }) as Writable & { columns: number; rows: number };
  stdout.columns = cols;
  stdout.rows = rows;
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined, ref: () => undefined, unref: () => undefined });
  stdin.setEncoding('utf8');
  return { terminal, written, stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream };
}

function feed(state: ReturnType<typeof liveStateFixture>, seconds: number): void {
  const rateHz = state.info.nominalRateHz;
  const count = Math.round(seconds * rateHz);
  for (const trace of state.traces) {
    for (let i = 0; i < count; i++) {
      const sample = trace.written + i;
      // A 1.2 mV spike once a second on a flat baseline.
      trace.samples[sample % trace.samples.length] = sample % rateHz < 5 ? 1200 : 0;
    }
    trace.written += count;
  }
  const written = state.traces[0]!.written;
  state.beatSamples = [];
  for (let beat = 0; beat < written; beat += rateHz) state.beatSamples.push(beat + 2);
  state.device.lastSampleAtMs = Date.now();
  state.revision++;
}

let tui: TuiHandle | null = null;
afterEach(() => {
  tui?.unmount();
  tui = null;
});

describe('live screen (Ink panels + trace compositor)', () => {
  it('draws panels and the trace into their places on the terminal, and exits cleanly on q', async () => {
    const state = liveStateFixture(['I', 'II', 'III']);
    const { commands, calls } = recordingCommands();
    const term = fakeTerminal(80, 24);
    tui = startTui(state, commands, { stdout: term.stdout, stdin: term.stdin, fps: 20 });
    feed(state, 2);
    const layout = computeLayout(80, 24, { layout: 'single', leadIndex: 1 }, ['I', 'II', 'III']);
    const strip = layout.strips[0]!.rect;
    const screen = () => gridLines(term.terminal.screen);
    await vi.waitFor(() => {
      const lines = screen();
      expect(lines[0]).toMatch(/^┌─ II ─ 10 mm\/mV/);
      expect(lines[23]).toContain('q quit');
      expect(lines.join('\n')).toContain('RR   833 ms');
      // The trace is braille inside the strip; beat marks on the row above it.
      const traceText = lines.slice(strip.y + 1, strip.y + strip.height).join('');
      expect(traceText).toMatch(/[\u2801-\u28ff]/);
      expect(lines[strip.y]!.slice(strip.x, strip.x + strip.width)).toContain('v');
    });
    // The strip sits exactly inside the border Ink drew around it.
    const lines = screen();
    expect(lines[strip.y - 1]![strip.x]).toBe('─');
    expect(lines[strip.y]![strip.x - 1]).toBe('│');
    expect(lines[strip.y + strip.height]![strip.x]).toBe('─');
    expect(lines[strip.y + strip.height - 1]![strip.x + strip.width]).toBe('│');

    // Another second of samples changes only a few columns: far fewer bytes than the screen.
    const before = term.written.join('').length;
    feed(state, 0.1);
    await vi.waitFor(() => expect(term.written.join('').length).toBeGreaterThan(before));

    (term.stdin as unknown as PassThrough).write('q');
    await tui.waitUntilExit();
    expect(calls).toContain('quit');
    expect(term.written.join('')).toMatch(/\x1b\[\?1049l$/);
  });

  it('sends a small diff per frame once the screen is drawn', async () => {
    const state = liveStateFixture(['II']);
    const { commands } = recordingCommands();
    const term = fakeTerminal(80, 24);
    tui = startTui(state, commands, { stdout: term.stdout, stdin: term.stdin, fps: 20 });
    feed(state, 3);
    await vi.waitFor(() => expect(gridLines(term.terminal.screen).join('')).toMatch(/[\u2801-\u28ff]/));
    const drawn = term.written.join('').length;
    feed(state, 0.05); // one frame's worth at 20 fps
    await vi.waitFor(() => expect(term.written.join('').length).toBeGreaterThan(drawn));
    const frameBytes = Buffer.byteLength(term.written.join('').slice(drawn));
    expect(frameBytes).toBeLessThan(400); // a full 80x24 repaint is several KB
  });

  it('freezes the trace on p', async () => {
    const state = liveStateFixture(['II']);
    const { commands } = recordingCommands();
    const term = fakeTerminal(80, 24);
    tui = startTui(state, commands, { stdout: term.stdout, stdin: term.stdin, fps: 20 });
    feed(state, 2);
    const strip = computeLayout(80, 24, { layout: 'single', leadIndex: 0 }, ['II']).strips[0]!.rect;
    const traceRows = () => gridLines(term.terminal.screen).slice(strip.y + 1, strip.y + strip.height).join('\n');
    await vi.waitFor(() => expect(traceRows()).toMatch(/[\u2801-\u28ff]/));
    (term.stdin as unknown as PassThrough).write('p');
    await vi.waitFor(() => expect(gridLines(term.terminal.screen)[0]).toContain('FROZEN'));
    const frozen = traceRows();
    feed(state, 1);
    await new Promise((resolve) => setTimeout(resolve, 200)); // several frames
    expect(traceRows()).toBe(frozen);
  });

  it('on a slow link skips frames instead of queueing them, and still ends up showing the trace', async () => {
    const state = liveStateFixture(['II']);
    const { commands } = recordingCommands();
    const term = fakeTerminal(80, 24, 120);
    tui = startTui(state, commands, { stdout: term.stdout, stdin: term.stdin, fps: 20 });
    for (let i = 0; i < 10; i++) {
      feed(state, 0.1);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await vi.waitFor(() => expect(tui!.stats().backpressureSkips).toBeGreaterThan(0));
    expect(tui.stats().paints).toBeLessThan(tui.stats().ticks);
    await vi.waitFor(() => {
      const lines = gridLines(term.terminal.screen);
      expect(lines[0]).toMatch(/^┌─ II ─/);
      expect(lines.slice(1, 13).join('')).toMatch(/[\u2801-\u28ff]/);
      expect(lines[23]).toContain('q quit');
    });
  });
});
