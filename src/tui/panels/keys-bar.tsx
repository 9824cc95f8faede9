import { Box, Text } from 'ink';
import { memo } from 'react';

/** Key, label: what the bar shows, shortest labels first to fit 80 columns. */
export const KEYS: ReadonlyArray<readonly [string, string]> = [
  ['s', 'sync'],
  ['f', 'retry'],
  ['r', 'report'],
  ['l', 'lead'],
  ['L', 'layout'],
  ['+-', 'gain'],
  ['p', 'freeze'],
  ['n', 'notch'],
  ['?', 'help'],
  ['q', 'quit'],
];

/** One line of keys; drops the tail rather than wrapping when the terminal is narrow. */
export const KeysBar = memo(function KeysBar({ width }: { width: number }) {
  const shown: Array<readonly [string, string]> = [];
  let used = 0;
  for (const [key, label] of KEYS) {
    const cost = key.length + label.length + 2;
    if (used + cost > width) break;
    shown.push([key, label]);
    used += cost;
  }
  return (
    <Box flexDirection="row" width={width} height={1}>
      {shown.map(([key, label]) => (
        <Text key={key}>
          <Text inverse>{key}</Text>
          {` ${label} `}
        </Text>
      ))}
    </Box>
  );
});
