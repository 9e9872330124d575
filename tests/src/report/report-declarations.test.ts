import test from 'ava';
import { isAnnealError, type Recipe } from '@anneal/core';
import { validateRecipeShape } from '@anneal/registry';
import { table1Recipes, table2Recipes } from '@anneal/recipes';

test('Table 1 recipes declare best/average of test accuracy; Table 2 recipes restart selection by train error', (t) => {
  for (const r of table1Recipes) {
    t.deepEqual(r.report, { layout: 'best-average', metric: 'test/accuracy', baseline: 'no-noise' }, r.name);
    t.notThrows(() => validateRecipeShape(r));
  }
  for (const r of table2Recipes) {
    t.deepEqual(r.report, { layout: 'restart-selection', metric: 'train/error', columns: ['train/error', 'validation/error'], baseline: 'no-noise' }, r.name);
    t.deepEqual(r.report && 'columns' in r.report ? r.report.columns : [], Object.keys(r.paper!.values.noise), "the columns are the paper's");
    t.notThrows(() => validateRecipeShape(r));
  }
});

test('a bad report declaration names the field, what is allowed and the nearest name', (t) => {
  const err = (report: unknown) => {
    const e = t.throws(() => validateRecipeShape({ ...table1Recipes[0], report } as unknown as Recipe));
    t.true(isAnnealError(e, 'ANNEAL_ERR_RECIPE_INVALID'), e?.message);
    return e!.message;
  };
  t.regex(err({ layout: 'best-averag', metric: 'test/accuracy' }), /"best-averag" is not allowed; use one of 'best-average', .*Did you mean 'best-average'\? \(at report\.layout\)/);
  t.regex(err({ layout: 'success-rate', metric: 'test/error', threshold: 0.01 }), /is required \(report needs 'reach'\) \(at report\.reach\)/);
  t.regex(err({ layout: 'threshold-counts', metric: 'test/error', thresholds: [] }), /\(at report\.thresholds\)/);
  t.regex(err({ layout: 'grid-best', metric: 'accuracy', taskKeys: ['dataset.config.task'] }), /<split>\/<metric>.*\(at report\.metric\)/);
});
