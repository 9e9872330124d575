import * as tf from '@tensorflow/tfjs-core';
import { AnnealError, defineSchema, definePlugin, type Batch, type ConfigOf, type DataSplit, type Dataset, type DatasetInfo } from '@anneal/core';
import {
  MAX_QUESTION_NUMBERS,
  columnName,
  generateExample,
  maxQuestionWords,
  questionText,
  tableText,
  textWord,
  type GeneratorSettings,
  type TableQaExample,
} from './generator.js';
import { ALL_TEMPLATE_NAMES, TABLE_QA_MODES, byCategory, templatesFor, type TableQaMode } from './templates.js';

export const tableQaConfigSchema = defineSchema({
  mode: { type: 'string', oneOf: TABLE_QA_MODES, default: 'single-column', description: "'single-column' (23 templates), 'multi-column' (columns A, B, C, … named in the question) or 'text-entries' (one text column A over word:0..word:<vocabulary−1>, one numeric column B)" },
  columns: { type: 'number', integer: true, min: 1, max: 26, default: 5, description: 'multi-column: most columns of a training table (1..columns, uniform) and the columns of every test table; ignored by single-column (1) and text-entries (2)' },
  vocabulary: { type: 'number', integer: true, min: 1, max: 1000, default: 10, description: 'text-entries: number of text words word:0..word:<vocabulary−1>' },
  trainSize: { type: 'number', integer: true, min: 1, default: 50000, description: 'training triples (the paper: 50,000)' },
  testSize: { type: 'number', integer: true, min: 1, default: 1000, description: 'test triples (not stated in the paper [A: 1,000])' },
  rowsMin: { type: 'number', integer: true, min: 1, max: 10000, default: 30, description: 'fewest rows of a training table (the paper: 30)' },
  rowsMax: { type: 'number', integer: true, min: 1, max: 10000, default: 100, description: 'most rows of a training table (the paper: 100)' },
  testRows: { type: 'number', integer: true, min: 1, max: 10000, default: 120, description: 'rows of every test table (the paper: 120); outside rowsMin..rowsMax, no test table equals a training table (disjointByConstruction)' },
  entryMin: { type: 'number', integer: true, default: -100, description: 'smallest training entry (entries are integers; question numbers have two decimals)' },
  entryMax: { type: 'number', integer: true, default: 100, description: 'largest training entry' },
  testEntryMin: { type: 'number', integer: true, default: -200, description: 'smallest test entry' },
  testEntryMax: { type: 'number', integer: true, default: 200, description: 'largest test entry' },
  templates: { type: 'string[]', optional: true, description: `only these templates (default: all of the mode), e.g. ['sum', 'count']; names: ${ALL_TEMPLATE_NAMES.join(', ')}` },
  seed: { type: 'number', integer: true, min: 0, optional: true, description: "generator seed; default: the run's data seed. Fix it to give every run the same train and test questions" },
});
export type TableQaConfig = ConfigOf<typeof tableQaConfigSchema>;

const OWNER = "dataset 'table-qa'";

function bad(key: string, value: unknown, message: string): AnnealError {
  return new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `${OWNER}: ${key} = ${JSON.stringify(value)}: ${message}`, { owner: OWNER, key, value });
}

/** Cross-field checks the schema cannot express; each names the key, the allowed range and the fix. */
export function resolveSettings(config: TableQaConfig): { train: GeneratorSettings; test: GeneratorSettings } {
  const mode = config.mode as TableQaMode;
  if (config.rowsMin > config.rowsMax) throw bad('rowsMin', config.rowsMin, `must be ≤ rowsMax (${config.rowsMax}); lower rowsMin or raise rowsMax.`);
  if (config.entryMin >= config.entryMax) throw bad('entryMin', config.entryMin, `must be < entryMax (${config.entryMax}).`);
  if (config.testEntryMin >= config.testEntryMax) throw bad('testEntryMin', config.testEntryMin, `must be < testEntryMax (${config.testEntryMax}).`);
  const available = templatesFor(mode);
  let templates = available;
  if (config.templates !== undefined) {
    const names = available.map((t) => t.name);
    const unknown = config.templates.filter((n) => !names.includes(n));
    if (unknown.length > 0) throw bad('templates', config.templates, `unknown template${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `'${n}'`).join(', ')} for mode '${mode}'; allowed: ${names.join(', ')}.`);
    if (config.templates.length === 0) throw bad('templates', config.templates, `must name at least one template; allowed: ${names.join(', ')}.`);
    templates = available.filter((t) => config.templates!.includes(t.name));
  }
  const columns = mode === 'single-column' ? 1 : mode === 'text-entries' ? 2 : config.columns;
  const common = { mode, columns, vocabulary: config.vocabulary, templates };
  return {
    train: { ...common, columnsMin: mode === 'multi-column' ? 1 : columns, rowsMin: config.rowsMin, rowsMax: config.rowsMax, entryMin: config.entryMin, entryMax: config.entryMax },
    test: { ...common, columnsMin: columns, rowsMin: config.testRows, rowsMax: config.testRows, entryMin: config.testEntryMin, entryMax: config.testEntryMax },
  };
}

