import test from 'ava';
import { Rng } from '@anneal/core';
import { fillDropoutMask } from './fill-dropout-mask.js';

test('fillDropoutMask equals thresholding Rng.fillUniform and keeps the stream in step', (t) => {
  for (const rate of [0.1, 0.5, 0.9]) {
    const a = new Rng(11);
    const b = new Rng(11);
    const u = a.fillUniform(new Float32Array(5000));
    const mask = fillDropoutMask(b, new Float32Array(5000), rate);
    const expected = Float32Array.from(u, (x) => (x < rate ? 0 : 1 / (1 - rate)));
    t.deepEqual(mask, expected);
    t.deepEqual(b.getState(), a.getState());
  }
});
