import { Rng, deriveSeed } from '@anneal/core';
import { byCategory, type Comparison, type Template, type TableQaMode } from './templates.js';

/** Everything one split's generator needs: a pure function of (these settings, seed, index). */
export interface GeneratorSettings {
  readonly mode: TableQaMode;
  /** Most columns of a table (multi-column: tables have columnsMin..columns of them; text entries: 2). */
  readonly columns: number;
  /** Fewest columns of a table (training: 1; test: = columns). */
  readonly columnsMin: number;
  /** Text words word:0 … word:(vocabulary−1) (text entries). */
  readonly vocabulary: number;
  readonly rowsMin: number;
  readonly rowsMax: number;
  /** Numeric entries are integers uniform on [entryMin, entryMax]; question numbers uniform on it with two decimals. */
  readonly entryMin: number;
  readonly entryMax: number;
  readonly templates: readonly Template[];
}

export type Answer = { readonly kind: 'scalar'; readonly value: number } | { readonly kind: 'lookup'; readonly cells: readonly (readonly [number, number])[] };

export interface TableQaExample {
  readonly template: Template;
  /** Question words with the numbers taken out (the model reads these). */
  readonly words: readonly string[];
  /** Question numbers, in order. */
  readonly numbers: readonly number[];
  /** For each number, the index in `words` of the word to its left. */
  readonly numberPositions: readonly number[];
  readonly columnNames: readonly string[];
  /** Column 0 is a text column (text entries); its numeric entries are 0. */
  readonly textColumn: boolean;
  /** Numeric entries [rows][columns]. */
  readonly table: readonly (readonly number[])[];
  /** Text cells [rows] as word indices 0..vocabulary−1 (text entries only). */
  readonly text: readonly number[] | null;
  readonly answer: Answer;
}

/** Column names A, B, C, … (26 at most). */
export function columnName(j: number): string {
  return String.fromCharCode(65 + j);
}

export function textWord(k: number): string {
  return `word:${k}`;
}

/** A number uniform on [lo, hi] with two decimals. */
function questionNumber(rng: Rng, lo: number, hi: number): number {
  return Math.round((lo + (hi - lo) * rng.nextFloat()) * 100) / 100;
}

function intBetween(rng: Rng, lo: number, hi: number): number {
  return lo + rng.nextInt(hi - lo + 1);
}

/** The rows a comparison keeps: strictly greater / strictly less than n. */
function compareRows(values: readonly number[], op: Comparison, n: number): boolean[] {
  return values.map((v) => (op === 'greater' ? v > n : v < n));
}

/** Draws a template: a category uniformly, then a template uniformly inside it (NP16 Table 4 caption). */
export function drawTemplate(rng: Rng, templates: readonly Template[]): Template {
  const groups = byCategory(templates);
  const g = groups[rng.nextInt(groups.length)];
  return g.templates[rng.nextInt(g.templates.length)];
}

/**
 * Example `index` of a split with generator seed `seed`: a pure function of (settings, seed, index).
 * `stream` names the split ('train' / 'test') so that splits never share examples.
 */
