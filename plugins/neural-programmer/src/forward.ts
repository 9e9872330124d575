import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '@anneal/core';
import { embed, hardStep, maskedArgmaxOneHot, maskedSoftmax, oneHot } from './primitives.js';
import { textMatchRows } from './text-match.js';

/** Operation indices (NP16 §2.2): the 9 operations, plus text_match when the table has text columns. */
export const OPS = ['sum', 'count', 'diff', 'greater', 'lesser', 'and', 'or', 'assign', 'reset', 'text_match'] as const;
export type OpName = (typeof OPS)[number];
export const OP = Object.freeze(Object.fromEntries(OPS.map((o, i) => [o, i])) as Record<OpName, number>);

/** The trainable tensors the forward pass reads (see NeuralProgrammer for their shapes). */
export interface NpWeights {
  /** Word embeddings V [vocab, d]; column-name embeddings P are its rows info.columnWords. */
  readonly words: tf.Tensor2D;
  /** Question RNN W^q [2d, d] (forward) and, bidirectional, [2d, d] backward. */
  readonly question: tf.Tensor2D;
  readonly questionBack: tf.Tensor2D | null;
  /** Operation embeddings U [O, d]. */
  readonly ops: tf.Tensor2D;
  /** History RNN W^h [3d, d]. */
  readonly history: tf.Tensor2D;
  /** Selectors W^op, W^col [qd + d, d] (qd = d, or 2d bidirectional). */
  readonly selectOp: tf.Tensor2D;
  readonly selectColumn: tf.Tensor2D;
}

export interface ForwardOptions {
  readonly steps: number;
  /** One-hot argmax of op, column and pivot attention (evaluation) instead of the softmaxes (training). */
  readonly hard: boolean;
  /** Word ids of the column names A, B, … (rows of V). */
  readonly columnWords: tf.Tensor1D;
  /** Whether column 0 is a text column (text_match is an operation). */
  readonly text: boolean;
  /** Forward site for dropout ('question', 'history'). */
  readonly site: (name: string, x: tf.Tensor) => tf.Tensor;
}

export interface ForwardResult {
  readonly scalar: tf.Tensor1D;
  readonly lookup: tf.Tensor3D;
  /** Per step t = 1..T: the op and column weights used ([b, O], [b, C]). */
  readonly opWeights: tf.Tensor2D[];
  readonly columnWeights: tf.Tensor2D[];
  readonly pivots: { readonly greater: tf.Tensor1D; readonly lesser: tf.Tensor1D };
  /** row_select_t after each step t = 1..T ([b, R]). */
  readonly rowSelections: tf.Tensor2D[];
}

function select(logits: tf.Tensor2D, mask: tf.Tensor2D, hard: boolean): tf.Tensor2D {
  return hard ? maskedArgmaxOneHot(logits, mask) : maskedSoftmax(logits, mask);
}

/** Column `i` of a [b, n] tensor as [b, 1]. */
function col(x: tf.Tensor2D, i: number): tf.Tensor2D {
  return tf.slice(x, [0, i], [-1, 1]) as tf.Tensor2D;
}

/** Step `i` of a [b, L, d] tensor as [b, d]. */
function stepOf(x: tf.Tensor3D, i: number): tf.Tensor2D {
  const [b, , d] = x.shape;
  return tf.reshape(tf.slice(x, [0, i, 0], [-1, 1, -1]), [b, d]);
}

/** A masked tanh RNN: z_i = m_i·tanh([z_{i−1}; x_i]W) + (1 − m_i)·z_{i−1}. Returns every state (in input order) and the last. */
function rnn(x: tf.Tensor3D, mask: tf.Tensor2D, w: tf.Tensor2D, reverse: boolean): { states: tf.Tensor2D[]; last: tf.Tensor2D } {
  const [b, L] = x.shape;
  const d = w.shape[1];
  let z = tf.zeros([b, d]) as tf.Tensor2D;
  const states: tf.Tensor2D[] = new Array(L);
  for (let k = 0; k < L; k++) {
    const i = reverse ? L - 1 - k : k;
    const m = col(mask, i);
    const next = tf.tanh(tf.matMul(tf.concat([z, stepOf(x, i)], 1), w));
    z = tf.add(tf.mul(m, next), tf.mul(tf.sub(1, m), z)) as tf.Tensor2D;
    states[i] = z;
  }
  return { states, last: z };
}

/**
 * The Neural Programmer forward pass (paper-spec §3.2) for a table-qa batch: question RNN, pivots,
 * T steps of history RNN → op / column selection → the operations' soft (or hard) combination.
 */
