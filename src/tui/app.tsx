import { Box, Text, useApp, useInput, useStdin } from 'ink';
import { useMemo, useRef, useSyncExternalStore } from 'react';
import { log } from '../log.js';
import type { LiveState, SessionCommands } from '../session/types.js';
import { fit } from './format.js';
import { computeLayout, MIN_COLS, MIN_ROWS } from './layout.js';
import { useLiveSnapshot } from './live-snapshot.js';
import { Header } from './panels/header.js';
import { KeysBar } from './panels/keys-bar.js';
import { MetricsPanel } from './panels/metrics-panel.js';
import { QueuePanel } from './panels/queue-panel.js';
import { WaveformPanel, wavePanelProps } from './panels/waveform-panel.js';
import type { ViewStore } from './view-store.js';

export interface AppProps {
  state: LiveState;
  commands: SessionCommands;
  view: ViewStore;
  /** How often the text panels look at LiveState (ms). */
  panelPeriodMs?: number;
  /** Strip text for each strip of the layout (tests); without it the strips are left blank. */
  stripLines?: ReadonlyArray<readonly string[] | null>;
  /**
   * 'ink': the App draws the waveform panel too (tests, plain use). 'painter': the live screen,
   * where the compositor draws the panel and its traces and the App renders only what is below.
   */
  waveform?: 'ink' | 'painter';
}

/** Runs the action behind a key; returns false for keys that mean nothing. */
export function handleKey(
  input: string,
  key: { escape?: boolean; ctrl?: boolean },
  context: { state: LiveState; commands: SessionCommands; view: ViewStore; quit: () => void; reportBusy: { current: boolean } },
): boolean {
  const { state, commands, view } = context;
  const leadCount = state.traces.length;
  if ((key.ctrl && input === 'c') || input === 'q') {
    view.say('stopping…');
    context.quit();
    return true;
  }
  if (key.escape) {
    if (view.get().help) view.toggleHelp();
    return true;
  }
  switch (input) {
    case 's':
      commands.syncNow();
      view.say('sync requested');
      return true;
    case 'f':
      commands.retryFailed();
      view.say('failed items moved back to pending');
      return true;
    case 'r':
      if (context.reportBusy.current) {
        view.say('a report is already being written…');
        return true;
      }
      context.reportBusy.current = true;
      view.say('writing report…');
      // Never block the screen on the PDF: the result arrives as a notice.
      void commands.report().then(
        (path) => view.say(`report written: ${path}`),
        (error: unknown) => {
          log.warn('report from the TUI failed', error);
          view.say(`report failed: ${error instanceof Error ? error.message : String(error)}`);
        },
      ).finally(() => {
        context.reportBusy.current = false;
      });
      return true;
    case 'l':
      view.nextLead(leadCount);
      return true;
    case 'L':
      view.nextLayout(leadCount);
      return true;
    case '+':
    case '=':
      view.stepGain(1);
      return true;
    case '-':
    case '_':
      view.stepGain(-1);
      return true;
    case 'p':
      view.toggleFreeze();
      return true;
    case 'm':
      view.toggleTraceMode();
      return true;
    case 'n': {
      const next = view.get().mainsHz === 50 ? 60 : 50;
      commands.setMainsHz(next);
      view.update({ mainsHz: next, notice: `notch ${next} Hz` });
      return true;
    }
    case '?':
    case 'h':
      view.toggleHelp();
      return true;
    default:
      return false;
  }
}

/** The whole screen: fixed rows top to bottom, sized from the terminal, never from content. */
export function App({ state, commands, view, panelPeriodMs = 500, stripLines, waveform = 'ink' }: AppProps) {
  const viewState = useSyncExternalStore(view.subscribe, view.get);
  const snapshot = useLiveSnapshot(state, panelPeriodMs);
  const { exit } = useApp();
  const { isRawModeSupported } = useStdin();
  const reportBusy = useRef(false);
  const leadNames = snapshot.leads.map((lead) => lead.name).join(',');
  const layout = useMemo(
    () => computeLayout(viewState.cols, viewState.rows, viewState, leadNames === '' ? [] : leadNames.split(',')),
    [viewState.cols, viewState.rows, viewState.layout, viewState.leadIndex, leadNames],
  );
  useInput(
    (input, key) => {
      handleKey(input, key, { state, commands, view, reportBusy, quit: () => {
        commands.quit();
        exit();
      } });
    },
    { isActive: isRawModeSupported === true },
  );

  if (layout.tooSmall) {
    return (
      <Box width={viewState.cols} height={viewState.rows}>
        <Text>{fit(`terminal too small: ${viewState.cols}x${viewState.rows}, need ${MIN_COLS}x${MIN_ROWS} (q quits)`, viewState.cols)}</Text>
      </Box>
    );
  }
  const notice = [...new Set([viewState.notice, snapshot.notice])].filter((text) => text !== null && text !== '').join('  │  ');
  const drawsWave = waveform === 'ink';
  const height = drawsWave ? viewState.rows : viewState.rows - layout.header.y;
  return (
    <Box flexDirection="column" width={viewState.cols} height={height}>
      {drawsWave ? (
        <WaveformPanel
          {...wavePanelProps(layout, viewState, snapshot.leads.map((lead) => lead.off))}
          stripLines={stripLines}
        />
      ) : null}
      <Header
        width={viewState.cols}
        info={state.info}
        mainsHz={viewState.mainsHz}
        elapsedS={snapshot.elapsedS}
        deviceState={snapshot.deviceState}
        deviceMessage={snapshot.deviceMessage}
      />
      <Box flexDirection="row" height={layout.metrics.height}>
        <MetricsPanel
          width={layout.metrics.width}
          height={layout.metrics.height}
          metrics={snapshot.metrics}
          leads={snapshot.leads}
          nominalRateHz={state.info.nominalRateHz}
          measuredRateHz={snapshot.measuredRateHz}
          droppedFrames={snapshot.droppedFrames}
          dropTier={snapshot.dropTier}
        />
        <QueuePanel width={layout.queue.width} height={layout.queue.height} queue={snapshot.queue} nowMs={snapshot.nowMs} />
      </Box>
      <Box height={1} width={viewState.cols}>
        <Text color="cyan" wrap="truncate">
          {fit(notice, viewState.cols)}
        </Text>
      </Box>
      <KeysBar width={viewState.cols} />
    </Box>
  );
}
