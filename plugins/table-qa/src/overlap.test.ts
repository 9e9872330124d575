import test from 'ava';
import { validateConfig } from '@anneal/core';
import { disjointByConstruction, makeTableQaDataset, measureOverlap, resolveSettings, tableQaConfigSchema, type TableQaSplit } from './index.js';

const load = (config: Record<string, unknown>, seed = 1) => {
  const c = validateConfig('test', tableQaConfigSchema, config);
  const ds = makeTableQaDataset(c, seed);
  return { settings: resolveSettings(c), split: { train: ds.splits.train as TableQaSplit, test: ds.splits.test as TableQaSplit } };
};
/** The quick variants' sizes (recipes/src/np/np-recipe.ts npQuick). */
const QUICK = { trainSize: 5000, testSize: 500, rowsMin: 10, rowsMax: 30, testRows: 40 };

test("the paper's and the quick settings: test tables differ from every training table by construction (row count)", (t) => {
  for (const mode of ['single-column', 'multi-column', 'text-entries']) {
    const paper = load({ mode }).settings;
    t.is(disjointByConstruction(paper.train, paper.test), 'test tables have 120 rows, training tables 30–100 rows');
    const quick = load({ mode, ...QUICK }).settings;
    t.is(disjointByConstruction(quick.train, quick.test), 'test tables have 40 rows, training tables 10–30 rows');
  }
  const same = load({ rowsMin: 30, rowsMax: 100, testRows: 60 }).settings;
  t.is(disjointByConstruction(same.train, same.test), null);
});

test('measured on a sample: no test question on the same table as a training one, no test question repeated', (t) => {
  for (const mode of ['single-column', 'multi-column', 'text-entries']) {
    const quick = measureOverlap(load({ mode, ...QUICK }).split, 5000, 500);
    t.deepEqual(quick, { trainChecked: 5000, testChecked: 500, testInTrain: 0, testRepeats: 0 }, `${mode} quick`);
    // Training-sized test tables in the training range: still none (a coincidence needs the whole table).
    const overlapping = measureOverlap(load({ mode, trainSize: 5000, testSize: 500, rowsMin: 10, rowsMax: 30, testRows: 10, testEntryMin: -100, testEntryMax: 100 }).split, 5000, 500);
    t.is(overlapping.testInTrain + overlapping.testRepeats, 0, `${mode} with coinciding sizes`);
  }
});

test('the measure finds coincidences where they are likely: 1-row tables with entries in [−2, 2], sum/count only', (t) => {
  const tiny = { templates: ['sum', 'count'], rowsMin: 1, rowsMax: 1, testRows: 1, entryMin: -2, entryMax: 2, testEntryMin: -2, testEntryMax: 2, trainSize: 200, testSize: 50 };
  const m = measureOverlap(load(tiny).split, 200, 50);
  // 2 templates × 5 one-cell tables = 10 distinct examples: every test question was seen in training.
  t.is(m.testInTrain, 50);
  t.is(m.testRepeats, 40);
});
