import test from 'ava';
import { isAnnealError, validateReportSpec } from '@anneal/core';
import { table1Recipes } from './table1/index.js';
import { table2Recipes } from './table2/index.js';

test('Table 1 recipes declare best/average of test accuracy; Table 2 recipes restart selection by train error', (t) => {
  for (const r of table1Recipes) {
    t.deepEqual(r.report, { layout: 'best-average', metric: 'test/accuracy', baseline: 'no-noise' }, r.name);
    t.notThrows(() => validateReportSpec(r.name, r.report));
  }
  for (const r of table2Recipes) {
    t.deepEqual(r.report, { layout: 'restart-selection', metric: 'train/error', columns: ['train/error', 'validation/error'], baseline: 'no-noise' }, r.name);
    t.deepEqual(r.report && 'columns' in r.report ? r.report.columns : [], Object.keys(r.paper!.values.noise), 'the columns are the paper\'s');
    t.notThrows(() => validateReportSpec(r.name, r.report));
  }
});

test('a bad report declaration names the field and the fix', (t) => {
  const err = (spec: unknown) => {
    const e = t.throws(() => validateReportSpec('mine', spec));
    t.true(isAnnealError(e, 'ANNEAL_ERR_RECIPE_INVALID'));
    return e!.message;
  };
  t.regex(err({ layout: 'best-averag', metric: 'test/accuracy' }), /recipe 'mine': report layout "best-averag" is not one of best-average, .*Did you mean 'best-average'/);
  t.regex(err({ layout: 'success-rate', metric: 'test/error', threshold: 0.01 }), /reach must be 'at-most' \(errors\) or 'at-least' \(accuracies\)/);
  t.regex(err({ layout: 'threshold-counts', metric: 'test/error', thresholds: [] }), /thresholds must be a non-empty list of numbers/);
  t.regex(err({ layout: 'grid-best', metric: 'accuracy', taskKeys: ['dataset.config.task'] }), /metric must be a tracked key '<split>\/<metric>'/);
});
