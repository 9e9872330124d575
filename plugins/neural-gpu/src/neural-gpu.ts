import * as tf from '@tensorflow/tfjs-core';
import {
  AnnealError,
  hostNumberOf,
  matMulForBackend,
  defineSchema,
  definePlugin,
  type Batch,
  type ConfigOf,
  type EvalSums,
  type ForwardContext,
  type MetricSpec,
  type Model,
  type ModelBuildContext,
  type ParamMap,
  type Rng,
} from '@anneal/core';
import { averageCopyGroups } from './average-copies.js';
import { beginForward, cgru, imageGeometry, type CgruParams, type ConvMode } from './cgru.js';

export const NGPU_METRICS: readonly MetricSpec[] = Object.freeze([
  { key: 'seq_error', direction: 'min', combine: 'mean', percent: true, description: 'share of examples with any wrong position (full-sequence error; Table 5 counts runs by it)' },
  { key: 'bit_error', direction: 'min', combine: 'mean', percent: true, description: 'share of wrong positions among the true-length positions (per-bit error)' },
  { key: 'mean_loss', direction: 'min', combine: 'mean', description: 'cross-entropy per true-length position' },
]);

export const neuralGpuSchema = defineSchema({
  m: { type: 'number', integer: true, min: 1, default: 24, description: 'nmaps: channels of the mental image (the noise paper era: 24)' },
  height: { type: 'number', integer: true, min: 1, default: 4, description: 'rows of the mental image (h = 4); the output is read from row 0' },
  layers: { type: 'number', integer: true, min: 1, default: 2, description: 'CGRU layers per step (2)' },
  copies: { type: 'number', integer: true, min: 1, default: 1, description: 'parameter-sharing relaxation: copies of the CGRU parameters, step t uses copy t mod copies (NGPU: 6; 1 = plain sharing)' },
  pull: { type: 'number', min: 0, default: 0.0005, description: "weight of the pull term Σ‖θ_copy − mean θ‖² when copies > 1 and no curriculum sets level 'pull'" },
  cutoff: { type: 'number', min: 1, default: 1.2, description: 'gate cutoff: σ\'(x) = clip(cutoff·σ(x) − (cutoff − 1)/2, 0, 1)' },
  gateBias: { type: 'number', default: 1, description: 'starting bias of the update and reset gates (+1)' },
  initWeight: { type: 'number', min: 0, default: 1, description: 'uniform unit scaling with factor 1.8·initWeight' },
  dropout: { type: 'number', min: 0, max: 0.5, default: 0, description: 'NGPU dropout after each step at training: keep = max(0.5, 1 − dropout·8/width) (public default 0.15; 0 = off)' },
  conv: { type: 'string', oneOf: ['shift', 'conv2d'] as const, default: 'shift', description: "3×3 convolutions as 9 row shifts + matMuls ('shift', fast on cpu and wasm) or through the backend's Conv2D ('conv2d', the reference; wasm lacks its filter gradient)" },
});
export type NeuralGpuConfig = ConfigOf<typeof neuralGpuSchema>;

const OWNER = "model family 'neural-gpu'";

function variableFrom(init: tf.Tensor): tf.Variable {
  const v = tf.variable(init, true);
  init.dispose();
  return v;
}

/** Uniform unit scaling: U[−a, a], a = factor·sqrt(3 / fanIn), fanIn = product of all but the last dim. */
function unitScaling(shape: number[], factor: number, rng: Rng): tf.Tensor {
  const fanIn = shape.slice(0, -1).reduce((x, y) => x * y, 1);
  const a = factor * Math.sqrt(3 / fanIn);
  const v = rng.fillUniform(new Float32Array(shape.reduce((x, y) => x * y, 1)));
  for (let i = 0; i < v.length; i++) v[i] = (2 * v[i] - 1) * a;
  return tf.tensor(v, shape, 'float32');
}

function vocabFrom(ctx: ModelBuildContext): number {
  const v = ctx.dataset.vocabSize;
  if (typeof v === 'number' && Number.isInteger(v) && v > 1) return v;
  throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `${OWNER}: the dataset's info has no usable 'vocabSize' (found ${JSON.stringify(v)}); use a dataset that reports it (binary-arith does).`, { owner: OWNER, key: 'vocabSize', value: v });
}

