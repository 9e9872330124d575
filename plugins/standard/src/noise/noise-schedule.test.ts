import test from 'ava';
import { annealedNoiseVariance } from './noise-schedule.js';

test('σ_t² = η/(1+t)^γ with t from 0 (hand-computed values, spec §0.1)', (t) => {
  t.is(annealedNoiseVariance(0.01, 0.55, 0), 0.01);
  t.true(Math.abs(annealedNoiseVariance(0.01, 0.55, 9) - 0.01 / 3.548133892) < 1e-10); // 10^0.55 = 3.5481
  // η = 1: std 1.0, 0.517, 0.281, 0.150 at t = 0, 10, 1e2, 1e3 (spec §0.1 table, t ≈ 1+t there)
  t.true(Math.abs(Math.sqrt(annealedNoiseVariance(1, 0.55, 10)) - 0.517) < 1e-3);
  t.true(Math.abs(Math.sqrt(annealedNoiseVariance(1, 0.55, 99)) - 0.2818) < 1e-3);
  t.true(Math.abs(Math.sqrt(annealedNoiseVariance(1, 0.55, 999)) - 0.1496) < 1e-3);
  t.is(annealedNoiseVariance(0.3, 0, 12345), 0.3);
});