export function npForward(w: NpWeights, batch: Batch, o: ForwardOptions): ForwardResult {
  const words = batch.words as tf.Tensor2D;
  const wordMask = batch.wordMask as tf.Tensor2D;
  const table = batch.table as tf.Tensor3D;
  const rowMask = batch.rowMask as tf.Tensor2D;
  const columnMask = batch.columnMask as tf.Tensor2D;
  const numbers = batch.numbers as tf.Tensor2D;
  const numberMask = batch.numberMask as tf.Tensor2D;
  const [b, R, C] = table.shape;
  const L = words.shape[1];
  const d = w.ops.shape[1];
  const nOps = w.ops.shape[0];

  // Question RNN (bidirectional when W^q_back exists): q = [last forward; last backward].
  const embedded = embed(w.words, words) as tf.Tensor3D; // [b, L, d]
  const fwd = rnn(embedded, wordMask, w.question, false);
  let q: tf.Tensor2D = w.questionBack ? (tf.concat([fwd.last, rnn(embedded, wordMask, w.questionBack, true).last], 1) as tf.Tensor2D) : fwd.last;
  q = o.site('question', q) as tf.Tensor2D;
  const zs = tf.stack(fwd.states, 1) as tf.Tensor3D; // [b, L, d]

  // Pivots: Z = states at the word left of each number; β_op = softmax(Z·U(op)); pivot_op = Σ β·qn.
  const left = tf.matMul(oneHot(batch.numberPos, L) as tf.Tensor3D, zs) as tf.Tensor3D; // [b, N, d]
  const pivot = (op: number): tf.Tensor1D => {
    const u = tf.reshape(tf.slice(w.ops, [op, 0], [1, -1]), [1, d, 1]);
    const scores = tf.reshape(tf.matMul(left, tf.tile(u, [b, 1, 1])), [b, numbers.shape[1]]) as tf.Tensor2D;
    return tf.sum(tf.mul(select(scores, numberMask, o.hard), numbers), 1) as tf.Tensor1D;
  };
  const pivots = { greater: pivot(OP.greater), lesser: pivot(OP.lesser) };
  // Hard comparisons: no gradient reaches the pivot through them (paper-spec §3.2).
  const cells = tf.expandDims(rowMask, 2);
  // Comparisons are numeric: on the text column (column 0, whose numeric entries are 0) they select no row,
  // as NPWTQ's numeric operations ignore the softmax mass on word columns [A].
  const numericCells = o.text ? tf.mul(cells, tf.reshape(tf.concat([tf.zeros([1]), tf.ones([C - 1])]), [1, 1, C])) : cells;
  const g = tf.mul(hardStep(tf.sub(table, tf.reshape(pivots.greater, [b, 1, 1]))), numericCells) as tf.Tensor3D;
  const l = tf.mul(hardStep(tf.sub(tf.reshape(pivots.lesser, [b, 1, 1]), table)), numericCells) as tf.Tensor3D;

  const P = embed(w.words, o.columnWords) as tf.Tensor2D; // [C, d]
  let textMatch: tf.Tensor2D | null = null;
  // Evaluation hardens text_match too (1[σ > 0.5]), as it hardens the op, column and pivot choices.
  if (o.text) textMatch = textMatchRows(w.words, batch.textIds, { q: fwd.last, zs, P, rowMask, wordMask, hard: o.hard });

  const opMask = tf.ones([b, nOps]) as tf.Tensor2D;
  let h = tf.zeros([b, d]) as tf.Tensor2D;
  let c = tf.zeros([b, 2 * d]) as tf.Tensor2D;
  const rs: tf.Tensor2D[] = [rowMask, rowMask];
  const sc: tf.Tensor1D[] = [tf.zeros([b]), tf.zeros([b]), tf.zeros([b])];
  let lookup = tf.zeros([b, R, C]) as tf.Tensor3D;
  const opWeights: tf.Tensor2D[] = [];
  const columnWeights: tf.Tensor2D[] = [];
  for (let t = 1; t <= o.steps; t++) {
    h = o.site('history', tf.tanh(tf.matMul(tf.concat([c, h], 1), w.history))) as tf.Tensor2D;
    const qh = tf.concat([q, h], 1);
    const aOp = select(tf.matMul(tf.tanh(tf.matMul(qh, w.selectOp)), w.ops, false, true) as tf.Tensor2D, opMask, o.hard);
    const aCol = select(tf.matMul(tf.tanh(tf.matMul(qh, w.selectColumn)), P, false, true) as tf.Tensor2D, columnMask, o.hard);
    opWeights.push(aOp);
    columnWeights.push(aCol);
    c = tf.concat([tf.matMul(aOp, w.ops), tf.matMul(aCol, P)], 1) as tf.Tensor2D;

    const rs1 = rs[rs.length - 1];
    const rs2 = rs[rs.length - 2];
    const a = (op: number) => tf.reshape(col(aOp, op), [b]) as tf.Tensor1D;
    const a2 = (op: number) => col(aOp, op);
    const sums = tf.reshape(tf.matMul(tf.expandDims(rs1, 1), table), [b, C]); // Σ_i rs[i]·table[i][j]
    const count = tf.sum(tf.mul(rs1, rowMask), 1);
    const diff = tf.sub(sc[sc.length - 3], sc[sc.length - 1]);
    const scalar = tf.addN([tf.mul(a(OP.count), count), tf.mul(a(OP.diff), diff), tf.mul(a(OP.sum), tf.sum(tf.mul(aCol, sums), 1))]) as tf.Tensor1D;
    // lookup[i][j] = α_col(j)·α(assign)·rs_{t−1}[i]
    lookup = tf.mul(tf.expandDims(tf.mul(aCol, a2(OP.assign)), 1), tf.expandDims(tf.mul(rs1, rowMask), 2)) as tf.Tensor3D;
    const colPick = (x: tf.Tensor3D) => tf.reshape(tf.matMul(x, tf.expandDims(aCol, 2)), [b, R]); // Σ_j α_col(j)·x[i][j]
    const parts: tf.Tensor[] = [
      tf.mul(a2(OP.and), tf.minimum(rs1, rs2)),
      tf.mul(a2(OP.or), tf.maximum(rs1, rs2)),
      tf.mul(a2(OP.reset), rowMask),
      tf.mul(a2(OP.greater), colPick(g)),
      tf.mul(a2(OP.lesser), colPick(l)),
    ];
    if (textMatch) parts.push(tf.mul(tf.mul(a2(OP.text_match), col(aCol, 0)), textMatch));
    rs.push(tf.mul(tf.addN(parts), rowMask) as tf.Tensor2D);
    sc.push(scalar);
  }
  return { scalar: sc[sc.length - 1], lookup, opWeights, columnWeights, pivots, rowSelections: rs.slice(2) };
}
