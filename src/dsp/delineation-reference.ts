import { median } from './delineation-filters.js';

/** The wave-boundary marks of an annotation file, as `readAnnotations` returns them. */
export interface WaveMark {
  sample: number;
  symbol: string;
}

/** One annotated beat: boundaries in samples, null where the annotator left the wave unmarked. */
export interface ReferenceBeat {
  rSample: number;
  pOnset: number | null;
  qrsOnset: number | null;
  qrsOffset: number | null;
  tEnd: number | null;
}

/** Median reference intervals (ms) over the marked beats, and how many beats gave each. */
export interface ReferenceIntervals {
  prMs: number | null;
  qrsMs: number | null;
  qtMs: number | null;
  prBeats: number;
  qrsBeats: number;
  qtBeats: number;
}

const BEAT_SYMBOLS = new Set(['N', 'L', 'R', 'V', 'A', 'a', 'J', 'S', 'E', 'j', 'e', 'F', '/', 'f', 'Q']);

/**
 * Groups `(` peak `)` wave marks (LUDB, QT Database `.q1c`) into beats. An onset or offset
 * belongs to the peak mark right after or before it; a P or T wave belongs to the nearest QRS.
 */
export function referenceBeats(marks: readonly WaveMark[]): ReferenceBeat[] {
  const sorted = [...marks].sort((a, b) => a.sample - b.sample);
  interface Wave { kind: 'p' | 'qrs' | 't'; peak: number; onset: number | null; offset: number | null }
  const waves: Wave[] = [];
  sorted.forEach((mark, i) => {
    const kind = mark.symbol === 'p' ? 'p' : mark.symbol === 't' ? 't' : BEAT_SYMBOLS.has(mark.symbol) ? 'qrs' : null;
    if (kind === null) return;
    const before = sorted[i - 1];
    const after = sorted[i + 1];
    waves.push({
      kind,
      peak: mark.sample,
      onset: before?.symbol === '(' ? before.sample : null,
      offset: after?.symbol === ')' ? after.sample : null,
    });
  });
  const beats: ReferenceBeat[] = [];
  waves.forEach((wave, i) => {
    if (wave.kind !== 'qrs') return;
    const previous = waves[i - 1];
    const next = waves[i + 1];
    beats.push({
      rSample: wave.peak,
      pOnset: previous?.kind === 'p' && previous.offset !== null && previous.onset !== null ? previous.onset : null,
      qrsOnset: wave.onset,
      qrsOffset: wave.offset,
      tEnd: next?.kind === 't' && next.offset !== null ? next.offset : null,
    });
  });
  return beats;
}

/** Median PR, QRS and QT of the beats whose marks make each interval complete. */
export function referenceIntervals(beats: readonly ReferenceBeat[], fsHz: number): ReferenceIntervals {
  const ms = (samples: number) => (samples / fsHz) * 1000;
  const pr: number[] = [];
  const qrs: number[] = [];
  const qt: number[] = [];
  for (const beat of beats) {
    if (beat.qrsOnset === null) continue;
    if (beat.pOnset !== null) pr.push(ms(beat.qrsOnset - beat.pOnset));
    if (beat.qrsOffset !== null) qrs.push(ms(beat.qrsOffset - beat.qrsOnset));
    if (beat.tEnd !== null) qt.push(ms(beat.tEnd - beat.qrsOnset));
  }
  const med = (values: number[]) => (values.length > 0 ? median([...values]) : null);
  return { prMs: med(pr), qrsMs: med(qrs), qtMs: med(qt), prBeats: pr.length, qrsBeats: qrs.length, qtBeats: qt.length };
}
