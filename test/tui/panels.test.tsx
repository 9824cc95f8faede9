import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { computeLayout } from '../../src/tui/layout.js';
import { bigText } from '../../src/tui/panels/big-digits.js';
import { KeysBar } from '../../src/tui/panels/keys-bar.js';
import { MetricsPanel, type MetricsPanelProps } from '../../src/tui/panels/metrics-panel.js';
import { QueuePanel } from '../../src/tui/panels/queue-panel.js';
import { WaveformPanel } from '../../src/tui/panels/waveform-panel.js';
import { TraceRaster } from '../../src/tui/trace-raster.js';
import { metricsFixture, queueFixture } from './fixtures.js';

function metricsFrame(change: Partial<MetricsPanelProps> = {}): string {
  const props: MetricsPanelProps = {
    width: 44,
    height: 7,
    metrics: metricsFixture(),
    leads: [
      { name: 'I', off: false },
      { name: 'II', off: false },
    ],
    nominalRateHz: 360,
    measuredRateHz: 359.8,
    droppedFrames: 0,
    dropTier: 'ok',
    ...change,
  };
  const { lastFrame, unmount } = render(<MetricsPanel {...props} />);
  const frame = lastFrame() ?? '';
  unmount();
  return frame;
}

describe('MetricsPanel', () => {
  it('shows HR in large digits and every interval', () => {
    const frame = metricsFrame();
    for (const line of bigText(' 72')) expect(frame).toContain(line);
    expect(frame).toContain('RR   833 ms');
    expect(frame).toContain('PR  160 ms');
    expect(frame).toContain('QRS   92 ms');
    expect(frame).toContain('QT  380 ms');
    expect(frame).toContain('QTc  416 ms');
    expect(frame).toContain('quality 93% good');
    expect(frame).toContain('all leads on');
    expect(frame).toContain('rate 359.8/360 Hz');
    expect(frame).toContain('drops 0 OK');
  });

  it('shows dashes, not zeros, when nothing is measurable', () => {
    const frame = metricsFrame({
      metrics: metricsFixture({ heartRateBpm: null, rrMs: null, prMs: null, qrsMs: null, qtMs: null, qtcBazettMs: null }),
      measuredRateHz: null,
    });
    expect(frame).toContain(bigText('---')[1]);
    expect(frame).toContain('RR   --- ms');
    expect(frame).toContain('QTc  --- ms');
    expect(frame).toContain('rate ---/360 Hz');
    expect(frame).not.toMatch(/\b0 ms/);
  });

  it('shows no quality before the first metrics', () => {
    expect(metricsFrame({ metrics: null })).toContain('quality ---');
  });

  it('names the leads that are off', () => {
    const frame = metricsFrame({
      leads: [
        { name: 'I', off: false },
        { name: 'II', off: true },
        { name: 'V1', off: true },
      ],
    });
    expect(frame).toContain('LEAD OFF: II V1');
  });

  it.each([
    ['ok', 'OK'],
    ['some', 'some'],
    ['many', 'MANY'],
    ['no-data', 'NO DATA 5 s'],
  ] as const)('shows the %s dropped-frame tier', (tier, text) => {
    expect(metricsFrame({ dropTier: tier, droppedFrames: 12 })).toContain(`drops 12 ${text}`);
  });
});

describe('QueuePanel', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  const frame = (queue: Parameters<typeof QueuePanel>[0]['queue']) => {
    const { lastFrame, unmount } = render(<QueuePanel width={40} height={7} queue={queue} nowMs={now} />);
    const text = lastFrame() ?? '';
    unmount();
    return text;
  };

  it('shows counts, bytes waiting, last sync and next attempt', () => {
    const text = frame(
      queueFixture({
        last_sync_at: new Date(now - 5000).toISOString(),
        next_attempt_at: new Date(now + 25_000).toISOString(),
      }),
    );
    expect(text).toContain('online');
    expect(text).toContain('pending 3  synced 10  failed 2');
    expect(text).toContain('waiting 1.5 KB');
    expect(text).toContain('last sync 5 s ago  next in 25 s');
  });

  it.each([
    [{ is_online: false }, 'OFFLINE'],
    [{ unauthorized: true }, 'UNAUTHORIZED'],
    [{ throttled_until: '2026-01-01T12:00:30Z' }, 'THROTTLED by server in 30 s'],
    [{ upload_enabled: false }, 'upload off'],
  ] as const)('shows the upload state %o', (change, text) => {
    expect(frame(queueFixture(change))).toContain(text);
  });

  it('a Retry-After in the past no longer counts as throttled', () => {
    expect(frame(queueFixture({ throttled_until: '2026-01-01T11:59:00Z' }))).not.toContain('THROTTLED');
  });

  it('shows a disk error', () => {
    expect(frame(queueFixture({ disk_error: 'ENOSPC', memory_only_count: 4 }))).toContain('DISK: ENOSPC (4 in memory)');
  });

  it('says it is starting before the first stats', () => {
    expect(frame(null)).toContain('starting');
  });
});

