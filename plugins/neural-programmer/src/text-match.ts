import * as tf from '@tensorflow/tfjs-core';
import { embed, hardStep, maskedSoftmax } from './primitives.js';

export interface TextMatchInputs {
  /** The question RNN's last state [b, d]. */
  readonly q: tf.Tensor2D;
  /** Every question RNN state [b, L, d]. */
  readonly zs: tf.Tensor3D;
  /** Column-name embeddings [C, d]; the text column is column 0. */
  readonly P: tf.Tensor2D;
  readonly rowMask: tf.Tensor2D;
  readonly wordMask: tf.Tensor2D;
  /**
   * Evaluation: the row selection 1[A[m]·G > 0] (σ > 0.5) instead of σ(A[m]·G) [A: NP16 hardens only the op
   * and column choices; a soft match would make every count and sum over it fractional at test time, while
   * a print over it is already read as cells with weight > 0.5].
   */
  readonly hard: boolean;
}

/**
 * text_match for the text column (column 0), NP16's two-stage attention: B[m] = σ(A[m]·q),
 * D = mean_m B[m]·A[m], E = D + P[0], G = Σ_i softmax_i(E·z_i)·z_i, match[m] = σ(A[m]·G).
 * `words` are the word embeddings V, `textIds` the text cells' word ids [b, R]. Returns match [b, R].
 */
export function textMatchRows(words: tf.Tensor2D, textIds: tf.Tensor, o: TextMatchInputs): tf.Tensor2D {
  const A = embed(words, textIds) as tf.Tensor3D; // [b, R, d]
  const [b, R, d] = A.shape;
  const B = tf.mul(tf.sigmoid(tf.reshape(tf.matMul(A, tf.expandDims(o.q, 2)), [b, R])), o.rowMask);
  const rowsPerTable = tf.maximum(tf.sum(o.rowMask, 1, true), 1);
  const D = tf.div(tf.reshape(tf.matMul(tf.expandDims(B, 1), A), [b, d]), rowsPerTable);
  const E = tf.add(D, tf.slice(o.P, [0, 0], [1, -1]));
  const att = maskedSoftmax(tf.reshape(tf.matMul(o.zs, tf.expandDims(E, 2)), [b, o.zs.shape[1]]) as tf.Tensor2D, o.wordMask);
  const G = tf.reshape(tf.matMul(tf.expandDims(att, 1), o.zs), [b, d]);
  const logits = tf.reshape(tf.matMul(A, tf.expandDims(G, 2)), [b, R]);
  return tf.mul(o.hard ? hardStep(logits) : tf.sigmoid(logits), o.rowMask) as tf.Tensor2D;
}
