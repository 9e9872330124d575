import * as tf from '@tensorflow/tfjs-core';
import { matMulFast } from './ops.js';
import { AnnealError, blockLstm, hasBlockLstm, useBlockLstm, type Batch, type CarriedState, type DatasetInfo, type EvalWithCarry, type ForwardContext, type LossWithCarry, type MetricSpec, type Model, type Rng } from '@anneal/core';

/** The metric every LSTM LM reports: exp of the mean per-token NLL over a whole split, with carried state. */
export const LM_METRICS: readonly MetricSpec[] = Object.freeze([
  { key: 'perplexity', direction: 'min', combine: 'exp-mean', description: 'exp(summed token NLL / tokens) over the split, windows in order with the state carried' },
]);

export interface LstmLmOptions {
  readonly layers: number;
  readonly hiddenSize: number;
  /** Word embedding size (Zaremba: = hiddenSize). */
  readonly embeddingSize: number;
  /** Every parameter ~ U[−initScale, initScale] (Zaremba small: 0.1). */
  readonly initScale: number;
  /**
   * 'auto': core's fused blockLstm where it pays (eager steps on tensorflow, see useBlockLstm); 'step-by-step': always
   * the loop; 'block': always blockLstm (tensorflow only; to measure it). Default 'auto'.
   */
  readonly cell?: 'auto' | 'step-by-step' | 'block';
}

export interface LstmLmDataInfo {
  readonly vocabSize: number;
  /** Parallel streams (rows of x). */
  readonly streams: number;
  readonly numSteps: number;
}

export function readLmInfo(info: DatasetInfo): LstmLmDataInfo {
  const num = (k: string): number => {
    const v = Number(info[k]);
    if (!Number.isInteger(v) || v < 1) {
      throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `model lstm-lm needs dataset info ${k} (a positive integer), got ${String(info[k])}; use it with a stream dataset such as ptb.`);
    }
    return v;
  };
  return { vocabSize: num('vocabSize'), streams: num('streams'), numSteps: num('numSteps') };
}

/**
 * Rows `ids` of `table` ([n, E]), with the gradient w.r.t. the table as a scatter-add of the row gradients
 * (tf.gather's own gradient needs UnsortedSegmentSum, which the wasm backend lacks; scatterND sums
 * duplicate indices, so this is the same gradient).
 */
export function embeddingLookup(table: tf.Tensor, ids: tf.Tensor1D): tf.Tensor2D {
  // ids go in as an input and are saved: a tensor only captured by the closure may be disposed before the
  // backward pass runs.
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [t, i] = args as [tf.Tensor, tf.Tensor1D];
    (args[2] as tf.GradSaveFunc)([i]);
    return {
      value: tf.gather(t, i),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => [tf.scatterND(tf.reshape(saved[0], [-1, 1]), dy as tf.Tensor, t.shape), tf.zerosLike(saved[0])],
    };
  });
  return f(table, ids) as tf.Tensor2D;
}

/**
 * Σ_rows (logSumExp(logits_r) − logits_r[y_r]): the summed token NLL under the full softmax, with its exact
 * gradient dlogits = dy · (softmax(logits) − onehot(y)) written out (autodiff through logSumExp spends
 * a [rows, V] Equal and several [rows, V] temporaries in Max's gradient; the value and gradient are the same).
 */
export function summedSoftmaxNll(logits: tf.Tensor2D, y: tf.Tensor1D): tf.Scalar {
  const V = logits.shape[1];
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const z = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    const lse = tf.logSumExp(z, 1, true); // [rows, 1]
    const onehot = tf.oneHot(y, V);
    const value = tf.sub(tf.sum(lse), tf.sum(tf.mul(z, onehot))) as tf.Scalar;
    save([z, lse, onehot]);
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [zs, l, oh] = saved;
        return [tf.mul(dy as tf.Tensor, tf.sub(tf.exp(tf.sub(zs, l)), oh))];
      },
    };
  });
  return f(logits) as tf.Scalar;
}

/** The names of the forward sites (dropout on the non-recurrent connections): embedding → layer 1 → … → softmax. */
export function lmSites(layers: number): string[] {
  return ['embedding', ...Array.from({ length: layers }, (_, l) => `lstm/${l + 1}`)];
}

