import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { OP, maskedArgmaxOneHot, maskedSoftmax, npForward, type NpWeights } from './index.js';

const close = (a: number, b: number, tol = 1e-4) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

test('masked softmax and masked argmax: masked entries get 0; an all-masked row gives 0', (t) => {
  tf.tidy(() => {
    const logits = tf.tensor2d([[0, Math.log(3), 5], [1, 2, 3]]);
    const mask = tf.tensor2d([[1, 1, 0], [0, 0, 0]]);
    const s = Array.from(maskedSoftmax(logits, mask).dataSync());
    [0.25, 0.75, 0, 0, 0, 0].forEach((e, i) => t.true(close(s[i], e), `${i}: ${s[i]}`));
    t.deepEqual(Array.from(maskedArgmaxOneHot(logits, mask).dataSync()), [0, 1, 0, 0, 0, 0]);
  });
});

/**
 * A hand-built Neural Programmer, d = 2, one step: the question is the single word 'sum' (id 1) with
 * embedding [2, 0]; W^q = [0; I] so q = tanh([2, 0]); W^op = W^col = [I; 0] so both selectors see
 * s = tanh(q) = [σ, 0] with σ = tanh(tanh 2); U has 3 in the first coordinate of 'sum' only; the column
 * names A (id 2) and B (id 3) embed to [0, 0] and [2, 0]; W^h = 0 keeps h = 0.
 * Table: A = [1, 2, 3], B = [10, 20, 30]; numbers [3.5, −1], both left of word 0.
 */
function handBuilt(): { w: NpWeights; batch: Record<string, tf.Tensor> } {
  const d = 2;
  const words = tf.tensor2d([[0, 0], [2, 0], [0, 0], [2, 0]]);
  const I = [[1, 0], [0, 1]];
  const Z = [[0, 0], [0, 0]];
  const U = Array.from({ length: 9 }, (_, o) => (o === OP.sum ? [3, 0] : [0, 0]));
  const w: NpWeights = {
    words,
    question: tf.tensor2d([...Z, ...I]),
    questionBack: null,
    ops: tf.tensor2d(U),
    history: tf.zeros([3 * d, d]),
    selectOp: tf.tensor2d([...I, ...Z]),
    selectColumn: tf.tensor2d([...I, ...Z]),
  };
  const batch = {
    words: tf.tensor2d([[1]], [1, 1], 'int32'),
    wordMask: tf.tensor2d([[1]]),
    numbers: tf.tensor2d([[3.5, -1]]),
    numberPos: tf.tensor2d([[0, 0]], [1, 2], 'int32'),
    numberMask: tf.tensor2d([[1, 1]]),
    table: tf.tensor3d([[[1, 10], [2, 20], [3, 30]]]),
    rowMask: tf.tensor2d([[1, 1, 1]]),
    columnMask: tf.tensor2d([[1, 1]]),
  };
  return { w, batch };
}

test('hand-built case: soft selection mixes every operation and column; hard selection runs sum over column B only', (t) => {
  tf.tidy(() => {
    const { w, batch } = handBuilt();
    const sigma = Math.tanh(Math.tanh(2));
    const common = { steps: 1, columnWords: tf.tensor1d([2, 3], 'int32'), text: false, site: (_n: string, x: tf.Tensor) => x };
    const soft = npForward(w, batch, { ...common, hard: false });
    const hard = npForward(w, batch, { ...common, hard: true });
    // Soft: α_sum = e^{3σ}/(e^{3σ}+8), every other op 1/(e^{3σ}+8); α_B = e^{2σ}/(e^{2σ}+1).
    const zOp = Math.exp(3 * sigma) + 8;
    const aSum = Math.exp(3 * sigma) / zOp;
    const aOther = 1 / zOp;
    const aB = Math.exp(2 * sigma) / (Math.exp(2 * sigma) + 1);
    const aA = 1 - aB;
    const opW = Array.from(soft.opWeights[0].dataSync());
    t.true(close(opW[OP.sum], aSum) && close(opW[OP.count], aOther), `op weights ${opW}`);
    // scalar = α_count·count + α_diff·0 + α_sum·(α_A·6 + α_B·60), count = 3 (row_select_0 = 1).
    const expectedSoft = aOther * 3 + aSum * (aA * 6 + aB * 60);
    t.true(close(soft.scalar.dataSync()[0], expectedSoft), `soft scalar ${soft.scalar.dataSync()[0]} vs ${expectedSoft}`);
    // lookup[i][j] = α_col(j)·α_assign·1.
    const lk = Array.from(soft.lookup.dataSync());
    [aA, aB, aA, aB, aA, aB].forEach((c, i) => t.true(close(lk[i], c * aOther), `lookup ${i}`));
    // Pivots: U(greater) = U(lesser) = 0 → β uniform: soft pivot (3.5 − 1)/2 = 1.25; hard: the first number, 3.5.
    t.true(close(soft.pivots.greater.dataSync()[0], 1.25));
    t.true(close(hard.pivots.greater.dataSync()[0], 3.5));
    // Hard: one-hot sum, one-hot column B → 10 + 20 + 30 = 60 exactly; no lookup.
    t.deepEqual(Array.from(hard.opWeights[0].dataSync()), [1, 0, 0, 0, 0, 0, 0, 0, 0]);
    t.deepEqual(Array.from(hard.columnWeights[0].dataSync()), [0, 1]);
    t.is(hard.scalar.dataSync()[0], 60);
    t.deepEqual(Array.from(hard.lookup.dataSync()), [0, 0, 0, 0, 0, 0]);
  });
});

