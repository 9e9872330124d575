import test from 'ava';
import { Rng } from '@anneal/core';
import { meanAndVariance } from '../testing/statistics.js';
import { fillNormalFast } from './fill-normal-fast.js';

test('fillNormalFast reproduces Rng.fillNormal draw for draw and leaves the same Rng state', (t) => {
  for (const seed of [0, 1, 42, 0xdeadbeef]) {
    for (const n of [1, 7, 1000, 88210]) {
      const a = new Rng(seed);
      const b = new Rng(seed);
      const x = new Float32Array(n);
      const y = new Float32Array(n);
      for (let round = 0; round < 3; round++) {
        a.fillNormal(x, 0, 0.37);
        fillNormalFast(b, y, 0.37);
        t.deepEqual(y, x, `seed ${seed}, n ${n}, round ${round}`);
      }
      t.deepEqual(b.getState(), a.getState());
    }
  }
});

test('fillNormalFast draws standard normals: mean 0, variance 1, Gaussian tails (slow path exercised)', (t) => {
  const n = 400_000;
  const z = fillNormalFast(new Rng(7), new Float32Array(n));
  const { mean, variance } = meanAndVariance(z);
  t.true(Math.abs(mean) < 5 / Math.sqrt(n), `mean ${mean}`);
  t.true(Math.abs(variance - 1) < 5 * Math.sqrt(2 / n), `variance ${variance}`);
  let beyond196 = 0;
  let beyond35 = 0; // the ziggurat's base strip/tail starts at r = 3.44
  for (const v of z) {
    if (Math.abs(v) > 1.959964) beyond196++;
    if (Math.abs(v) > 3.5) beyond35++;
  }
  t.true(Math.abs(beyond196 / n - 0.05) < 0.002, `P(|z|>1.96) = ${beyond196 / n}`);
  // P(|z| > 3.5) = 4.653e-4 → ~186 expected; a sampler without the tail gives 0.
  t.true(beyond35 > 120 && beyond35 < 260, `count |z|>3.5 = ${beyond35}`);
});

test('fillNormalFast scales by std', (t) => {
  const z = fillNormalFast(new Rng(3), new Float32Array(10), 1);
  const y = fillNormalFast(new Rng(3), new Float32Array(10), 0.25);
  for (let i = 0; i < 10; i++) t.is(y[i], Math.fround(0.25 * z[i]));
});
