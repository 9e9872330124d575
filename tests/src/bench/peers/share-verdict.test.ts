import test from 'ava';
import { shareVerdict } from './share-verdict.js';

test('a noise share over rounds: the median, the lowest–highest interval with its order-statistic confidence, and a verdict that needs every round', (t) => {
  // 5 rounds: P(min ≤ median ≤ max) = 1 − 2 · (1/2)^5 = 1 − 1/16 = 0.9375
  const straddling = shareVerdict([0.061, 0.021, 0.049, 0.08, 0.035], 0.05);
  t.is(straddling.median, 0.049);
  t.is(straddling.low, 0.021);
  t.is(straddling.high, 0.08);
  t.is(straddling.confidence, 0.9375);
  t.is(straddling.verdict, 'undecided', 'a median under the target with a round above it is not "met"');
  t.is(shareVerdict([0.01, 0.05, 0.03], 0.05).verdict, 'met', 'a round exactly at the target meets it');
  t.is(shareVerdict([0.01, 0.05, 0.03], 0.05).confidence, 0.75);
  t.is(shareVerdict([0.051, 0.09, 0.07, 0.06], 0.05).verdict, 'NOT met');
  t.is(shareVerdict([0.051, 0.09, 0.07, 0.06], 0.05).median, 0.065, 'an even count: the mean of the middle two');
  t.throws(() => shareVerdict([], 0.05), { message: /no rounds/ });
});
