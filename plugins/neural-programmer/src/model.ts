import * as tf from '@tensorflow/tfjs-core';
import {
  AnnealError,
  defineSchema,
  definePlugin,
  type Batch,
  type ConfigOf,
  type DatasetInfo,
  type EvalSums,
  type ForwardContext,
  type MetricSpec,
  type Model,
  type ParamMap,
  type Rng,
} from '@anneal/core';
import { OPS, npForward, type NpWeights } from './forward.js';
import { oneHot } from './primitives.js';

export const NP_CATEGORIES = ['aggregation', 'comparison', 'logic', 'arithmetic', 'text'] as const;

export const neuralProgrammerSchema = defineSchema({
  hiddenSize: { type: 'number', integer: true, min: 1, default: 256, description: 'd: embedding and RNN size (the paper: 256)' },
  steps: { type: 'number', integer: true, min: 1, max: 20, default: 4, description: 'T: time steps of the history RNN (the paper: 4)' },
  initRange: { type: 'number', min: 0, exclusiveMin: true, default: 0.1, description: 'every parameter ~ U[−initRange, initRange] (the paper: 0.1)' },
  bidirectional: { type: 'string', oneOf: ['auto', 'yes', 'no'] as const, default: 'auto', description: "bidirectional question RNN; 'auto': yes for multi-column tables (the paper's 5-column runs)" },
  lambda: { type: 'number', min: 0, default: 50, description: 'λ, the weight of the lookup (print) loss (grid {25, 50, 75, 100})' },
  huberDelta: { type: 'number', min: 0, exclusiveMin: true, default: 25, description: 'δ of the Huber loss on scalar answers (grid {10, 25, 50})' },
});
export type NeuralProgrammerConfig = ConfigOf<typeof neuralProgrammerSchema>;

const OWNER = "model family 'neural-programmer'";

/** Metrics: the paper's accuracy rule, per template category, and `solved` (every test question right). */
export function npMetrics(categories: readonly string[]): MetricSpec[] {
  return [
    { key: 'accuracy', direction: 'max', combine: 'mean', percent: true, description: 'share answered right: scalars equal to the first decimal, lookups = the exact cell set (hard selection)' },
    { key: 'error', direction: 'min', combine: 'mean', percent: true, description: '1 − accuracy' },
    { key: 'solved', direction: 'max', combine: 'all', description: '1 when every question of the split is answered right (100% accuracy), else 0' },
    { key: 'mean_loss', direction: 'min', combine: 'mean', description: 'mean training objective (soft selection) per question' },
    ...categories.map((c): MetricSpec => ({ key: `accuracy_${c}`, direction: 'max', combine: 'mean', percent: true, description: `accuracy on ${c} templates` })),
  ];
}

export const NP_FAMILY_METRICS: readonly MetricSpec[] = Object.freeze(npMetrics(NP_CATEGORIES));

export interface NpDataInfo {
  readonly vocabSize: number;
  readonly columns: number;
  readonly columnWords: readonly number[];
  readonly textColumns: number;
  readonly categories: readonly string[];
  readonly mode: string;
}

export function readNpDataInfo(info: DatasetInfo): NpDataInfo {
  const need = (key: string, ok: (v: unknown) => boolean) => {
    if (!ok(info[key])) {
      throw new AnnealError(
        'ANNEAL_ERR_CONFIG_VALUE',
        `${OWNER}: the dataset's info has no usable '${key}' (found ${JSON.stringify(info[key])}); use the 'table-qa' dataset.`,
        { owner: OWNER, key, value: info[key] },
      );
    }
    return info[key];
  };
  const int = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  return {
    vocabSize: need('vocabSize', int) as number,
    columns: need('columns', int) as number,
    columnWords: need('columnWords', Array.isArray) as number[],
    textColumns: need('textColumns', int) as number,
    categories: need('categories', Array.isArray) as string[],
    mode: String(info.mode ?? 'single-column'),
  };
}

/** Huber loss on a = |pred − y|: ½a² if a ≤ δ, else δa − ½δ² (per example). */
export function huber(pred: tf.Tensor1D, y: tf.Tensor1D, delta: number): tf.Tensor1D {
  // ½·min(a, δ)² + δ·(a − min(a, δ)): the same function, written without a comparison (no gradient in tfjs).
  const a = tf.abs(tf.sub(pred, y));
  const m = tf.minimum(a, delta);
  return tf.add(tf.mul(0.5, tf.square(m)), tf.mul(delta, tf.sub(a, m))) as tf.Tensor1D;
}

