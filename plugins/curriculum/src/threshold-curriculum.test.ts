import test from 'ava';
import { validateConfig } from '@anneal/core';
import { raiseOnThreshold, thresholdCurriculumSchema } from './threshold-curriculum.js';

const make = (c: Record<string, unknown>) => raiseOnThreshold(validateConfig('threshold-curriculum', thresholdCurriculumSchema, c));

test('loss metric: raises by increment once the running mean is below the threshold and the level held minSteps, capped at max', (t) => {
  const c = make({ key: 'length', start: 2, max: 5, increment: 2, metric: 'loss', threshold: 1, minSteps: 2, smoothing: 0.5 });
  let s = c.init({ seed: 0, params: {} });
  const levels: number[] = [];
  // losses: mean after each = 4, 2, 1, 0.5, 0.25, 0.125 (m ← 0.5 m + 0.5 loss, first loss taken as is)
  const losses = [NaN, 4, 0, 0, 0, 0, 0];
  losses.forEach((lastLoss, step) => {
    const out = c.next(s, { step, epoch: 0, evaluation: {}, lastLoss });
    s = out.state;
    levels.push(out.level.length);
  });
  // step 0: no loss yet; step 1: mean 4; step 2: mean 2; step 3: mean 1 (not < 1); step 4: 0.5 < 1 and 4 − 0 ≥ 2 → 4;
  // step 5: held 1 step; step 6: 0.125 < 1, held 2 → min(5, 6) = 5.
  t.deepEqual(levels, [2, 2, 2, 2, 4, 4, 5]);
  t.is(s.level, 5);
});

test('evaluation metric and direction above: reads the tracked key; missing key never raises', (t) => {
  const c = make({ key: 'k', start: 0, max: 3, metric: 'train/accuracy', threshold: 0.9, direction: 'above', minSteps: 1 });
  let s = c.init({ seed: 0, params: {} });
  const step = (n: number, evaluation: Record<string, number>) => {
    const out = c.next(s, { step: n, epoch: 0, evaluation, lastLoss: 1 });
    s = out.state;
    return out.level.k;
  };
  t.is(step(1, {}), 0);
  t.is(step(2, { 'train/accuracy': 0.85 }), 0);
  t.is(step(3, { 'train/accuracy': 0.95 }), 1);
  t.is(step(4, { 'train/accuracy': 0.95 }), 2);
  t.deepEqual(JSON.parse(JSON.stringify(s)), s, 'the state is plain JSON (checkpointed as is)');
});

test('bad config values are named with what is allowed', (t) => {
  const e = t.throws(() => make({ direction: 'sideways' }));
  t.regex(e!.message, /direction/);
  t.regex(e!.message, /below/);
});
