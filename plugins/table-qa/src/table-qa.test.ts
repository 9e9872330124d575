import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { AnnealError, validateConfig } from '@anneal/core';
import { NUMERIC_TEMPLATES, TEXT_TEMPLATES, byCategory, makeTableQaDataset, questionText, tableQaConfigSchema, tableQaDataset, tableText, type TableQaSplit } from './index.js';

/** A dataset of tiny 4-row tables with entries in [−9, 9] (train and test alike), restricted to `templates`. */
function tiny(mode: string, templates: string[], seed: number, extra: Record<string, unknown> = {}) {
  const config = validateConfig('test', tableQaConfigSchema, {
    mode, templates, rowsMin: 4, rowsMax: 4, testRows: 4, columns: 3, entryMin: -9, entryMax: 9, testEntryMin: -9, testEntryMax: 9, vocabulary: 3, ...extra,
  });
  return makeTableQaDataset(config, seed);
}
const train = (ds: ReturnType<typeof tiny>) => ds.splits.train as TableQaSplit;
const testSplit = (ds: ReturnType<typeof tiny>) => ds.splits.test as TableQaSplit;

test('23 single-column templates in 4 categories (3 aggregation, 6 comparison, 12 logic, 2 arithmetic), 3 text templates', (t) => {
  t.is(NUMERIC_TEMPLATES.length, 23);
  t.deepEqual(byCategory(NUMERIC_TEMPLATES).map((g) => [g.category, g.templates.length]), [['aggregation', 3], ['comparison', 6], ['logic', 12], ['arithmetic', 2]]);
  t.deepEqual(TEXT_TEMPLATES.map((x) => x.name), ['word-sum', 'word-count', 'word-print']);
});

test('aggregation by hand: sum of [6, −7, −1, −6] = −8; count of 4 rows = 4', (t) => {
  const ex = testSplit(tiny('single-column', ['sum'], 1)).example(0);
  t.deepEqual(ex.table, [[6], [-7], [-1], [-6]]);
  t.is(questionText(ex), 'sum');
  t.deepEqual(ex.answer, { kind: 'scalar', value: -8 });
  const c = train(tiny('single-column', ['count'], 7)).example(0);
  t.deepEqual(c.answer, { kind: 'scalar', value: 4 });
});

test('comparison by hand: lesser −3.12 sum over [−7, −4, −1, −4] = −7 − 4 − 4 = −15 (strictly less)', (t) => {
  const ex = testSplit(tiny('single-column', ['lesser-sum'], 3)).example(0);
  t.deepEqual(ex.table, [[-7], [-4], [-1], [-4]]);
  t.is(questionText(ex), 'lesser -3.12 sum');
  t.deepEqual(ex.words, ['lesser', 'sum']);
  t.deepEqual(ex.numbers, [-3.12]);
  t.deepEqual(ex.numberPositions, [0]);
  t.deepEqual(ex.answer, { kind: 'scalar', value: -15 });
});

test('logic by hand: greater −5.64 and lesser −2.68 sum over [−2, 2, 7, −2] = 0 (empty); or count = 4; or print = every cell', (t) => {
  const and = train(tiny('single-column', ['greater-and-lesser-sum'], 7)).example(0);
  t.deepEqual(and.table, [[-2], [2], [7], [-2]]);
  t.is(questionText(and), 'greater -5.64 and lesser -2.68 sum');
  t.deepEqual(and.numberPositions, [0, 2]); // the words left of the numbers: 'greater', 'lesser'
  t.deepEqual(and.answer, { kind: 'scalar', value: 0 });
  const or = train(tiny('single-column', ['lesser-or-greater-count'], 7)).example(0);
  t.is(questionText(or), 'lesser -5.64 or greater -2.68 count');
  t.deepEqual(or.answer, { kind: 'scalar', value: 4 }); // −2 > −2.68, 2, 7, −2: every row
  const print = testSplit(tiny('single-column', ['greater-or-lesser-print'], 5)).example(0);
  t.deepEqual(print.table, [[0], [-6], [-9], [4]]);
  t.is(questionText(print), 'greater 1.95 or lesser 3.53 print');
  t.deepEqual(print.answer, { kind: 'lookup', cells: [[0, 0], [1, 0], [2, 0], [3, 0]] });
});