/**
 * Word-level LSTM language model (Zaremba et al. 2014; Neelakantan et al. 2015 §4.6): embedding [V, E],
 * L LSTM layers of H units (gates i, f, g, o from x·Wx + h·Wh + b; c ← σ(f)c + σ(i)tanh(g); h ← σ(o)tanh(c)),
 * a softmax [H, V] over the vocabulary. Forward sites: "embedding" (embedding → layer 1) and "lstm/<l>"
 * (layer l's output → the next layer or the softmax); the recurrent h → h connections have none.
 *
 * Training loss of a window = Σ_t mean_b NLL(y[b,t]) (summed over the unrolled steps, averaged over the
 * streams: the Zaremba / TF PTB convention that lr 1 and clip 5 refer to). The hidden state (h, c of
 * every layer) is carried to the next window as a plain input, so truncated BPTT stops at the window edge.
 */
export class LstmLm implements Model {
  readonly params: Record<string, tf.Variable>;
  readonly sites: readonly string[];
  readonly metrics = LM_METRICS;

  constructor(
    readonly options: LstmLmOptions,
    readonly data: LstmLmDataInfo,
    rng: Rng,
  ) {
    const { layers: L, hiddenSize: H, embeddingSize: E, initScale: s } = options;
    const V = data.vocabSize;
    const uniform = (shape: number[]): tf.Variable => {
      const n = shape.reduce((a, b) => a * b, 1);
      const u = rng.fillUniform(new Float32Array(n));
      for (let i = 0; i < n; i++) u[i] = (2 * u[i] - 1) * s;
      return tf.variable(tf.tensor(u, shape, 'float32'));
    };
    const params: Record<string, tf.Variable> = { embedding: uniform([V, E]) };
    for (let l = 1; l <= L; l++) {
      params[`lstm/${l}/Wx`] = uniform([l === 1 ? E : H, 4 * H]);
      params[`lstm/${l}/Wh`] = uniform([H, 4 * H]);
      params[`lstm/${l}/b`] = uniform([4 * H]);
    }
    params['softmax/W'] = uniform([H, V]);
    params['softmax/b'] = uniform([V]);
    this.params = params;
    this.sites = lmSites(L);
  }

  initialCarry(): CarriedState {
    const { streams: B } = this.data;
    const out: Record<string, tf.Tensor> = {};
    for (let l = 1; l <= this.options.layers; l++) {
      out[`h${l}`] = tf.zeros([B, this.options.hiddenSize]);
      out[`c${l}`] = tf.zeros([B, this.options.hiddenSize]);
    }
    return out;
  }