/** Mean over the valid cells of the binary cross-entropy between p and y (logs clamped), per example. */
export function lookupBce(p: tf.Tensor3D, y: tf.Tensor3D, cellMask: tf.Tensor3D): tf.Tensor1D {
  const pc = tf.clipByValue(p, 1e-7, 1 - 1e-7);
  const bce = tf.neg(tf.add(tf.mul(y, tf.log(pc)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, pc)))));
  return tf.div(tf.sum(tf.mul(bce, cellMask), [1, 2]), tf.maximum(tf.sum(cellMask, [1, 2]), 1)) as tf.Tensor1D;
}

/**
 * The Neural Programmer (NP16; paper-spec §3.2–3.3). Parameters (all U[−r, r], drawn in this order):
 * embed/words [V, d], question/forward [2d, d], question/backward [2d, d] (bidirectional), ops/embedding
 * [O, d], history/W [3d, d], selector/op and selector/column [qd + d, d]. Forward sites: 'question' (q)
 * and 'history' (h_t, every step). Training uses soft selection; evaluation hard (argmax) selection.
 */
export class NeuralProgrammer implements Model {
  readonly params: ParamMap;
  readonly sites = Object.freeze(['question', 'history']);
  readonly metrics: readonly MetricSpec[];
  private readonly weights: NpWeights;
  private readonly columnWords: tf.Tensor1D;
  private readonly bidirectional: boolean;
  private disposed = false;

  constructor(
    readonly config: NeuralProgrammerConfig,
    readonly data: NpDataInfo,
    rng: Rng,
  ) {
    const d = config.hiddenSize;
    const r = config.initRange;
    this.bidirectional = config.bidirectional === 'yes' || (config.bidirectional === 'auto' && data.mode === 'multi-column');
    const nOps = data.textColumns > 0 ? OPS.length : OPS.length - 1;
    const qd = this.bidirectional ? 2 * d : d;
    const uniform = (shape: [number, number]) => {
      const values = new Float32Array(shape[0] * shape[1]);
      for (let i = 0; i < values.length; i++) values[i] = (2 * rng.nextFloat() - 1) * r;
      return tf.variable(tf.tensor2d(values, shape), true) as tf.Variable<tf.Rank.R2>;
    };
    const params: Record<string, tf.Variable> = {};
    const add = (name: string, shape: [number, number]) => (params[name] = uniform(shape)) as unknown as tf.Tensor2D;
    this.weights = {
      words: add('embed/words', [data.vocabSize, d]),
      question: add('question/forward', [2 * d, d]),
      questionBack: this.bidirectional ? add('question/backward', [2 * d, d]) : null,
      ops: add('ops/embedding', [nOps, d]),
      history: add('history/W', [3 * d, d]),
      selectOp: add('selector/op', [qd + d, d]),
      selectColumn: add('selector/column', [qd + d, d]),
    };
    this.params = Object.freeze(params);
    this.columnWords = tf.tensor1d(data.columnWords as number[], 'int32');
    this.metrics = Object.freeze(npMetrics(data.categories));
  }

  forward(batch: Batch, ctx: ForwardContext, hard: boolean) {
    if (this.disposed) throw new Error(`${OWNER}: the model has been disposed`);
    return npForward(this.weights, batch, { steps: this.config.steps, hard, columnWords: this.columnWords, text: this.data.textColumns > 0, site: ctx.site });
  }

  /** Per-example objective: Huber for scalar answers, λ·BCE for lookups. */
  private objective(batch: Batch, out: { scalar: tf.Tensor1D; lookup: tf.Tensor3D }): tf.Tensor1D {
    const isScalar = batch.isScalar as tf.Tensor1D;
    const cellMask = tf.mul(tf.expandDims(batch.rowMask, 2), tf.expandDims(batch.columnMask, 1)) as tf.Tensor3D;
    const ls = huber(out.scalar, batch.scalarAnswer as tf.Tensor1D, this.config.huberDelta);
    const ll = tf.mul(this.config.lambda, lookupBce(out.lookup, batch.lookupAnswer as tf.Tensor3D, cellMask));
    return tf.add(tf.mul(isScalar, ls), tf.mul(tf.sub(1, isScalar), ll)) as tf.Tensor1D;
  }