/** Question vocabulary: 0 = padding, then operation words, column names, text words. */
export function tableQaVocabulary(mode: TableQaMode, columns: number, vocabulary: number): string[] {
  const words = ['<pad>', 'sum', 'count', 'print', 'greater', 'lesser', 'and', 'or', 'diff'];
  for (let j = 0; j < columns; j++) words.push(columnName(j));
  if (mode === 'text-entries') for (let k = 0; k < vocabulary; k++) words.push(textWord(k));
  return words;
}

/** Integer ids of the template categories in a batch's `category` tensor: TEMPLATE_CATEGORIES order. */
export interface TableQaShapes {
  readonly rows: number;
  readonly columns: number;
  readonly words: number;
  readonly numbers: number;
  readonly text: boolean;
}

export class TableQaSplit implements DataSplit {
  private readonly wordId: Map<string, number>;
  private readonly categoryId: Map<string, number>;
  constructor(
    readonly settings: GeneratorSettings,
    private readonly seed: number,
    private readonly stream: string,
    readonly size: number,
    vocabulary: readonly string[],
    categories: readonly string[],
  ) {
    this.wordId = new Map(vocabulary.map((w, i) => [w, i]));
    this.categoryId = new Map(categories.map((c, i) => [c, i]));
  }

  get shapes(): TableQaShapes {
    return { rows: this.settings.rowsMax, columns: this.settings.columns, words: maxQuestionWords(this.settings.mode), numbers: MAX_QUESTION_NUMBERS, text: this.settings.mode === 'text-entries' };
  }

  example(index: number): TableQaExample {
    if (!(Number.isInteger(index) && index >= 0 && index < this.size)) throw new RangeError(`${OWNER}: example ${index} is outside the ${this.stream} split (size ${this.size})`);
    return generateExample(this.settings, this.seed, this.stream, index);
  }

  describe(index: number): Readonly<Record<string, unknown>> {
    const ex = this.example(index);
    const a = ex.answer;
    return {
      template: ex.template.name,
      category: ex.template.category,
      question: questionText(ex),
      rows: ex.table.length,
      table: tableText(ex),
      answer: a.kind === 'scalar' ? a.value : a.cells.length === 0 ? '(no cells)' : a.cells.map(([i, j]) => `${ex.columnNames[j]}${i + 1}=${ex.table[i][j]}`).join(' '),
    };
  }

