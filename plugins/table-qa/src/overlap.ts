import { questionText, type GeneratorSettings, type TableQaExample } from './generator.js';

/**
 * Whether test examples can coincide with training ones (the same question on the same table).
 *
 * The spec (paper-spec §3.1, after NP16 §3.1) wants test questions that are not training questions. The
 * generator draws the two splits from different streams, and in the paper's setting (and the quick one)
 * they are disjoint by construction: every test table has `testRows` rows and no training table has that
 * many (120 vs 30–100; quick: 40 vs 10–30). When the row counts can coincide, a coincidence needs the whole
 * table, the template and the question numbers to match, which only tiny settings make likely;
 * `measureOverlap` counts them on a sample.
 */
export function disjointByConstruction(train: GeneratorSettings, test: GeneratorSettings): string | null {
  const rows = (s: GeneratorSettings) => `${s.rowsMin === s.rowsMax ? s.rowsMin : `${s.rowsMin}–${s.rowsMax}`} rows`;
  if (test.rowsMax < train.rowsMin || test.rowsMin > train.rowsMax) return `test tables have ${rows(test)}, training tables ${rows(train)}`;
  return null;
}

/** A key naming an example's question and table exactly (template, question text, column names, cells). */
export function exampleKey(ex: TableQaExample): string {
  const text = ex.text ? `|${ex.text.join(',')}` : '';
  return `${ex.template.name}|${questionText(ex)}|${ex.columnNames.join('')}|${ex.table.map((r) => r.join(',')).join(';')}${text}`;
}

export interface OverlapCount {
  readonly trainChecked: number;
  readonly testChecked: number;
  /** Test examples (of those checked) equal to a checked training example. */
  readonly testInTrain: number;
  /** Test examples (of those checked) equal to an earlier test example. */
  readonly testRepeats: number;
}

/** Counts coincidences between the first `trainN` training and the first `testN` test examples. */
export function measureOverlap(split: { train: { example(i: number): TableQaExample; size: number }; test: { example(i: number): TableQaExample; size: number } }, trainN: number, testN: number): OverlapCount {
  const trainChecked = Math.min(trainN, split.train.size);
  const testChecked = Math.min(testN, split.test.size);
  const seen = new Set<string>();
  for (let i = 0; i < trainChecked; i++) seen.add(exampleKey(split.train.example(i)));
  const tested = new Set<string>();
  let testInTrain = 0;
  let testRepeats = 0;
  for (let i = 0; i < testChecked; i++) {
    const key = exampleKey(split.test.example(i));
    if (seen.has(key)) testInTrain++;
    if (tested.has(key)) testRepeats++;
    tested.add(key);
  }
  return { trainChecked, testChecked, testInTrain, testRepeats };
}
