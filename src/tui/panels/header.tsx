import { Box, Text } from 'ink';
import { memo } from 'react';
import type { SessionInfo } from '../../session/types.js';
import { fit, formatClock } from '../format.js';

export interface HeaderProps {
  width: number;
  info: SessionInfo;
  mainsHz: 50 | 60;
  elapsedS: number;
  deviceState: 'connecting' | 'connected' | 'reconnecting' | 'closed';
  deviceMessage: string | null;
}

const DEVICE_COLOR = { connecting: 'yellow', connected: 'green', reconnecting: 'red', closed: 'gray' } as const;

/** Who and what is being recorded, for how long, and whether the device is there. */
export const Header = memo(function Header(props: HeaderProps) {
  const { info } = props;
  const device = props.deviceMessage ?? props.deviceState;
  const filter = info.filter === 'monitor' ? '0.5-40 Hz' : '0.05-150 Hz';
  const who = [info.patientId ? `patient ${info.patientId}` : null, info.operator ? `op ${info.operator}` : null].filter(Boolean).join(' ');
  const left = ` ECG ${formatClock(props.elapsedS)} │ ${info.source} │ ${info.protocol} ${info.nominalRateHz} Hz │ ${filter} │ notch ${props.mainsHz} Hz${who === '' ? '' : ` │ ${who}`}`;
  const right = ` ${device} `;
  const leftWidth = Math.max(0, props.width - right.length);
  return (
    <Box flexDirection="row" width={props.width} height={1}>
      <Text inverse>{fit(left, leftWidth)}</Text>
      <Text inverse bold color={DEVICE_COLOR[props.deviceState]}>
        {right.slice(0, props.width)}
      </Text>
    </Box>
  );
});
