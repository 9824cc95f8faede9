import { Box, Text } from 'ink';
import { memo } from 'react';
import { fit } from '../format.js';
import { LABEL_COLS, type ScreenLayout } from '../layout.js';
import { SWEEP_MM_PER_S, type TraceMode } from '../trace-raster.js';
import type { ViewState } from '../view-store.js';
import { titledBorder } from './frame.js';
import { HELP_LINES } from './help.js';

export interface WaveformPanelProps {
  layout: ScreenLayout;
  gainMmPerMv: number;
  traceMode: TraceMode;
  frozen: boolean;
  help: boolean;
  /** Lead-off flag per trace index. */
  leadOff: boolean[];
  /**
   * Text of each strip (mark row + trace rows), or null where the trace painter draws the strip
   * over Ink's output (the live screen); tests pass the raster's own lines.
   */
  stripLines?: ReadonlyArray<readonly string[] | null>;
}

/** The panel's props for a view of the screen; the App and the compositor both use it. */
export function wavePanelProps(
  layout: ScreenLayout,
  view: Pick<ViewState, 'gainMmPerMv' | 'traceMode' | 'frozen' | 'help'>,
  leadOff: boolean[],
): WaveformPanelProps {
  return { layout, gainMmPerMv: view.gainMmPerMv, traceMode: view.traceMode, frozen: view.frozen, help: view.help, leadOff };
}

/** The lines inside the waveform border: lead labels, strips (or blanks for the painter), help. */
export function waveInteriorLines(props: WaveformPanelProps): string[] {
  const { layout } = props;
  const inner = layout.waveInner;
  if (props.help) {
    return Array.from({ length: inner.height }, (_, row) => fit(HELP_LINES[row] ?? '', inner.width));
  }
  const cells = Array.from({ length: inner.height }, () => Array<string>(inner.width).fill(' '));
  const put = (x: number, y: number, text: string) => {
    const row = cells[y - inner.y];
    if (!row) return;
    for (let i = 0; i < text.length; i++) {
      const col = x - inner.x + i;
      if (col >= 0 && col < inner.width) row[col] = text[i]!;
    }
  };
  layout.strips.forEach((strip, index) => {
    if (strip.label) {
      put(strip.label.x, strip.label.y + 1, strip.lead.slice(0, strip.label.width - 1));
      if (props.leadOff[strip.traceIndex]) put(strip.label.x, strip.label.y + 2, 'OFF');
    }
    const lines = props.stripLines?.[index];
    if (lines) lines.forEach((line, row) => row < strip.rect.height && put(strip.rect.x, strip.rect.y + row, line.slice(0, strip.rect.width)));
  });
  return cells.map((row) => row.join(''));
}

function title(props: WaveformPanelProps): string {
  const { layout } = props;
  const parts: string[] = [];
  if (layout.mode === 'single' && layout.strips[0]) {
    parts.push(layout.strips[0].lead);
    if (props.leadOff[layout.strips[0].traceIndex]) parts.push('LEAD OFF');
  } else parts.push(layout.mode === 'three' ? '3 leads' : 'all leads');
  parts.push(`${props.gainMmPerMv} mm/mV`, `${SWEEP_MM_PER_S} mm/s`, props.traceMode);
  if (props.frozen) parts.push('FROZEN');
  if (props.help) parts.push('help: ? or Esc to close');
  return parts.join(' ─ ');
}

/**
 * On the live screen only the lead-name columns are Ink text; the strips stay empty boxes for the
 * painter, so Ink does not measure a screenful of blanks on every render.
 */
function LabelColumns({ props }: { props: WaveformPanelProps }) {
  const { layout } = props;
  const inner = layout.waveInner;
  const columns = new Map<number, string[]>();
  for (const strip of layout.strips) {
    if (!strip.label) continue;
    const lines = columns.get(strip.label.x) ?? Array<string>(inner.height).fill('');
    const top = strip.label.y - inner.y;
    lines[top + 1] = strip.lead.slice(0, strip.label.width - 1);
    if (props.leadOff[strip.traceIndex]) lines[top + 2] = 'OFF';
    columns.set(strip.label.x, lines);
  }
  return (
    <>
      {[...columns].map(([x, lines]) => (
        <Box key={x} position="absolute" marginLeft={x - inner.x} width={LABEL_COLS} height={inner.height}>
          <Text>{lines.join('\n')}</Text>
        </Box>
      ))}
    </>
  );
}

/** The trace area: a fixed-size bordered box whose title states lead, gain and speed. */
export const WaveformPanel = memo(function WaveformPanel(props: WaveformPanelProps) {
  const { wave } = props.layout;
  const asText = props.help || props.stripLines !== undefined;
  return (
    <Box flexDirection="column" width={wave.width} height={wave.height} flexShrink={0}>
      <Text wrap="truncate" color={props.frozen ? 'yellow' : undefined}>
        {titledBorder(title(props), wave.width)}
      </Text>
      <Box borderStyle="single" borderTop={false} width={wave.width} height={wave.height - 1} overflow="hidden">
        {asText ? <Text wrap="truncate">{waveInteriorLines(props).join('\n')}</Text> : <LabelColumns props={props} />}
      </Box>
    </Box>
  );
});
