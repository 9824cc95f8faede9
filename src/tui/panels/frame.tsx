import { Box, Text } from 'ink';
import type { ReactNode } from 'react';

/** Top border with a title in it: `┌─ title ───┐`, exactly `width` cells. */
export function titledBorder(title: string, width: number): string {
  const inner = Math.max(0, width - 2);
  const label = title === '' ? '' : `─ ${title} `;
  const clipped = label.length > inner ? label.slice(0, inner) : label;
  return `┌${clipped}${'─'.repeat(inner - clipped.length)}┐`;
}

/** A bordered panel of fixed size whose title sits in the top border. */
export function Panel(props: { title: string; width: number; height: number; children?: ReactNode }) {
  return (
    <Box flexDirection="column" width={props.width} height={props.height} flexShrink={0}>
      <Text wrap="truncate">{titledBorder(props.title, props.width)}</Text>
      <Box
        borderStyle="single"
        borderTop={false}
        width={props.width}
        height={props.height - 1}
        flexDirection="column"
        overflow="hidden"
      >
        {props.children}
      </Box>
    </Box>
  );
}
