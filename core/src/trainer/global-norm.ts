import * as tf from '@tensorflow/tfjs-core';
import type { GradMap } from '../model/param-map.js';

/**
 * True when the active tfjs backend keeps tensor data in host memory (cpu: a JS typed array; wasm: the
 * wasm heap; tensorflow: tfjs-node). Reading a tensor there is a copy at most, never a device round
 * trip, so reductions over all gradients are cheaper in JS than as ~2 tfjs ops per tensor.
 */
export function isHostBackend(): boolean {
  const name = tf.getBackend();
  return name === 'cpu' || name === 'wasm' || name === 'tensorflow';
}

/** Σ x² over a tensor's values, accumulated in float64. */
export function sumOfSquares(t: tf.Tensor): number {
  const values = t.dataSync() as Float32Array;
  let s = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    s += v * v;
  }
  return s;
}

/** sqrt(Σ_tensors Σ g²) as a scalar tensor (device path: flatten, concat, square, sum, sqrt). */
export function globalNorm(grads: GradMap): tf.Scalar {
  const tensors = Object.values(grads);
  if (tensors.length === 0) return tf.scalar(0);
  return tf.tidy(() => tf.sqrt(tf.sum(tf.square(tf.concat(tensors.map((g) => tf.reshape(g, [-1])))))) as tf.Scalar);
}

/**
 * On tensorflow, tensors from this size on are summed by the backend (Square + Sum, ≈ 12 µs of dispatch and
 * ≈ 0.3 ns per entry) rather than read back and summed in JS (a copy out of TensorFlow plus ≈ 1.5 ns per entry).
 * Below it the two ops' dispatch costs more than the read. On cpu and wasm a read is no copy (wasm: a heap view).
 */
export const DEVICE_SUM_MIN_SIZE = 16384;

/**
 * The global L2 norm of a gradient map as a number: summed in JS on host backends (~0.1 ms for the
 * paper's 88k-parameter MLP versus ~90 tfjs ops), with tensor ops and one read-back elsewhere. On tensorflow
 * the large tensors' sums are taken by the backend and read back once (PTB's 2.6M gradients: ≈ 5 → ≈ 1 ms).
 */
export function globalNormValue(grads: GradMap): number {
  if (!isHostBackend()) {
    const n = globalNorm(grads);
    const v = n.dataSync()[0];
    n.dispose();
    return v;
  }
  const onDevice = tf.getBackend() === 'tensorflow';
  let s = 0;
  const large: tf.Tensor[] = [];
  for (const g of Object.values(grads)) {
    if (onDevice && g.size >= DEVICE_SUM_MIN_SIZE) large.push(g);
    else s += sumOfSquares(g);
  }
  if (large.length > 0) {
    const sum = tf.tidy(() => tf.addN(large.map((g) => tf.sum(tf.square(g)))));
    s += sum.dataSync()[0];
    sum.dispose();
  }
  return Math.sqrt(s);
}

/**
 * A per-step memo of global norms keyed by gradient-map identity: the trainer records the norm
 * entering the clip stage, and a clip plugin asking for the norm of the same map gets it for free.
 */
export interface NormMemo {
  (grads: GradMap): number;
  /** Records a norm a transform reported for a map it returned. */
  remember(grads: GradMap, norm: number): void;
}

export function createNormMemo(): NormMemo {
  const memo = new WeakMap<GradMap, number>();
  const get = (grads: GradMap) => {
    let v = memo.get(grads);
    if (v === undefined) {
      v = globalNormValue(grads);
      memo.set(grads, v);
    }
    return v;
  };
  return Object.assign(get, { remember: (grads: GradMap, norm: number) => void memo.set(grads, norm) });
}
