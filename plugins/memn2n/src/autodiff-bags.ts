import * as tf from '@tensorflow/tfjs-core';

/** What the autodiff embedding bags need: the nil-masked matrices T_0..T_K and the position encodings. */
export interface AutodiffBagInputs {
  /** T_0..T_K, [V, d] each, nil row already masked (straight-through). */
  readonly T: readonly tf.Tensor2D[];
  readonly pe: tf.Tensor2D; // [J, d]
  readonly peAll: tf.Tensor2D; // [J, (K+1)·d]
  readonly stories: tf.Tensor3D; // int32 [b, M, J]
  readonly queries: tf.Tensor2D; // int32 [b, J]
}

/**
 * Rows `ids` of `table`, differentiable on every backend. tf.gather's gradient is UnsortedSegmentSum,
 * a kernel tfjs-backend-wasm 4.22 does not have; there the rows are picked by a one-hot matmul instead
 * (the same values; its gradient is a matmul, which wasm has; it does V times the work of a gather).
 */
export function embeddingRows(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  if (tf.getKernel('UnsortedSegmentSum', tf.getBackend()) !== undefined) return tf.gather(table, ids);
  return tf.matMul(tf.cast(tf.oneHot(ids, table.shape[0]), 'float32') as tf.Tensor2D, table);
}

/**
 * The embedding bags in tfjs ops, for tfjs autodiff: E_t[b,i] = Σ_j l_j ⊙ T_t[x_bij] (t = 0..K, [b, M, d]
 * each) and u¹[b] = Σ_j l_j ⊙ T_0[q_bj].
 */
export function autodiffBags(inp: AutodiffBagInputs): { E: tf.Tensor3D[]; u1: tf.Tensor2D } {
  const [b, M, J] = inp.stories.shape;
  const d = inp.pe.shape[1];
  const K = inp.T.length - 1;
  const q = tf.reshape(embeddingRows(inp.T[0], tf.reshape(inp.queries, [-1])), [b, J, d]);
  const u1 = tf.sum(tf.mul(q, inp.pe), 1) as tf.Tensor2D;
  const all = tf.concat(inp.T as tf.Tensor2D[], 1);
  const x = tf.reshape(embeddingRows(all, tf.reshape(inp.stories, [-1])), [b * M, J, (K + 1) * d]);
  const eAll = tf.reshape(tf.sum(tf.mul(x, inp.peAll), 1), [b, M, (K + 1) * d]);
  return { E: tf.split(eAll, K + 1, 2) as tf.Tensor3D[], u1 };
}