  loss(batch: Batch, ctx: ForwardContext): tf.Scalar {
    return tf.mean(this.objective(batch, this.forward(batch, ctx, false))) as tf.Scalar;
  }

  /** 1 for each question answered right under hard selection (paper's rule), 0 otherwise. */
  correct(batch: Batch, ctx: ForwardContext): tf.Tensor1D {
    const out = this.forward(batch, ctx, true);
    const isScalar = batch.isScalar as tf.Tensor1D;
    const y = batch.scalarAnswer as tf.Tensor1D;
    const scalarOk = tf.equal(tf.round(tf.mul(out.scalar, 10)), tf.round(tf.mul(y, 10))).toFloat();
    const cellMask = tf.mul(tf.expandDims(batch.rowMask, 2), tf.expandDims(batch.columnMask, 1));
    const chosen = tf.greater(out.lookup, 0.5).toFloat();
    const wrongCells = tf.sum(tf.mul(tf.abs(tf.sub(chosen, batch.lookupAnswer)), cellMask), [1, 2]);
    const lookupOk = tf.equal(wrongCells, 0).toFloat();
    return tf.add(tf.mul(isScalar, scalarOk), tf.mul(tf.sub(1, isScalar), lookupOk)) as tf.Tensor1D;
  }

  evaluate(batch: Batch, ctx: ForwardContext): EvalSums {
    const ok = this.correct(batch, ctx);
    const n = tf.scalar(ok.shape[0], 'float32');
    const right = tf.sum(ok) as tf.Scalar;
    const lossSum = tf.sum(this.objective(batch, this.forward(batch, ctx, false))) as tf.Scalar;
    const sums: Record<string, { sum: tf.Scalar; count: tf.Scalar }> = {
      accuracy: { sum: right, count: n },
      error: { sum: tf.sub(n, right) as tf.Scalar, count: n },
      solved: { sum: right, count: n },
      mean_loss: { sum: lossSum, count: n },
    };
    const byCat = oneHot(batch.category, Math.max(this.data.categories.length, 1));
    const catRight = tf.sum(tf.mul(byCat, tf.expandDims(ok, 1)), 0);
    const catCount = tf.sum(byCat, 0);
    this.data.categories.forEach((c, i) => {
      sums[`accuracy_${c}`] = { sum: tf.reshape(tf.slice(catRight, [i], [1]), []) as tf.Scalar, count: tf.reshape(tf.slice(catCount, [i], [1]), []) as tf.Scalar };
    });
    return sums;
  }

  describe(): Readonly<Record<string, unknown>> {
    const paramCount = Object.values(this.params).reduce((s, v) => s + v.size, 0);
    return {
      family: 'neural-programmer',
      hiddenSize: this.config.hiddenSize,
      steps: this.config.steps,
      bidirectional: this.bidirectional,
      operations: OPS.slice(0, this.weights.ops.shape[0]),
      columns: this.data.columns,
      vocabSize: this.data.vocabSize,
      lambda: this.config.lambda,
      huberDelta: this.config.huberDelta,
      paramCount,
      loss: 'mean over the batch of Huber(δ) (scalar answers) or λ·mean-cell BCE (lookup answers); soft selection',
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of Object.values(this.params)) v.dispose();
    this.columnWords.dispose();
  }
}

export const neuralProgrammerFamily = definePlugin.modelFamily({
  manifest: {
    name: 'neural-programmer',
    version: '0.1.0',
    kind: 'model-family',
    configSchema: neuralProgrammerSchema,
    card: {
      summary:
        'Neural Programmer: question RNN (bidirectional for multi-column), history RNN, soft op/column selectors over 9 operations (+ text_match), pivots from the words left of question numbers; T = 4 steps.',
      paper: 'Neelakantan et al. 2015, §4.3 / Table 3; Neelakantan, Le & Sutskever 2016 (Neural Programmer)',
      details:
        'Dataset: table-qa. Soft selection in training, one-hot argmax of op, column and pivot at evaluation. Loss: mean of Huber(δ) on scalar answers and λ·mean-cell BCE on lookups. ' +
        "Params U[−0.1, 0.1]. Dropout sites: 'question' (q), 'history' (h_t). Metrics: accuracy (scalars to the first decimal, lookups exact), error, solved (all right), mean_loss, accuracy_<category>.",
    },
  },
  metrics: NP_FAMILY_METRICS,
  create(config, ctx) {
    return new NeuralProgrammer(config, readNpDataInfo(ctx.dataset), ctx.rng);
  },
});