/** The gradient kernels conv: 'conv2d' needs; tfjs's wasm backend has no Conv2DBackpropFilter. */
const CONV2D_GRADIENT_KERNELS = ['Conv2DBackpropInput', 'Conv2DBackpropFilter'] as const;

function checkConvKernels(mode: ConvMode): void {
  if (mode !== 'conv2d') return;
  const backend = tf.getBackend();
  const missing = CONV2D_GRADIENT_KERNELS.filter((k) => tf.getKernel(k, backend) === undefined);
  if (missing.length > 0) {
    throw new AnnealError(
      'ANNEAL_ERR_CONFIG_VALUE',
      `${OWNER}: conv 'conv2d' cannot train on backend '${backend}' (it has no ${missing.join(', ')} kernel); use conv 'shift' (the default, same values) or --backend tensorflow / cpu.`,
      { owner: OWNER, key: 'conv', value: mode },
    );
  }
}

/** What one forward pass returns: logits [b, w, V] read at each example's true length, and the batch facts. */
interface Forward {
  readonly logits: tf.Tensor3D;
  readonly target: tf.Tensor2D;
  readonly mask: tf.Tensor2D;
}

/**
 * The Neural GPU (Kaiser & Sutskever 2016) as in paper-spec §5.2. Batch: { input, target: int32 [b, w],
 * length: int32 [b], mask: float32 [b, w], steps } (binary-arith; `steps` = max(length), a host number). The image
 * has w = padded width columns; s_0 row 0 = 1×1-conv(tanh(E(input))), other rows 0; then `steps` steps of `layers` CGRUs, each
 * followed by ctx.site('step', s), dropout and the input mask; example i's output is row 0 after step
 * length_i, through a 1×1 conv to logits. Loss = Σ masked cross-entropy / (b·w) (+ pull term).
 */
export class NeuralGpuModel implements Model {
  readonly params: ParamMap;
  readonly metrics = NGPU_METRICS;
  readonly sites: readonly string[] = Object.freeze(['step']);
  /** A captured graph cannot draw the dropout masks this model draws inside its forward pass. */
  get graphStepUnsupported(): string | undefined {
    return this.config.dropout > 0 ? `with dropout ${this.config.dropout} its forward pass draws random masks, which a captured graph cannot; set model.config.dropout 0, or training.graphStep 'off'` : undefined;
  }
  private readonly embedding: tf.Variable;
  private readonly inKernel: tf.Variable;
  private readonly inBias: tf.Variable;
  private readonly outKernel: tf.Variable;
  private readonly outBias: tf.Variable;
  /** cells[copy][layer]. */
  private readonly cells: CgruParams[][];
  private readonly vocab: number;
  private readonly mode: ConvMode;

  constructor(
    private readonly config: NeuralGpuConfig,
    ctx: ModelBuildContext,
  ) {
    const { m, layers, copies } = config;
    this.vocab = vocabFrom(ctx);
    this.mode = config.conv;
    checkConvKernels(this.mode);
    const factor = 1.8 * config.initWeight;
    const rng = ctx.rng;
    const params: Record<string, tf.Variable> = {};
    // Embedding U[−1.7, 1.7], row 0 (padding) = 0.
    const e = rng.fillUniform(new Float32Array(this.vocab * m));
    for (let i = 0; i < e.length; i++) e[i] = i < m ? 0 : (2 * e[i] - 1) * 1.7;
    this.embedding = params['embedding'] = variableFrom(tf.tensor2d(e, [this.vocab, m]));
    this.inKernel = params['input/kernel'] = variableFrom(unitScaling([m, m], factor, rng));
    this.inBias = params['input/bias'] = variableFrom(tf.zeros([m]));
    this.cells = [];
    // Copy 0 is drawn first; the relaxation's other copies start equal to it (the pull term is 0 at the start).
    const first: tf.Tensor[] = [];
    for (let l = 0; l < layers; l++) first.push(unitScaling([3, 3, m, m], factor, rng), unitScaling([3, 3, m, m], factor, rng), unitScaling([3, 3, m, m], factor, rng));
    for (let c = 0; c < copies; c++) {
      const row: CgruParams[] = [];
      for (let l = 0; l < layers; l++) {
        const name = `cgru${c}.${l}`;
        const p: CgruParams = {
          updateKernel: (params[`${name}/update/kernel`] = variableFrom(tf.clone(first[3 * l]))),
          updateBias: (params[`${name}/update/bias`] = variableFrom(tf.fill([m], config.gateBias))),
          resetKernel: (params[`${name}/reset/kernel`] = variableFrom(tf.clone(first[3 * l + 1]))),
          resetBias: (params[`${name}/reset/bias`] = variableFrom(tf.fill([m], config.gateBias))),
          candKernel: (params[`${name}/candidate/kernel`] = variableFrom(tf.clone(first[3 * l + 2]))),
          candBias: (params[`${name}/candidate/bias`] = variableFrom(tf.zeros([m]))),
        };
        row.push(p);
      }
      this.cells.push(row);
    }
    tf.dispose(first);
    this.outKernel = params['output/kernel'] = variableFrom(unitScaling([m, this.vocab], factor, rng));
    this.outBias = params['output/bias'] = variableFrom(tf.zeros([this.vocab]));
    this.params = Object.freeze(params);
  }

