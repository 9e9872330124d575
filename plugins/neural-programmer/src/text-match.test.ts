import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { textMatchRows } from './index.js';

/**
 * d = 1, one question word whose state is z = 1 (so q = G = 1 whatever the attention), text words
 * embedding to 2, −0.5 and 0.1: match logits A[m]·G = 2, −0.5, 0.1 on rows 0–2; row 3 is padding.
 */
function inputs(hard: boolean) {
  return {
    words: tf.tensor2d([[0], [2], [-0.5], [0.1]]),
    textIds: tf.tensor2d([[1, 2, 3, 1]], [1, 4], 'int32'),
    o: { q: tf.tensor2d([[1]]), zs: tf.tensor3d([[[1]]]), P: tf.tensor2d([[0]]), rowMask: tf.tensor2d([[1, 1, 1, 0]]), wordMask: tf.tensor2d([[1]]), hard },
  };
}

test('text_match: soft σ(A·G) in training; hard 1[σ > 0.5] at evaluation, so a count over it is an integer', (t) => {
  tf.tidy(() => {
    const s = inputs(false);
    const soft = Array.from(textMatchRows(s.words, s.textIds, s.o).dataSync());
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    [sig(2), sig(-0.5), sig(0.1), 0].forEach((e, i) => t.true(Math.abs(soft[i] - e) < 1e-5, `soft row ${i}: ${soft[i]} vs ${e}`));
    const h = inputs(true);
    const hard = textMatchRows(h.words, h.textIds, h.o);
    t.deepEqual(Array.from(hard.dataSync()), [1, 0, 1, 0]);
    t.is(tf.sum(hard).dataSync()[0], 2, 'count = 2 exactly (soft: 0.88 + 0.38 + 0.52 = 1.78, wrong to the first decimal)');
  });
});

test('text_match, hard: no gradient through the step (training uses the soft match)', (t) => {
  const h = inputs(true);
  const g = tf.grad((words: tf.Tensor) => tf.sum(textMatchRows(words as tf.Tensor2D, h.textIds, h.o)))(h.words);
  t.deepEqual(Array.from(g.dataSync()), [0, 0, 0, 0]);
  tf.dispose([g, h.words, h.textIds, ...(Object.values(h.o).filter((x) => x instanceof tf.Tensor) as tf.Tensor[])]);
});
