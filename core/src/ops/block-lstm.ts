import * as tf from '@tensorflow/tfjs-core';
import { isCapturingGraph } from './graph-capture/capture-graph.js';

/**
 * One LSTM layer over a whole window in one TensorFlow call (BlockLSTMV2), and its backward pass in one
 * (BlockLSTMGradV2), on the tensorflow backend. The cell is the plain one, gates in the order i, f, g, o:
 *
 *     [i, f, g, o] = [x_t, h_{t−1}] · W + b,   c_t = σ(f) c_{t−1} + σ(i) tanh(g),   h_t = σ(o) tanh(c_t)
 *
 * (no peepholes, no forget bias, no cell clip). Why: written as tfjs ops a 20-step, 2-layer window is ≈ 1,700
 * elementwise kernels, each one TensorFlow eager call (≈ 6 µs of dispatch here); this is 2 calls per layer.
 * The reference is the step-by-step loop a model writes (lstm-lm's forward); tests/src/conformance checks that
 * both give the same values and gradients. Other backends have no such kernel: `hasBlockLstm` says when it runs.
 */

interface NodeBinding {
  TF_ATTR_TYPE: number;
  TF_ATTR_BOOL: number;
  TF_ATTR_FLOAT: number;
  TF_FLOAT: number;
  TF_INT64: number;
  createTensor(shape: number[], dtype: number, values: Int32Array): number;
  deleteTensor(id: number): void;
  executeOp(name: string, attrs: unknown[], inputIds: number[], outputs: number): unknown[];
}
interface NodeBackend {
  binding: NodeBinding;
  getInputTensorIds(tensors: tf.Tensor[]): number[];
  createOutputTensor(metadata: unknown): tf.Tensor;
}

/** Whether blockLstm runs on this backend (tensorflow only). */
export function hasBlockLstm(backend: string = tf.getBackend()): boolean {
  return backend === 'tensorflow';
}

/**
 * Whether a model should use blockLstm here: where it runs and pays. It pays in eager steps, one op instead of a few
 * hundred eager dispatches (PTB window 79–86 vs 112–116 ms, 2 TF threads), not inside a captured step graph, where
 * TensorFlow's own optimisation of the written-out cell is faster (48–53 vs 65–68 ms; scripts/ptb-graph-cells.mjs,
 * 2026-12-02 21:45). The two give the same values and gradients (conformance suite).
 */
export function useBlockLstm(): boolean {
  return hasBlockLstm() && !isCapturingGraph();
}

function execute(name: string, inputs: tf.Tensor[], seqLen: number, outputs: number, attrs: (b: NodeBinding) => unknown[]): tf.Tensor[] {
  const backend = tf.backend() as unknown as NodeBackend;
  const b = backend.binding;
  // seq_len_max is an int64 scalar, which tfjs has no dtype for: written as its two little-endian int32 halves.
  const lenId = b.createTensor([], b.TF_INT64, new Int32Array([seqLen, 0]));
  try {
    const ids = [lenId, ...backend.getInputTensorIds(inputs)];
    return b.executeOp(name, [...attrs(b), { name: 'T', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT }], ids, outputs).map((m) => backend.createOutputTensor(m));
  } finally {
    b.deleteTensor(lenId);
  }
}

const noPeephole = (b: NodeBinding) => [{ name: 'use_peephole', type: b.TF_ATTR_BOOL, value: false }];
const forward = (b: NodeBinding) => [{ name: 'cell_clip', type: b.TF_ATTR_FLOAT, value: 0 }, ...noPeephole(b)];

/**
 * h for every step [T, B, H] of an LSTM layer run over x [T, B, I] from (c0, h0) [B, H], with W [I + H, 4H]
 * (rows: the input, then the recurrent weights) and b [4H]; plus the last cell state c_T, outside the gradient
 * (for state carried to the next window). Differentiable in x, c0, h0, W and b. tensorflow backend only.
 */
export function blockLstm(x: tf.Tensor3D, c0: tf.Tensor2D, h0: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): { h: tf.Tensor3D; lastC: tf.Tensor2D } {
  const [T, B] = x.shape;
  const H = h0.shape[1];
  let lastC: tf.Tensor2D | undefined;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xs, cs0, hs0, ws, bs, save] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    const peep = tf.zeros([H]);
    const [i, cs, f, o, ci, co, h] = execute('BlockLSTMV2', [xs, cs0, hs0, ws, peep, peep, peep, bs], T, 7, forward);
    lastC = tf.keep(tf.reshape(tf.slice(cs, [T - 1, 0, 0], [1, B, H]), [B, H]) as tf.Tensor2D);
    save([xs, cs0, hs0, ws, bs, i, cs, f, o, ci, co, h]);
    return {
      value: h,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [sx, sc0, sh0, sw, sb, ...gates] = saved;
        const zeroPeep = tf.zeros([H]);
        const csGrad = tf.zeros([T, B, H]);
        const [dx, dc0, dh0, dw, , , , db] = execute(
          'BlockLSTMGradV2',
          [sx, sc0, sh0, sw, zeroPeep, zeroPeep, zeroPeep, sb, ...gates, csGrad, dy as tf.Tensor],
          T,
          8,
          noPeephole,
        );
        return [dx, dc0, dh0, dw, db];
      },
    };
  });
  const h = op(x, c0, h0, w, b) as tf.Tensor3D;
  // lastC was kept to leave the op's own tidy; hand the caller a tracked copy and drop the kept one.
  const kept = lastC as unknown as tf.Tensor2D;
  const tracked = tf.clone(kept);
  kept.dispose();
  return { h, lastC: tracked };
}