  private forward(batch: Batch, ctx: ForwardContext): Forward {
    const input = batch.input as tf.Tensor2D;
    const lengths = batch.length as tf.Tensor1D;
    const [b, w] = input.shape;
    const { m, height } = this.config;
    // How many steps to unroll (the longest length): a host number the batch carries, else read from the lengths.
    const steps = batch.steps ? hostNumberOf(batch.steps, "batch 'steps'") : Math.max(1, ...Array.from(lengths.dataSync()));
    // Image rows ordered (y, x, example): position-major tensors are [w, b] → [w·b].
    const inputWB = tf.reshape(tf.transpose(input), [w * b]);
    const g = imageGeometry(height, w, b, m);
    beginForward();
    // Masks from the lengths, on the backend (full [rows, m] shapes: see ImageGeometry): column x of example i is
    // inside while x < length_i; example i's output is row 0 after step max(1, length_i).
    const inside = tf.cast(tf.less(tf.reshape(tf.range(0, w, 1, 'int32'), [w, 1]), tf.reshape(lengths, [1, b])), 'float32');
    const maskImg = tf.reshape(tf.tile(tf.reshape(inside, [1, w * b, 1]), [height, 1, m]), [height * w * b, m]) as tf.Tensor2D;
    const lastStep = tf.maximum(lengths, 1);
    const endsAt = (t: number) => tf.reshape(tf.tile(tf.reshape(tf.cast(tf.equal(lastStep, t + 1), 'float32'), [1, b, 1]), [w, 1, m]), [w * b, m]);
    // One-hot · E instead of gather: gather's gradient (UnsortedSegmentSum) has no wasm kernel.
    const x = tf.tanh(matMulForBackend(tf.oneHot(inputWB, this.vocab) as tf.Tensor2D, this.embedding as tf.Tensor2D)) as tf.Tensor2D;
    const row0 = tf.add(matMulForBackend(x, this.inKernel as tf.Tensor2D), this.inBias) as tf.Tensor2D;
    let s = (height > 1 ? tf.concat([row0, tf.zeros([(height - 1) * w * b, m])], 0) : row0) as tf.Tensor2D;
    s = tf.mul(s, maskImg) as tf.Tensor2D;
    const keep = this.config.dropout > 0 && ctx.training ? Math.max(0.5, 1 - (this.config.dropout * 8) / w) : 1;
    let out: tf.Tensor | undefined;
    for (let t = 0; t < steps; t++) {
      const copy = this.cells[t % this.cells.length];
      for (const cell of copy) s = cgru(s, g, cell, this.config.cutoff, this.mode);
      s = ctx.site('step', s) as tf.Tensor2D;
      if (keep < 1) s = tf.div(tf.mul(s, tf.cast(tf.less(tf.randomUniform(s.shape, 0, 1, 'float32', dropoutSeed(ctx.step, t)), keep), 'float32')), keep) as tf.Tensor2D;
      s = tf.mul(s, maskImg) as tf.Tensor2D;
      // Row 0 (contiguous) of the examples whose output is this step's; the others add exact zeros.
      const picked = tf.mul(tf.slice(s, [0, 0], [w * b, m]), endsAt(t));
      out = out === undefined ? picked : tf.add(out, picked);
    }
    const logits = tf.add(matMulForBackend(out as tf.Tensor2D, this.outKernel as tf.Tensor2D), this.outBias);
    // Back to [b, w, V] once (small), so targets and masks keep the batch's layout.
    const bwv = tf.transpose(tf.reshape(logits, [w, b, this.vocab]), [1, 0, 2]) as tf.Tensor3D;
    return { logits: bwv, target: batch.target as tf.Tensor2D, mask: batch.mask as tf.Tensor2D };
  }