test('hand-built case, hard: greater is strict (3.5 > 3.5 is false) and selects rows of the chosen column', (t) => {
  tf.tidy(() => {
    const { w, batch } = handBuilt();
    // U(greater) dominates: the op selector picks 'greater'; the column selector still picks B. Both numbers
    // sit right of word 0, so their pivot scores tie (U(greater)·z_0) and hard selection takes the first, 3.5.
    const U = Array.from({ length: 9 }, (_, o) => (o === OP.greater ? [3, 0] : [0, 0]));
    const table = tf.tensor3d([[[1, 3.5], [2, 20], [3, 30]]]);
    const out = npForward({ ...w, ops: tf.tensor2d(U) }, { ...batch, table }, {
      steps: 1, hard: true, columnWords: tf.tensor1d([2, 3], 'int32'), text: false, site: (_n, x) => x,
    });
    t.deepEqual(Array.from(out.opWeights[0].dataSync()), [0, 0, 0, 1, 0, 0, 0, 0, 0]);
    t.is(out.pivots.greater.dataSync()[0], 3.5);
    t.deepEqual(Array.from(out.rowSelections[0].dataSync()), [0, 1, 1]);
    // Soft: the same rows are weighted by α_greater·α_B, plus α_reset·1 and the and/or of two all-ones selections.
    const soft = npForward({ ...w, ops: tf.tensor2d(U) }, { ...batch, table }, {
      steps: 1, hard: false, columnWords: tf.tensor1d([2, 3], 'int32'), text: false, site: (_n, x) => x,
    });
    const sigma = Math.tanh(Math.tanh(2));
    const aG = Math.exp(3 * sigma) / (Math.exp(3 * sigma) + 8);
    const aO = 1 / (Math.exp(3 * sigma) + 8);
    const aB = Math.exp(2 * sigma) / (Math.exp(2 * sigma) + 1);
    const pivot = soft.pivots.greater.dataSync()[0]; // = 1.25: column A's 2, 3 and column B's 3.5, 20, 30 exceed it
    t.true(close(pivot, 1.25));
    const rows = Array.from(soft.rowSelections[0].dataSync());
    const base = 3 * aO; // and(1, 1) + or(1, 1) + reset
    // lesser (weight α_O, same pivot 1.25) keeps column A's 1 in row 0.
    const expected = [base + aG * aB + aO * (1 - aB), base + aG, base + aG];
    expected.forEach((e, i) => t.true(close(rows[i], e), `row ${i}: ${rows[i]} vs ${e}`));
  });
});

test('hand-built case, text entries: a comparison on the text column (numeric entries 0) selects no row', (t) => {
  tf.tidy(() => {
    const { w, batch } = handBuilt();
    // 10 ops (text_match included); U(greater) dominates. Column names: A (id 2) embeds to [2, 0], B (id 3) to
    // [0, 0], so the column selector picks A, the text column. Hard pivot: the first number, −1.
    const U = Array.from({ length: 10 }, (_, o) => (o === OP.greater ? [3, 0] : [0, 0]));
    const words = tf.tensor2d([[0, 0], [2, 0], [2, 0], [0, 0]]);
    const text = { ...batch, numbers: tf.tensor2d([[-1, 3.5]]), table: tf.tensor3d([[[0, 10], [0, 20], [0, 30]]]), textIds: tf.tensor2d([[1, 2, 3]], [1, 3], 'int32') };
    const opts = { steps: 1, hard: true, columnWords: tf.tensor1d([2, 3], 'int32'), site: (_n: string, x: tf.Tensor) => x };
    const out = npForward({ ...w, words, ops: tf.tensor2d(U) }, text, { ...opts, text: true });
    t.is(out.opWeights[0].argMax(1).dataSync()[0], OP.greater);
    t.deepEqual(Array.from(out.columnWeights[0].dataSync()), [1, 0]);
    t.is(out.pivots.greater.dataSync()[0], -1);
    t.deepEqual(Array.from(out.rowSelections[0].dataSync()), [0, 0, 0], '0 > −1 would select every row if the text column counted as numbers');
    // The same question on a numeric column A of zeros (no text column) selects every row.
    const numeric = npForward({ ...w, words, ops: tf.tensor2d(U.slice(0, 9)) }, { ...text, textIds: undefined as never }, { ...opts, text: false });
    t.deepEqual(Array.from(numeric.rowSelections[0].dataSync()), [1, 1, 1]);
  });
});