export function generateExample(settings: GeneratorSettings, seed: number, stream: string, index: number): TableQaExample {
  const rng = new Rng(deriveSeed(seed, `table-qa/${stream}/${index}`));
  const template = drawTemplate(rng, settings.templates);
  const text = settings.mode === 'text-entries';
  const nCols = text ? 2 : intBetween(rng, settings.columnsMin, settings.columns);
  const rows = intBetween(rng, settings.rowsMin, settings.rowsMax);
  const columnNames = Array.from({ length: nCols }, (_, j) => columnName(j));
  const table: number[][] = [];
  const textCells: number[] = [];
  for (let i = 0; i < rows; i++) {
    const row: number[] = [];
    for (let j = 0; j < nCols; j++) row.push(text && j === 0 ? 0 : intBetween(rng, settings.entryMin, settings.entryMax));
    table.push(row);
    if (text) textCells.push(rng.nextInt(settings.vocabulary));
  }
  const named = settings.mode !== 'single-column';
  // A numeric column to name: uniform over the table's columns (text entries: always B).
  const pickColumn = (): number => (text ? 1 : rng.nextInt(nCols));
  const words: string[] = [];
  const numbers: number[] = [];
  const numberPositions: number[] = [];
  const say = (...ws: string[]) => words.push(...ws);
  const sayColumn = (j: number) => {
    if (named) words.push(columnNames[j]);
  };
  const column = (j: number) => table.map((r) => r[j]);

  let selected: boolean[] = new Array(rows).fill(true);
  const compareClause = (op: Comparison): boolean[] => {
    const j = pickColumn();
    const n = questionNumber(rng, settings.entryMin, settings.entryMax);
    say(op);
    numberPositions.push(words.length - 1);
    numbers.push(n);
    sayColumn(j);
    return compareRows(column(j), op, n);
  };
  const sel = template.selection;
  if (sel.kind === 'compare') selected = compareClause(sel.op);
  else if (sel.kind === 'logic') {
    const a = compareClause(sel.first);
    say(sel.op);
    const b = compareClause(sel.second);
    selected = a.map((x, i) => (sel.op === 'and' ? x && b[i] : x || b[i]));
  } else if (sel.kind === 'word') {
    const k = rng.nextInt(settings.vocabulary);
    say(textWord(k), columnNames[0]);
    selected = textCells.map((c) => c === k);
  }

  const sumOf = (j: number) => table.reduce((s, r, i) => (selected[i] ? s + r[j] : s), 0);
  const countOf = () => selected.reduce((s, x) => s + (x ? 1 : 0), 0);
  let answer: Answer;
  switch (template.final) {
    case 'sum': {
      const j = pickColumn();
      say('sum');
      sayColumn(j);
      answer = { kind: 'scalar', value: sumOf(j) };
      break;
    }
    case 'count':
      say('count');
      answer = { kind: 'scalar', value: countOf() };
      break;
    case 'print': {
      const j = pickColumn();
      say('print');
      sayColumn(j);
      const cells: [number, number][] = [];
      selected.forEach((x, i) => x && cells.push([i, j]));
      answer = { kind: 'lookup', cells };
      break;
    }
    case 'sum-diff-count': {
      const j = pickColumn();
      say('sum');
      sayColumn(j);
      say('diff', 'count');
      answer = { kind: 'scalar', value: sumOf(j) - countOf() };
      break;
    }
    case 'count-diff-sum': {
      const j = pickColumn();
      say('count', 'diff', 'sum');
      sayColumn(j);
      answer = { kind: 'scalar', value: countOf() - sumOf(j) };
      break;
    }
  }
  return { template, words, numbers, numberPositions, columnNames, textColumn: text, table, text: text ? textCells : null, answer };
}

/** The question as text: the words with each number put back after the word to its left. */
export function questionText(ex: Pick<TableQaExample, 'words' | 'numbers' | 'numberPositions'>): string {
  const parts: string[] = [];
  ex.words.forEach((w, i) => {
    parts.push(w);
    ex.numberPositions.forEach((p, k) => {
      if (p === i) parts.push(ex.numbers[k].toFixed(2));
    });
  });
  return parts.join(' ');
}

/**
 * The table as text, transposed in blocks of rows so that a 120-row table stays short: one line per column
 * for rows i..j, the block's row range on its first line (rows count from 1, as in the answers' A3=…),
 * a blank line between the blocks of a table with several columns.
 */
export function tableText(ex: TableQaExample, vocabularyWord: (k: number) => string = textWord): string {
  const cell = (i: number, j: number) => (ex.textColumn && j === 0 ? vocabularyWord(ex.text![i]) : String(ex.table[i][j]));
  const rows = ex.table.length;
  const width = Math.max(...ex.table.flatMap((_, i) => ex.columnNames.map((__, j) => cell(i, j).length)));
  const perLine = width <= 4 ? 15 : 10;
  const label = (from: number, to: number) => `rows ${from}–${to}`;
  const labelWidth = label(rows, rows).length;
  const lines: string[] = [];
  for (let from = 0; from < rows; from += perLine) {
    const to = Math.min(rows, from + perLine);
    if (from > 0 && ex.columnNames.length > 1) lines.push('');
    ex.columnNames.forEach((name, j) => {
      const head = (j === 0 ? label(from + 1, to) : '').padEnd(labelWidth);
      const cells = Array.from({ length: to - from }, (_, k) => cell(from + k, j).padStart(width));
      lines.push(`${head}  ${name}  ${cells.join(' ')}`);
    });
  }
  return lines.join('\n');
}

/** The longest question (in words, numbers removed) a mode produces: the logic templates. */
export function maxQuestionWords(mode: TableQaMode): number {
  return mode === 'single-column' ? 4 : 7;
}

/** The most question numbers (two: the logic templates). */
export const MAX_QUESTION_NUMBERS = 2;