  /** Logits [B·T, V] (row b·T + t) of a window and the state after it. */
  forward(x: tf.Tensor, ctx: ForwardContext): { logits: tf.Tensor2D; carry: CarriedState } {
    const [B, T] = x.shape as [number, number];
    const H = this.options.hiddenSize;
    const carry = ctx.carry ?? this.initialCarry();
    if (carry.h1 === undefined || carry.h1.shape[0] !== B) {
      throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `lstm-lm: a window has ${B} streams but the carried state has ${carry.h1?.shape[0]}; keep dataset batchSize and training.batchSize: 1.`);
    }
    let seq: tf.Tensor = ctx.site('embedding', embeddingLookup(this.params.embedding, tf.reshape(x, [-1]) as tf.Tensor1D)); // [B·T, E], row b·T + t
    const next: Record<string, tf.Tensor> = {};
    const cell = this.options.cell ?? 'auto';
    if (cell === 'block' && !hasBlockLstm()) throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `lstm-lm: cell 'block' needs the tensorflow backend (the backend is '${tf.getBackend()}'); use cell 'auto' or 'step-by-step'.`, { key: 'model.config.cell' });
    const fused = cell === 'block' || (cell === 'auto' && useBlockLstm());
    for (let l = 1; l <= this.options.layers; l++) {
      const layer = fused ? this.layerBlock(seq as tf.Tensor2D, l, B, T, carry) : this.layerStepByStep(seq as tf.Tensor2D, l, B, T, carry);
      next[`h${l}`] = layer.h;
      next[`c${l}`] = layer.c;
      seq = ctx.site(`lstm/${l}`, layer.seq);
    }
    const logits = tf.add(matMulFast(seq as tf.Tensor2D, this.params['softmax/W'] as tf.Tensor2D), this.params['softmax/b']) as tf.Tensor2D;
    return { logits, carry: next };
  }

  /**
   * Layer l over the window, step by step (the reference): all steps' input projections at once, then
   * z_t = x_t·Wx + h_{t−1}·Wh + b, [i, f, g, o] = split(z_t), c_t = σ(f)c_{t−1} + σ(i)tanh(g), h_t = σ(o)tanh(c_t).
   * Returns the outputs [B·T, H] (row b·T + t) and the last h and c.
   */
  private layerStepByStep(seq: tf.Tensor2D, l: number, B: number, T: number, carry: CarriedState): { seq: tf.Tensor2D; h: tf.Tensor2D; c: tf.Tensor2D } {
    const H = this.options.hiddenSize;
    const xin = tf.reshape(tf.add(matMulFast(seq, this.params[`lstm/${l}/Wx`] as tf.Tensor2D), this.params[`lstm/${l}/b`]), [B, T, 4 * H]);
    const steps = tf.unstack(xin, 1); // T × [B, 4H]
    let h = carry[`h${l}`] as tf.Tensor2D;
    let c = carry[`c${l}`] as tf.Tensor2D;
    const hs: tf.Tensor2D[] = [];
    for (let t = 0; t < T; t++) {
      const z = tf.add(steps[t], matMulFast(h, this.params[`lstm/${l}/Wh`] as tf.Tensor2D));
      const [i, f, g, o] = tf.split(z, 4, 1);
      c = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g))) as tf.Tensor2D;
      h = tf.mul(tf.sigmoid(o), tf.tanh(c)) as tf.Tensor2D;
      hs.push(h);
    }
    return { seq: tf.reshape(tf.stack(hs, 1), [B * T, H]) as tf.Tensor2D, h, c };
  }

  /** The same layer as one fused TensorFlow op (core's blockLstm, W = [Wx; Wh]); the same values and gradients. */
  private layerBlock(seq: tf.Tensor2D, l: number, B: number, T: number, carry: CarriedState): { seq: tf.Tensor2D; h: tf.Tensor2D; c: tf.Tensor2D } {
    const H = this.options.hiddenSize;
    const w = tf.concat([this.params[`lstm/${l}/Wx`], this.params[`lstm/${l}/Wh`]], 0) as tf.Tensor2D;
    const x = tf.transpose(tf.reshape(seq, [B, T, seq.shape[1]]), [1, 0, 2]) as tf.Tensor3D; // [T, B, I]
    const out = blockLstm(x, carry[`c${l}`] as tf.Tensor2D, carry[`h${l}`] as tf.Tensor2D, w, this.params[`lstm/${l}/b`] as tf.Tensor1D);
    const byStream = tf.transpose(out.h, [1, 0, 2]); // [B, T, H]
    const h = tf.reshape(tf.slice(out.h, [T - 1, 0, 0], [1, B, H]), [B, H]) as tf.Tensor2D;
    return { seq: tf.reshape(byStream, [B * T, H]) as tf.Tensor2D, h, c: out.lastC };
  }

  /** Summed NLL of the targets y under the logits (see summedSoftmaxNll). */
  static summedNll(logits: tf.Tensor2D, y: tf.Tensor): tf.Scalar {
    return summedSoftmaxNll(logits, tf.reshape(y, [-1]) as tf.Tensor1D);
  }

  loss(batch: Batch, ctx: ForwardContext): LossWithCarry {
    const { logits, carry } = this.forward(batch.x, ctx);
    const B = batch.x.shape[0];
    return { loss: tf.div(LstmLm.summedNll(logits, batch.y), B) as tf.Scalar, carry };
  }

  evaluate(batch: Batch, ctx: ForwardContext): EvalWithCarry {
    const { logits, carry } = this.forward(batch.x, ctx);
    return { sums: { perplexity: { sum: LstmLm.summedNll(logits, batch.y), count: tf.scalar(batch.y.size, 'float32') } }, carry };
  }

  describe(): Readonly<Record<string, unknown>> {
    const paramCount = Object.values(this.params).reduce((a, v) => a + v.size, 0);
    return { ...this.options, vocabSize: this.data.vocabSize, streams: this.data.streams, numSteps: this.data.numSteps, paramCount, sites: this.sites };
  }

  dispose(): void {
    tf.dispose(Object.values(this.params));
  }
}