  batch(indices: Int32Array): Batch {
    const { rows: R, columns: C, words: L, numbers: N, text } = this.shapes;
    const b = indices.length;
    const words = new Int32Array(b * L);
    const wordMask = new Float32Array(b * L);
    const numbers = new Float32Array(b * N);
    const numberPos = new Int32Array(b * N);
    const numberMask = new Float32Array(b * N);
    const table = new Float32Array(b * R * C);
    const rowMask = new Float32Array(b * R);
    const columnMask = new Float32Array(b * C);
    const textIds = new Int32Array(text ? b * R : 0);
    const isScalar = new Float32Array(b);
    const scalar = new Float32Array(b);
    const lookup = new Float32Array(b * R * C);
    const category = new Int32Array(b);
    for (let k = 0; k < b; k++) {
      const ex = this.example(indices[k]);
      ex.words.forEach((w, i) => {
        words[k * L + i] = this.wordId.get(w)!;
        wordMask[k * L + i] = 1;
      });
      ex.numbers.forEach((n, i) => {
        numbers[k * N + i] = n;
        numberPos[k * N + i] = ex.numberPositions[i];
        numberMask[k * N + i] = 1;
      });
      const cols = ex.columnNames.length;
      for (let j = 0; j < cols; j++) columnMask[k * C + j] = 1;
      ex.table.forEach((row, i) => {
        rowMask[k * R + i] = 1;
        row.forEach((v, j) => (table[(k * R + i) * C + j] = v));
        if (text) textIds[k * R + i] = this.wordId.get(textWord(ex.text![i]))!;
      });
      if (ex.answer.kind === 'scalar') {
        isScalar[k] = 1;
        scalar[k] = ex.answer.value;
      } else for (const [i, j] of ex.answer.cells) lookup[(k * R + i) * C + j] = 1;
      category[k] = this.categoryId.get(ex.template.category)!;
    }
    return {
      words: tf.tensor2d(words, [b, L], 'int32'),
      wordMask: tf.tensor2d(wordMask, [b, L], 'float32'),
      numbers: tf.tensor2d(numbers, [b, N], 'float32'),
      numberPos: tf.tensor2d(numberPos, [b, N], 'int32'),
      numberMask: tf.tensor2d(numberMask, [b, N], 'float32'),
      table: tf.tensor3d(table, [b, R, C], 'float32'),
      rowMask: tf.tensor2d(rowMask, [b, R], 'float32'),
      columnMask: tf.tensor2d(columnMask, [b, C], 'float32'),
      ...(text ? { textIds: tf.tensor2d(textIds, [b, R], 'int32') } : {}),
      isScalar: tf.tensor1d(isScalar, 'float32'),
      scalarAnswer: tf.tensor1d(scalar, 'float32'),
      lookupAnswer: tf.tensor3d(lookup, [b, R, C], 'float32'),
      category: tf.tensor1d(category, 'int32'),
    };
  }
}

/** Builds the dataset (no tensors until a batch is asked for). `seed` is the generator seed. */
export function makeTableQaDataset(config: TableQaConfig, seed: number): Dataset {
  const s = resolveSettings(config);
  const mode = s.train.mode;
  const vocabulary = tableQaVocabulary(mode, s.train.columns, s.train.vocabulary);
  const categories = byCategory(s.train.templates).map((g) => g.category);
  const info: DatasetInfo = Object.freeze({
    mode,
    vocabulary: Object.freeze(vocabulary),
    vocabSize: vocabulary.length,
    columns: s.train.columns,
    columnWords: Object.freeze(Array.from({ length: s.train.columns }, (_, j) => vocabulary.indexOf(columnName(j)))),
    textColumns: mode === 'text-entries' ? 1 : 0,
    questionWords: maxQuestionWords(mode),
    questionNumbers: MAX_QUESTION_NUMBERS,
    categories: Object.freeze(categories),
    templates: Object.freeze(s.train.templates.map((t) => t.name)),
    trainSize: config.trainSize,
    testSize: config.testSize,
    seed,
  });
  return {
    name: 'table-qa',
    info,
    splits: Object.freeze({
      train: new TableQaSplit(s.train, seed, 'train', config.trainSize, vocabulary, categories),
      test: new TableQaSplit(s.test, seed, 'test', config.testSize, vocabulary, categories),
    }),
  };
}

export const tableQaDataset = definePlugin.dataset({
  manifest: {
    name: 'table-qa',
    version: '0.1.0',
    kind: 'dataset',
    configSchema: tableQaConfigSchema,
    card: {
      summary:
        'Seeded synthetic table QA of the Neural Programmer: 23 single-column templates (sum, count, print, greater/lesser, and/or, diff), multi-column (A, B, C…) and text entries; every example a pure function of (seed, index).',
      paper: 'Neelakantan et al. 2015, §4.3 / Table 3; Neelakantan, Le & Sutskever 2016 (Neural Programmer), §3.1 and appendix Table 4',
      details:
        'Train: integer entries in [−100, 100], 30..100 rows; test: [−200, 200], 120 rows, so no test question shares its table with a training one (measureOverlap counts coincidences on a sample). Templates: a category uniformly (aggregation, comparison, logic, arithmetic[, text]), then a template in it. ' +
        'Batch: words int32 [b, L] (numbers removed), wordMask, numbers float32 [b, 2], numberPos int32 [b, 2] (word left of each number), numberMask, table float32 [b, R, C], rowMask [b, R], columnMask [b, C], ' +
        'textIds int32 [b, R] (text entries: column A), isScalar [b], scalarAnswer [b], lookupAnswer float32 [b, R, C], category int32 [b] (index into info.categories).',
    },
  },
  async load(config, ctx) {
    return makeTableQaDataset(config, config.seed ?? ctx.seed);
  },
});
