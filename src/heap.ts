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

/**
 * A batch run over a record spends much of its time in code V8 has not optimised yet, waiting for
 * TurboFan on the background thread. Inlining only small functions (60 bytes of bytecode, not the
 * default 460) about halves that compile work on record 100, so optimised code arrives sooner; the
 * optimised code itself is as fast on the DSP loops (docs/dsp.md, Speed). Read at each compile,
 * so it works in a running process as long as it is set before the work starts.
 */
export function compileSooner(): void {
  setFlagsFromString('--max-inlined-bytecode-size=60');
}

/** V8 tuning for `command`: a small young generation for long-running ones, sooner compiles for `analyze`. */
export function tuneV8For(command: string | undefined): void {
  if (command !== undefined && LONG_RUNNING.has(command)) keepYoungGenerationSmall();
  if (command === 'analyze') compileSooner();
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