test('arithmetic by hand: over [−2, 2, 7, −2], sum diff count = 5 − 4 = 1 and count diff sum = 4 − 5 = −1', (t) => {
  const a = train(tiny('single-column', ['sum-diff-count'], 7)).example(0);
  t.deepEqual(a.table, [[-2], [2], [7], [-2]]);
  t.deepEqual(a.answer, { kind: 'scalar', value: 1 });
  const b = train(tiny('single-column', ['count-diff-sum'], 7)).example(0);
  t.deepEqual(b.answer, { kind: 'scalar', value: -1 });
});

test('multi-column by hand: questions name columns; test tables always have all C columns', (t) => {
  const ex = testSplit(tiny('multi-column', ['lesser-count'], 3)).example(0);
  t.is(questionText(ex), 'lesser 7.09 C count');
  t.deepEqual(ex.columnNames, ['A', 'B', 'C']);
  t.deepEqual(ex.table, [[-7, -4, -1], [-4, 1, -3], [-3, -7, -6], [-9, 6, -1]]);
  t.deepEqual(ex.answer, { kind: 'scalar', value: 4 }); // column C: −1, −3, −6, −1 all < 7.09
  const and = testSplit(tiny('multi-column', ['greater-and-lesser-sum'], 3)).example(0);
  t.is(questionText(and), 'greater 7.09 C and lesser 1.10 C sum B');
  t.deepEqual(and.answer, { kind: 'scalar', value: 0 }); // nothing in C exceeds 7.09
  // Training tables: 1..C columns, each count seen.
  const ds = tiny('multi-column', ['sum'], 1);
  const seen = new Set(Array.from({ length: 60 }, (_, i) => train(ds).example(i).columnNames.length));
  t.deepEqual([...seen].sort(), [1, 2, 3]);
  t.true(Array.from({ length: 20 }, (_, i) => testSplit(ds).example(i).columnNames.length).every((n) => n === 3));
});

test('text entries by hand: word:1 A count over A = [word:1, word:2, word:1, word:2] = 2; word:1 A print B = B1, B3', (t) => {
  const c = train(tiny('text-entries', ['word-count'], 7)).example(0);
  t.is(questionText(c), 'word:1 A count');
  t.deepEqual(c.text, [1, 2, 1, 2]);
  t.deepEqual(c.table, [[0, 1], [0, 2], [0, -2], [0, -6]]);
  t.deepEqual(c.answer, { kind: 'scalar', value: 2 });
  const p = train(tiny('text-entries', ['word-print'], 7)).example(0);
  t.is(questionText(p), 'word:1 A print B');
  t.deepEqual(p.answer, { kind: 'lookup', cells: [[0, 1], [2, 1]] });
  t.is(train(tiny('text-entries', ['word-print'], 7)).describe(0).answer, 'B1=1 B3=-2');
});

test('an example is a pure function of (seed, index): regenerated alike, in any order; another seed or split differs', (t) => {
  const config = validateConfig('test', tableQaConfigSchema, {});
  const a = makeTableQaDataset(config, 11).splits.train as TableQaSplit;
  const b = makeTableQaDataset(config, 11).splits.train as TableQaSplit;
  const later = a.example(4321);
  a.example(5);
  t.deepEqual(b.example(4321), later);
  t.deepEqual(a.example(4321), later);
  t.notDeepEqual(makeTableQaDataset(config, 12).splits.train.describe!(4321), a.describe(4321));
  t.notDeepEqual((makeTableQaDataset(config, 11).splits.test as TableQaSplit).example(0).table, a.example(0).table);
  // Paper ranges: train 30..100 rows in [−100, 100]; test 120 rows in [−200, 200]; numbers with two decimals.
  for (let i = 0; i < 50; i++) {
    const ex = a.example(i);
    t.true(ex.table.length >= 30 && ex.table.length <= 100);
    t.true(ex.table.every((r) => r.every((v) => Number.isInteger(v) && v >= -100 && v <= 100)));
    t.true(ex.numbers.every((n) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-6 && n >= -100 && n <= 100));
  }
  const te = makeTableQaDataset(config, 11).splits.test as TableQaSplit;
  t.true(Array.from({ length: 20 }, (_, i) => te.example(i)).every((ex) => ex.table.length === 120 && ex.table.every((r) => r.every((v) => v >= -200 && v <= 200))));
});

