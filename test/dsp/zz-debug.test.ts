import { it } from 'vitest';
import { createSyntheticEcg } from '../../src/device/synthetic.js';
import { analyzeSignals } from '../../src/dsp/analyze.js';
it('dbg', () => {
  const fsHz = 500, hrBpm = 48, seconds = 40;
  const src = createSyntheticEcg({ fsHz, hrBpm, leads: ['I', 'II', 'V2'], seed: fsHz + hrBpm, hrvMs: 0 });
  const sig = src.next(seconds * fsHz);
  const r = analyzeSignals({ fsHz, leads: src.leads, signalsUv: sig });
  console.log('truth', src.truth().map((t) => t.rSample + (t.pvc ? 'V' : '')).join(' '));
  console.log('det  ', r.beats.map((b) => b.sample).join(' '));
  const s2 = createSyntheticEcg({ fsHz: 500, hrBpm: 72, leads: ['I', 'II'], seed: 11 });
  s2.next(5000);
  console.log('csv truth', s2.truth().map((t) => t.rSample).join(' '));
});
