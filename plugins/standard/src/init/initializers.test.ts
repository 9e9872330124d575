import test from 'ava';
import { Rng } from '@anneal/core';
import { meanAndVariance } from '../testing/statistics.js';
import { glorotInitializer, glorotStd } from './glorot-initializer.js';
import { heInitializer } from './he-initializer.js';
import { normalInitializer } from './normal-initializer.js';
import { sussilloGain, sussilloInitializer } from './sussillo-initializer.js';
import { zeroInitializer } from './zero-initializer.js';

const FIRST: readonly number[] = [784, 50];
const HIDDEN: readonly number[] = [50, 50];

// Spec §1.2 table: per-layer std for fan-in 784 / 50.
const CASES = [
  { init: normalInitializer(), first: 0.1, hidden: 0.1, tol: 1e-12 },
  { init: heInitializer(), first: 0.050508, hidden: 0.2, tol: 1e-6 }, // sqrt(2/784) = 0.0505076
  { init: sussilloInitializer(), first: 0.05059, hidden: 0.20511, tol: 5e-6 },
];

for (const { init, first, hidden, tol } of CASES) {
  test(`${init.name}: std for 784×50 is ${first} and for 50×50 is ${hidden}; samples match`, (t) => {
    t.true(Math.abs(init.stdFor(FIRST)! - first) < tol, `784×50: ${init.stdFor(FIRST)}`);
    t.true(Math.abs(init.stdFor(HIDDEN)! - hidden) < tol, `50×50: ${init.stdFor(HIDDEN)}`);
    const w = init.sample(FIRST, new Rng(1));
    t.is(w.length, 784 * 50);
    const { mean, variance } = meanAndVariance(w);
    // n = 39,200: relative s.e. of the std ≈ 1/sqrt(2n) = 0.36%; 2% is > 5 s.e.
    t.true(Math.abs(Math.sqrt(variance) / first - 1) < 0.02, `empirical std ${Math.sqrt(variance)}`);
    t.true(Math.abs(mean) < 5 * first / Math.sqrt(w.length));
    const h = init.sample(HIDDEN, new Rng(2));
    // n = 2,500: relative s.e. 1.4%; 7% tolerance
    t.true(Math.abs(Math.sqrt(meanAndVariance(h).variance) / hidden - 1) < 0.07);
  });
}

test('sussillo gain g = √2·exp(1.2/(max(N,6) − 2.4)): 1.41639 at N=784, 1.45032 at N=50, N<6 uses 6', (t) => {
  t.true(Math.abs(sussilloGain(784) - 1.41639) < 5e-6);
  t.true(Math.abs(sussilloGain(50) - 1.45032) < 5e-6);
  t.is(sussilloGain(3), sussilloGain(6));
});

test('normal: configurable std, seeded samples', (t) => {
  const init = normalInitializer({ std: 0.3 });
  t.is(init.stdFor([10, 10]), 0.3);
  t.deepEqual(init.sample([4, 5], new Rng(9)), init.sample([4, 5], new Rng(9)));
  t.notDeepEqual(init.sample([4, 5], new Rng(9)), init.sample([4, 5], new Rng(10)));
});

test('zero: all zeros, std 0', (t) => {
  const init = zeroInitializer();
  t.is(init.stdFor(FIRST), 0);
  const w = init.sample(FIRST, new Rng(1));
  t.is(w.length, 39200);
  t.true(w.every((v) => v === 0));
});

test('glorot: std sqrt(2/(fanIn+fanOut)); uniform (default) stays in ±sqrt(6/(fanIn+fanOut)); normal reports its std', (t) => {
  t.true(Math.abs(glorotStd(FIRST) - Math.sqrt(2 / 834)) < 1e-15);
  const uniform = glorotInitializer();
  t.is(uniform.stdFor(FIRST), null);
  const limit = Math.sqrt(6 / 834);
  const u = uniform.sample(FIRST, new Rng(4));
  t.true(u.every((v) => Math.abs(v) <= limit));
  t.true(Math.abs(Math.sqrt(meanAndVariance(u).variance) / glorotStd(FIRST) - 1) < 0.02);
  const normal = glorotInitializer({ distribution: 'normal' });
  t.is(normal.stdFor(HIDDEN), Math.sqrt(2 / 100));
  const n = normal.sample(FIRST, new Rng(4));
  t.true(Math.abs(Math.sqrt(meanAndVariance(n).variance) / glorotStd(FIRST) - 1) < 0.02);
});