describe('KeysBar', () => {
  it('lists every key on one 80-column line', () => {
    const { lastFrame, unmount } = render(<KeysBar width={80} />);
    const text = lastFrame() ?? '';
    unmount();
    expect(text.split('\n')).toHaveLength(1);
    for (const item of ['s sync', 'f retry', 'r report', 'l lead', 'L layout', '+- gain', 'p freeze', 'n notch', '? help', 'q quit']) expect(text).toContain(item);
  });

  it('drops keys rather than wrapping on a narrow terminal', () => {
    const { lastFrame, unmount } = render(<KeysBar width={30} />);
    const text = lastFrame() ?? '';
    unmount();
    expect(text.split('\n')).toHaveLength(1);
    expect(text).toContain('s sync');
    expect(text).not.toContain('q quit');
  });
});

describe('WaveformPanel', () => {
  const leads = ['I', 'II', 'III'];
  const panel = (change: Partial<Parameters<typeof WaveformPanel>[0]> = {}) => {
    const layout = computeLayout(80, 24, { layout: change.layout?.mode ?? 'single', leadIndex: 1 }, leads);
    const { lastFrame, unmount } = render(
      <WaveformPanel layout={layout} gainMmPerMv={10} traceMode="sweep" frozen={false} help={false} leadOff={[false, false, false]} {...change} />,
    );
    const text = lastFrame() ?? '';
    unmount();
    return { text, layout };
  };

  it('titles the strip with lead, gain, speed and mode', () => {
    const { text } = panel({ gainMmPerMv: 20, frozen: true, leadOff: [false, true, false] });
    expect(text.split('\n')[0]).toMatch(/^┌─ II ─ LEAD OFF ─ 20 mm\/mV ─ 25 mm\/s ─ sweep ─ FROZEN ─+┐$/);
  });

  it('shows the strip lines inside the border, with beat marks and the erase bar', () => {
    const layout = computeLayout(80, 24, { layout: 'single', leadIndex: 1 }, leads);
    const strip = layout.strips[0]!;
    const raster = new TraceRaster({ widthCells: strip.rect.width, traceRows: strip.rect.height - 1, sampleRateHz: 250, gainMmPerMv: 10, mode: 'sweep' });
    const trace = { lead: 'II', samples: new Float32Array(5000), written: 0, leadOff: false };
    for (let i = 0; i < 500; i++) trace.samples[i] = i % 200 < 5 ? 1200 : 0;
    trace.written = 500; // 50 dots: the head is in cell 24
    raster.update(trace, [0, 200, 400]);
    const { text } = panel({ layout, stripLines: [raster.toLines()] });
    const lines = text.split('\n');
    expect(lines).toHaveLength(layout.wave.height);
    const markRow = lines[1]!;
    expect(markRow[1 + 0]).toBe('v');
    expect(markRow[1 + 10]).toBe('v');
    expect(markRow[1 + 20]).toBe('v');
    const baseline = lines[1 + 1 + Math.floor((raster.traceRows * 4) / 2 / 4)]!;
    expect(baseline.slice(1, 25)).not.toContain(' ');
    expect(baseline.slice(26, 29)).toBe('   '); // the erase bar ahead of the head
  });

  it('labels each strip in the three-lead view', () => {
    const layout = computeLayout(80, 24, { layout: 'three', leadIndex: 0 }, leads);
    const { text } = panel({ layout, leadOff: [false, false, true] });
    expect(text.split('\n')[0]).toContain('3 leads');
    const labels = text.split('\n').slice(1, -1).map((line) => line.slice(1, 5).trim()).filter((label) => label !== '');
    expect(labels).toEqual(['I', 'II', 'III', 'OFF']);
  });

  it('shows help instead of traces', () => {
    const { text } = panel({ help: true });
    expect(text).toContain('gain 5 / 10 / 20 mm/mV');
    expect(text).toContain('one braille dot = 1 mm');
  });
});
