import { setFlagsFromString } from 'node:v8';

/** Commands that run for hours and hold little: the live monitor, the simulator, the reference backend. */
const LONG_RUNNING = new Set(['record', 'simulate', 'backend']);

/**
 * Keeps V8's young generation at its initial 1 MB semi-space instead of letting it grow to 16 MB:
 * about 25 MB less resident memory for a long-running command that allocates steadily (docs/tui.md,
 * Memory). V8 reads the growth factor each time it would grow the space, so this works in a
 * running process, and it is set only where it pays: a batch command such as `analyze` runs
 * faster with fewer young-generation collections.
 */
export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}

/** Applies keepYoungGenerationSmall() when `command` is one of the long-running ones. */
export function tuneHeapFor(command: string | undefined): void {
  if (command !== undefined && LONG_RUNNING.has(command)) keepYoungGenerationSmall();
}

/**
 * The live screen turns over a steady trickle of short-lived objects and keeps a small live heap,
 * yet V8's default lets the old generation grow up to 4x past the live size between full
 * collections, which showed as resident memory climbing ~1 MB/s. 20 % keeps it near the live size
 * (docs/tui.md, Memory). V8 reads this flag each time it sets a new limit, so it takes effect in a
 * running process.
 */
export function limitHeapGrowth(): void {
  setFlagsFromString('--heap-growing-percent=20');
}
