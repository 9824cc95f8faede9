import { DOTS_PER_CELL_X, DOTS_PER_CELL_Y, ERASE_DOTS, SWEEP_MM_PER_S } from '../trace-raster.js';

/** The help screen shown inside the waveform panel by `?`. */
export const HELP_LINES: readonly string[] = [
  ' s  sync now: one upload pass over everything pending',
  ' f  retry failed items (failed -> pending)',
  ' r  write a PDF report of the last 10 s (path shown below)',
  ' l  next lead (3-lead view: next group)     L  layout: 1, 3 or all leads',
  ' +  -  gain 5 / 10 / 20 mm/mV               p  freeze / resume the trace',
  ' n  notch filter 50 / 60 Hz                 m  sweep / scrolling trace',
  ' q  quit (the session ends cleanly)          ?  this help',
  '',
  ` Scale: one braille dot = 1 mm; a character cell is ${DOTS_PER_CELL_X} mm wide, ${DOTS_PER_CELL_Y} mm tall.`,
  ` Sweep ${SWEEP_MM_PER_S} mm/s; the gap of ${ERASE_DOTS} mm ahead of the trace is the erase bar.`,
  ' v above the trace marks a detected beat (R peak).',
];
