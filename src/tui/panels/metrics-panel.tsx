import { Box, Text } from 'ink';
import { memo } from 'react';
import type { Metrics } from '../../dsp/types.js';
import { DROP_TIER_TEXT, fit, formatMs, qualityWord, rateIsOff, type DropTier } from '../format.js';
import { bigText } from './big-digits.js';
import { Panel } from './frame.js';

export interface MetricsPanelProps {
  width: number;
  height: number;
  metrics: Metrics | null;
  leads: { name: string; off: boolean }[];
  nominalRateHz: number;
  measuredRateHz: number | null;
  droppedFrames: number;
  dropTier: DropTier;
}

const TIER_COLOR: Record<DropTier, string> = { ok: 'green', some: 'yellow', many: 'red', 'no-data': 'red' };
const QUALITY_COLOR = { good: 'green', fair: 'yellow', poor: 'red' } as const;
/** Width of the big heart-rate digits block ("188 " plus "bpm"). */
const BIG_COLS = 16;

function heartRateText(metrics: Metrics | null): string {
  const bpm = metrics?.heartRateBpm;
  if (bpm === null || bpm === undefined || !Number.isFinite(bpm)) return '---';
  return String(Math.min(999, Math.max(0, Math.round(bpm)))).padStart(3);
}

/** HR large, the intervals beside it, then signal quality, leads and the sample stream's health. */
export const MetricsPanel = memo(function MetricsPanel(props: MetricsPanelProps) {
  const inner = props.width - 2;
  const { metrics } = props;
  const big = bigText(heartRateText(metrics));
  const side = Math.max(0, inner - BIG_COLS);
  const qtc = metrics?.qtcBazettMs ?? null;
  const intervals = [
    `RR  ${formatMs(metrics?.rrMs).padStart(4)} ms  PR ${formatMs(metrics?.prMs).padStart(4)} ms`,
    `QRS ${formatMs(metrics?.qrsMs).padStart(4)} ms  QT ${formatMs(metrics?.qtMs).padStart(4)} ms`,
    `QTc ${formatMs(qtc).padStart(4)} ms  (Bazett)`,
  ];
  const offLeads = props.leads.filter((lead) => lead.off).map((lead) => lead.name);
  const quality = metrics === null ? null : qualityWord(metrics.signalQuality);
  const rate = props.measuredRateHz === null ? '---' : props.measuredRateHz.toFixed(1);
  const rateOff = rateIsOff(props.measuredRateHz, props.nominalRateHz);
  const leadsText = props.leads.length === 0 ? 'no leads' : offLeads.length === 0 ? 'all leads on' : `LEAD OFF: ${offLeads.join(' ')}`;
  return (
    <Panel title="Metrics" width={props.width} height={props.height}>
      {big.map((line, row) => (
        <Box key={row} flexDirection="row">
          <Text color={metrics?.heartRateBpm == null ? 'gray' : 'greenBright'} bold>
            {fit(line + (row === 2 ? ' bpm' : ''), BIG_COLS)}
          </Text>
          <Text>{fit(intervals[row]!, side)}</Text>
        </Box>
      ))}
      <Box flexDirection="row">
        <Text>quality </Text>
        {quality === null ? (
          <Text color="gray">--- </Text>
        ) : (
          <Text color={QUALITY_COLOR[quality]}>{`${Math.round(metrics!.signalQuality * 100)}% ${quality} `}</Text>
        )}
        <Text color={offLeads.length > 0 ? 'red' : undefined} bold={offLeads.length > 0}>
          {fit(leadsText, Math.max(0, inner - 18))}
        </Text>
      </Box>
      <Box flexDirection="row">
        <Text color={rateOff ? 'yellow' : undefined}>{`rate ${rate}/${props.nominalRateHz} Hz  `}</Text>
        <Text>{`drops ${props.droppedFrames} `}</Text>
        <Text color={TIER_COLOR[props.dropTier]} bold={props.dropTier !== 'ok'}>
          {DROP_TIER_TEXT[props.dropTier]}
        </Text>
      </Box>
    </Panel>
  );
});
