import test from 'ava';
import { medianIntervalCoverage, shareVerdict } from './share-verdict.js';

test('coverage of [k-th lowest, k-th highest] for a median, by hand: 1 − 2 · P(Binomial(n, ½) < k)', (t) => {
  t.is(medianIntervalCoverage(5, 1), 1 - 2 / 32); // 0.9375
  t.is(medianIntervalCoverage(3, 1), 0.75);
  t.is(medianIntervalCoverage(9, 2), 1 - (2 * (1 + 9)) / 512); // 0.9609…
  t.is(medianIntervalCoverage(9, 3), 1 - (2 * (1 + 9 + 36)) / 512); // 0.8203…: below 90 %, so 9 rounds use k = 2
  t.is(medianIntervalCoverage(15, 4), 1 - (2 * (1 + 15 + 105 + 455)) / 32768); // 0.9648…
  t.is(medianIntervalCoverage(15, 5), 1 - (2 * (1 + 15 + 105 + 455 + 1365)) / 32768); // 0.8815…
});

test('a noise share over rounds: the median, its order-statistic interval, and a verdict on the whole interval', (t) => {
  const five = shareVerdict([0.061, 0.021, 0.049, 0.08, 0.035], 0.05);
  t.deepEqual([five.median, five.low, five.high, five.confidence, five.verdict], [0.049, 0.021, 0.08, 0.9375, 'undecided'], 'a median under the target with a round above it is not "met"');
  t.is(shareVerdict([0.01, 0.05, 0.03], 0.05).verdict, 'met', 'an interval ending exactly at the target meets it');
  t.is(shareVerdict([0.01, 0.05, 0.03], 0.05).confidence, 0.75);
  const even = shareVerdict([0.051, 0.09, 0.07, 0.06], 0.05);
  t.deepEqual([even.median, even.verdict], [0.065, 'NOT met'], 'an even count: the mean of the middle two');
  // 9 rounds: the 2nd lowest to the 2nd highest, so one wild round each side does not decide
  const nine = shareVerdict([-0.4, 0.01, 0.02, 0.02, 0.03, 0.03, 0.04, 0.045, 0.3], 0.05);
  t.deepEqual([nine.low, nine.high, nine.verdict], [0.01, 0.045, 'met']);
  t.is(nine.confidence, 1 - 20 / 512);
  t.throws(() => shareVerdict([], 0.05), { message: /no rounds/ });
});