test('categories are drawn uniformly, then a template inside (2000 draws: each of 4 categories ≈ 25%)', (t) => {
  const ds = makeTableQaDataset(validateConfig('test', tableQaConfigSchema, { rowsMin: 2, rowsMax: 2 }), 3).splits.train as TableQaSplit;
  const counts: Record<string, number> = {};
  for (let i = 0; i < 2000; i++) counts[ds.example(i).template.category] = (counts[ds.example(i).template.category] ?? 0) + 1;
  for (const c of ['aggregation', 'comparison', 'logic', 'arithmetic']) t.true(Math.abs(counts[c] / 2000 - 0.25) < 0.04, `${c}: ${counts[c]}`);
});

test('batch tensors: padded to the split maximum, masks, answers and lookup targets', (t) => {
  const ds = tiny('text-entries', ['word-print'], 7);
  const batch = ds.splits.train.batch(new Int32Array([0]), undefined as never);
  t.deepEqual(batch.table.shape, [1, 4, 2]);
  t.deepEqual(Array.from(batch.lookupAnswer.dataSync()), [0, 1, 0, 0, 0, 1, 0, 0]);
  t.deepEqual(Array.from(batch.isScalar.dataSync()), [0]);
  t.deepEqual(Array.from(batch.wordMask.dataSync()), [1, 1, 1, 1, 0, 0, 0]);
  t.deepEqual(Array.from(batch.numberMask.dataSync()), [0, 0]);
  const vocab = ds.info.vocabulary as string[];
  t.deepEqual(Array.from(batch.textIds.dataSync()).map((i) => vocab[i]), ['word:1', 'word:2', 'word:1', 'word:2']);
  tf.dispose(Object.values(batch));
});

const configError = async (t: import('ava').ExecutionContext, config: Record<string, unknown>, key: string, text: RegExp) => {
  const err = await t.throwsAsync(async () => {
    const validated = validateConfig("dataset 'table-qa'", tableQaConfigSchema, config);
    await tableQaDataset.load(validated, { seed: 1 });
  });
  t.true(err instanceof AnnealError, String(err));
  t.is((err as AnnealError).code, 'ANNEAL_ERR_CONFIG_VALUE');
  t.true(err!.message.includes(key), err!.message);
  t.regex(err!.message, text);
};

test('bad settings: ANNEAL_ERR_CONFIG_VALUE naming the key and the allowed range', async (t) => {
  await configError(t, { mode: 'multi-column', columns: 0 }, 'columns', /≥ 1/);
  await configError(t, { mode: 'text-entries', vocabulary: 0 }, 'vocabulary', /≥ 1/);
  await configError(t, { rowsMin: 50, rowsMax: 40 }, 'rowsMin', /≤ rowsMax \(40\)/);
  await configError(t, { entryMin: 5, entryMax: 5 }, 'entryMin', /< entryMax/);
  await configError(t, { templates: ['sum', 'average'] }, 'templates', /unknown template 'average'.*allowed: sum, count, print/);
  await configError(t, { templates: ['word-sum'] }, 'templates', /for mode 'single-column'/);
});

test('the table as text: blocks of 15 rows, one line per column, the row range on the first line', (t) => {
  const ds = makeTableQaDataset(validateConfig('test', tableQaConfigSchema, { mode: 'multi-column', columns: 2, rowsMin: 17, rowsMax: 17 }), 1);
  const ex = (ds.splits.train as TableQaSplit).example(0);
  const cols = ex.columnNames.length;
  const text = tableText(ex).split('\n');
  t.is(text.length, 2 * cols + (cols > 1 ? 1 : 0));
  t.regex(text[0], /^rows 1–15 {3}A( +-?\d+){15}$/);
  t.is(text[0].trim().split(/ +/).slice(3).map(Number).join(','), ex.table.slice(0, 15).map((r) => r[0]).join(','));
  t.regex(text[text.length - cols], /^rows 16–17 {2}A( +-?\d+){2}$/);
  const words = tableText(train(tiny('text-entries', ['word-count'], 7)).example(0)).split('\n');
  t.deepEqual(words, ['rows 1–4  A  word:1 word:2 word:1 word:2', '          B       1      2     -2     -6']);
});