  /** Per-position cross-entropy [b, w]. */
  private crossEntropy(f: Forward): tf.Tensor2D {
    const logp = tf.logSoftmax(f.logits);
    const onehot = tf.oneHot(f.target, this.vocab);
    return tf.neg(tf.sum(tf.mul(logp, onehot), 2)) as tf.Tensor2D;
  }

  loss(batch: Batch, ctx: ForwardContext): tf.Scalar {
    const f = this.forward(batch, ctx);
    const [b, w] = f.target.shape;
    const ce = tf.div(tf.sum(tf.mul(this.crossEntropy(f), f.mask)), b * w) as tf.Scalar;
    if (this.cells.length === 1) return ce;
    const pull = ctx.curriculum.pull ?? this.config.pull;
    return tf.add(ce, tf.mul(this.pullTerm(), pull)) as tf.Scalar;
  }

  /** Σ over CGRU parameters and copies of ‖θ_copy − mean_copies θ‖². */
  pullTerm(): tf.Scalar {
    const terms: tf.Tensor[] = [];
    const keys: (keyof CgruParams)[] = ['updateKernel', 'updateBias', 'resetKernel', 'resetBias', 'candKernel', 'candBias'];
    for (let l = 0; l < this.config.layers; l++) {
      for (const k of keys) {
        const stacked = tf.stack(this.cells.map((row) => row[l][k]));
        terms.push(tf.sum(tf.square(tf.sub(stacked, tf.mean(stacked, 0, true)))));
      }
    }
    return tf.addN(terms) as tf.Scalar;
  }

  /** Replaces every copy by the mean of the copies (the relaxation's hard averaging). Outside any gradient tape. */
  averageCopies(): void {
    averageCopyGroups(this.params);
  }

  evaluate(batch: Batch, ctx: ForwardContext): EvalSums {
    const f = this.forward(batch, ctx);
    const [b] = f.target.shape;
    const wrong = tf.mul(tf.cast(tf.notEqual(tf.argMax(f.logits, 2), f.target), 'float32'), f.mask);
    const positions = tf.sum(f.mask) as tf.Scalar;
    const n = tf.scalar(b, 'float32');
    return {
      seq_error: { sum: tf.sum(tf.cast(tf.greater(tf.sum(wrong, 1), 0), 'float32')) as tf.Scalar, count: n },
      bit_error: { sum: tf.sum(wrong) as tf.Scalar, count: positions },
      mean_loss: { sum: tf.sum(tf.mul(this.crossEntropy(f), f.mask)) as tf.Scalar, count: positions },
    };
  }

  describe(): Readonly<Record<string, unknown>> {
    const count = Object.values(this.params).reduce((n, v) => n + v.size, 0);
    const { m, height, layers, copies, cutoff, gateBias, dropout, conv } = this.config;
    return { family: 'neural-gpu', image: `${height} × w × ${m}`, layers, copies, cutoff, gateBias, dropout, conv, vocab: this.vocab, paramCount: count };
  }

  dispose(): void {
    tf.dispose(Object.values(this.params));
  }
}

function dropoutSeed(step: number, t: number): number {
  return ((step + 1) * 7919 + t * 104729) % 2147483647;
}

export const neuralGpuFamily = definePlugin.modelFamily({
  manifest: {
    name: 'neural-gpu',
    kind: 'model-family',
    version: '0.1.0',
    configSchema: neuralGpuSchema,
    card: {
      summary: 'The Neural GPU: an h × w × m mental image updated by 2 CGRUs (3×3 SAME convolutions, cutoff gates) per step, as many steps as the input length; output read from row 0.',
      paper: 'Neelakantan et al. 2015 §4.5 (Table 5); Kaiser & Sutskever 2016 — paper-spec §5.2',
      details:
        "Batch from binary-arith. Forward site 'step' after every step. Metrics seq_error, bit_error (both means, lower is better) and mean_loss. copies > 1 = the parameter-sharing relaxation (pull weight from curriculum level 'pull').",
    },
  },
  metrics: NGPU_METRICS,
  create: (config, ctx) => new NeuralGpuModel(config, ctx),
});
