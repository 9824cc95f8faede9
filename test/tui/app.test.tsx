import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../src/tui/app.js';
import { ViewStore } from '../../src/tui/view-store.js';
import { liveStateFixture, recordingCommands } from './fixtures.js';

const mounted: Array<() => void> = [];
afterEach(() => {
  while (mounted.length > 0) mounted.pop()!();
});

function mount(report?: () => Promise<string>, leads = ['I', 'II', 'III']) {
  const state = liveStateFixture(leads);
  const { commands, calls } = recordingCommands(report);
  const view = new ViewStore(80, 24, 50, 1);
  const app = render(<App state={state} commands={commands} view={view} />);
  mounted.push(app.unmount);
  const press = async (key: string, until: () => void) => {
    app.stdin.write(key);
    await vi.waitFor(until);
  };
  return { app, view, calls, press, frame: () => app.lastFrame() ?? '' };
}

describe('App keys', () => {
  it('s syncs now and f retries failed items, each with a notice', async () => {
    const { press, calls, frame } = mount();
    await press('s', () => expect(calls).toEqual(['syncNow']));
    await vi.waitFor(() => expect(frame()).toContain('sync requested'));
    await press('f', () => expect(calls).toEqual(['syncNow', 'retryFailed']));
    await vi.waitFor(() => expect(frame()).toContain('failed items moved back to pending'));
  });

  it('r writes a report and shows where, without blocking the screen', async () => {
    let finish: (path: string) => void = () => undefined;
    const { press, calls, frame, view } = mount(() => new Promise((resolve) => (finish = resolve)));
    await press('r', () => expect(calls).toEqual(['report']));
    await vi.waitFor(() => expect(frame()).toContain('writing report…'));
    // The screen still takes keys while the PDF is being written.
    await press('+', () => expect(view.get().gainMmPerMv).toBe(20));
    finish('/tmp/out/report.pdf');
    await vi.waitFor(() => expect(frame()).toContain('report written: /tmp/out/report.pdf'));
  });

  it('r shows the error when the report fails', async () => {
    const { press, frame } = mount(async () => {
      throw new Error('report is not available yet');
    });
    await press('r', () => expect(frame()).toContain('report failed: report is not available yet'));
  });

  it('l changes the lead, L the layout', async () => {
    const { press, view, frame } = mount();
    expect(frame().split('\n')[0]).toMatch(/^┌─ II ─/);
    await press('l', () => expect(view.get().leadIndex).toBe(2));
    await vi.waitFor(() => expect(frame().split('\n')[0]).toMatch(/^┌─ III ─/));
    await press('L', () => expect(view.get().layout).toBe('three'));
    await vi.waitFor(() => expect(frame().split('\n')[0]).toContain('3 leads'));
  });

  it('+ and - step the gain through 5, 10 and 20 mm/mV and stop at the ends', async () => {
    const { press, view, frame } = mount();
    await press('+', () => expect(view.get().gainMmPerMv).toBe(20));
    await press('+', () => expect(frame()).toContain('gain 20 mm/mV'));
    expect(view.get().gainMmPerMv).toBe(20);
    await press('-', () => expect(view.get().gainMmPerMv).toBe(10));
    await press('-', () => expect(view.get().gainMmPerMv).toBe(5));
    await press('-', () => expect(view.get().gainMmPerMv).toBe(5));
    await vi.waitFor(() => expect(frame().split('\n')[0]).toContain('5 mm/mV'));
  });

  it('p freezes and resumes, m switches sweep and scroll', async () => {
    const { press, view, frame } = mount();
    await press('p', () => expect(view.get().frozen).toBe(true));
    await vi.waitFor(() => expect(frame().split('\n')[0]).toContain('FROZEN'));
    await press('p', () => expect(view.get().frozen).toBe(false));
    await press('m', () => expect(view.get().traceMode).toBe('scroll'));
  });

  it('n switches the notch between 50 and 60 Hz', async () => {
    const { press, calls, frame } = mount();
    await press('n', () => expect(calls).toEqual(['setMainsHz 60']));
    await vi.waitFor(() => expect(frame().split('\n').find((line) => line.startsWith(' ECG'))).toContain('notch 60 Hz'));
    await press('n', () => expect(calls).toEqual(['setMainsHz 60', 'setMainsHz 50']));
  });

  it('? shows help and Esc closes it', async () => {
    const { press, view, frame } = mount();
    await press('?', () => expect(frame()).toContain('one braille dot = 1 mm'));
    await press('\u001b', () => expect(view.get().help).toBe(false));
  });

  it('q asks the session to quit', async () => {
    const { press, calls } = mount();
    await press('q', () => expect(calls).toEqual(['quit']));
  });

  it('other keys do nothing', async () => {
    const { app, calls, view } = mount();
    const version = view.get().version;
    app.stdin.write('x');
    app.stdin.write('s');
    await vi.waitFor(() => expect(calls).toEqual(['syncNow']));
    expect(view.get().version).toBe(version + 1); // only the notice of `s`
  });
});

describe('App layout', () => {
  it('fills the terminal exactly, 80x24', () => {
    const { frame } = mount();
    const lines = frame().split('\n');
    expect(lines).toHaveLength(24);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(lines[23]).toContain('q quit');
  });

  it('says so when the terminal is too small', () => {
    const state = liveStateFixture();
    const { commands } = recordingCommands();
    const app = render(<App state={state} commands={commands} view={new ViewStore(40, 10)} />);
    mounted.push(app.unmount);
    expect(app.lastFrame()).toContain('terminal too small');
  });
});
