import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, batchContext, type Batch, type ExecutionPlan, type Recipe } from '@anneal/core';
import { realPtbDir } from '@anneal/dataset-ptb';
import { NGPU_CLIP, NGPU_NOISE, NP_CLIP, NP_NOISE, NRAM_CLIP, NRAM_NOISE, PTB_FULL_STEP } from '@anneal/recipes';
import { mlpBenchRecipe } from '../mlp-step-bench.js';
import { ngpuBenchRecipe } from '../ngpu-step-bench.js';
import { npBenchRecipe } from '../np-step-bench.js';
import { nramBenchRecipe } from '../nram-step-bench.js';
import { ptbBenchRecipe } from '../ptb-step-bench.js';
import { singleTaskMemn2nRecipe } from '../../helpers/memn2n-recipe.js';
import { exportParams, exportValues, type InitCheck } from './peer-check.js';

/**
 * The models of `npm run bench -- --peers`: each is one of the recipes the other step benchmarks use,
 * with the step the peers implement (tests/peers/*.py). `steps` steps run per round; the first
 * `warmup` step-to-step intervals are dropped on every side alike.
 */
export interface PeerModel {
  readonly name: string;
  readonly title: string;
  readonly steps: number;
  readonly warmup: number;
  /** How many distinct batches are written for the peers (they cycle through them). */
  readonly exportBatches: number;
  /** The issue's target for anneal ÷ fastest peer, if it sets one. */
  readonly target?: number;
  /**
   * The correctness check (peer-check.ts): anneal's initial weights are written for the peers, who load them
   * and report the loss and gradient norms of batch 0 before their first step, and their parameters after one
   * noise-free step on batch 0 against anneal's (update-check.ts).
   */
  readonly checkInit?: boolean;
  /** Whether the model needs data that may be missing (then the reason). */
  readonly unavailable?: () => string | undefined;
  readonly recipe: () => Recipe;
  /** Batch `i` as the trainer's dataset builds it (the peers get these exact values). */
  readonly batchAt: (plan: ExecutionPlan, i: number) => Batch;
}

const rngCtx = (seed: number) => batchContext({ training: true, rng: new Rng(seed) });

function withSteps(recipe: Recipe, maxSteps: number): Recipe {
  return { ...recipe, training: { ...recipe.training, maxSteps } };
}

/** A bench recipe with the paper's clip and annealed noise after it, and no per-tensor norms recorded (the peers record none). */
function withClipNoise(recipe: Recipe, plugins: Recipe['plugins']): Recipe {
  return { ...recipe, plugins, training: { ...recipe.training, recordGradNorms: false } };
}

const trainBatch = (size: number) => (plan: ExecutionPlan, i: number) =>
  plan.dataset.instance.splits.train.batch(Int32Array.from({ length: size }, (_, k) => i * size + k), rngCtx(i));

const MLP_STEPS = 48;
const MEMN2N_STEPS = 48;
/** 12 windows, 10 timed after 2 warm-up ones (was 6 and 4: one slow window moved a round's median). */
const PTB_STEPS = 12;

export const PEER_MODELS: readonly PeerModel[] = [
  {
    name: 'mlp',
    title: 'MLP 20×50 ReLU on MNIST, batch 128, global-norm clip 10 + annealed noise η=0.01 γ=0.55, SGD 0.01',
    steps: MLP_STEPS,
    warmup: 8,
    exportBatches: 8,
    target: 1.5,
    checkInit: true,
    recipe: () => {
      const r = mlpBenchRecipe([{ plugin: 'clip-global-norm', config: { maxNorm: 10 } }, { plugin: 'annealed-gaussian', config: { eta: 0.01, gamma: 0.55 } }]);
      return { ...withSteps(r, MLP_STEPS), dataset: { ...r.dataset, config: { ...r.dataset.config, trainSize: 128 * (MLP_STEPS + 2) } } };
    },
    batchAt: (plan, i) => plan.dataset.instance.splits.train.batch(Int32Array.from({ length: 128 }, (_, k) => i * 128 + k), rngCtx(i)),
  },
  {
    name: 'memn2n',
    title: 'MemN2N (3 hops, d=20, PE + TE) on bAbI task 1, batch 32, per-matrix clip 40 + annealed noise η=0.01 γ=0.55, SGD 0.01',
    steps: MEMN2N_STEPS,
    warmup: 8,
    exportBatches: 8,
    checkInit: true,
    recipe: () => withSteps(singleTaskMemn2nRecipe(1, 3), MEMN2N_STEPS),
    batchAt: (plan, i) => plan.dataset.instance.splits.train.batch(Int32Array.from({ length: 32 }, (_, k) => i * 32 + k), rngCtx(i)),
  },
  {
    name: 'ptb',
    title: 'PTB small LSTM (vocab 10k, 2×200), one 20×20 window per step, global-norm clip 5 + annealed noise η=0.01 γ=0.55, SGD 1',
    steps: PTB_STEPS,
    warmup: 2,
    exportBatches: PTB_STEPS,
    target: 1.5,
    checkInit: true,
    unavailable: () => (realPtbDir() ? undefined : 'PTB not found (set ANNEAL_PTB_DIR)'),
    recipe: () => {
      const r = ptbBenchRecipe(realPtbDir()!);
      return {
        ...r,
        dataset: { ...r.dataset, config: { ...r.dataset.config, maxTrainTokens: 20 * 20 * (PTB_STEPS + 2) + 20 } },
        // As the full PTB recipes: two TensorFlow threads (this model's contestant process starts with them).
        training: { ...r.training, maxSteps: PTB_STEPS, tensorflowThreads: PTB_FULL_STEP.tensorflowThreads },
        plugins: [{ plugin: 'clip-global-norm', config: { maxNorm: 5 } }, { plugin: 'annealed-gaussian', config: { eta: 0.01, gamma: 0.55 }, at: 'post-clip' }],
      };
    },
    batchAt: (plan, i) => plan.dataset.instance.splits.train.batch(Int32Array.of(i), rngCtx(i)),
  },
  {
    name: 'ngpu',
    title: 'Neural GPU quick config (badd, m 8, 4 × 12 image, 2 CGRUs × 9 steps), batch 8, global-norm clip 1 + annealed noise η=1 γ=0.55, Adam 0.003 ε 1e-4',
    steps: 16,
    warmup: 4,
    exportBatches: 8,
    checkInit: true,
    recipe: () => withClipNoise(ngpuBenchRecipe(), [NGPU_CLIP, NGPU_NOISE]),
    batchAt: trainBatch(8),
  },
  {
    name: 'nram',
    title: 'NRAM quick config (M 8, lists of 2, T 5, R 3, LSTM 20) on ListK, batch 50, global-norm clip 10 + annealed noise η=0.01 γ=0.55, Adam 0.01',
    steps: 16,
    warmup: 4,
    exportBatches: 8,
    checkInit: true,
    recipe: () => withClipNoise(nramBenchRecipe(), [NRAM_CLIP, NRAM_NOISE]),
    batchAt: trainBatch(50),
  },
  {
    name: 'np',
    title: 'Neural Programmer quick config (single column, d 64, T 4, 10–30 rows), batch 50, global-norm clip 5 + annealed noise η=1 γ=0.55, Adam 0.001 ε 1e-6',
    steps: 30,
    warmup: 6,
    exportBatches: 8,
    checkInit: true,
    recipe: () => withClipNoise(npBenchRecipe([]), [NP_CLIP, NP_NOISE]),
    batchAt: trainBatch(50),
  },
];

export function peerModel(name: string): PeerModel {
  const m = PEER_MODELS.find((p) => p.name === name);
  if (!m) throw new Error(`no peer model '${name}' (have ${PEER_MODELS.map((p) => p.name).join(', ')})`);
  return m;
}

export interface ExportedTensor {
  readonly file: string;
  readonly dtype: 'float32' | 'int32';
  readonly shape: readonly number[];
}

/**
 * Writes the first `exportBatches` batches of the plan's training split as raw little-endian files plus
 * <model>.json ({ model, info, describe, recipeModel and step: { optimizer, plugins } of the recipe, batches: [{ key:
 * { file, dtype, shape } }] }) for the peers; with
 * `reference` (checkInit models) also the model's current weights ({ params: { name: { file, dtype, shape } } })
 * and that reference loss / gradient norm, and with `updated` the parameters after anneal's noise-free step on
 * batch 0 from those weights, one per update case ({ updates: [{ maxNorm, engaged, params: { name: { file, dtype, shape } } }] },
 * update-check.ts).
 */
export function exportBatches(model: PeerModel, plan: ExecutionPlan, dir: string, reference?: InitCheck, updated?: readonly Readonly<Record<string, Float32Array>>[]): void {
  const batches: Record<string, ExportedTensor>[] = [];
  for (let i = 0; i < model.exportBatches; i++) {
    const batch = model.batchAt(plan, i);
    const entry: Record<string, ExportedTensor> = {};
    for (const [key, t] of Object.entries(batch)) {
      const dtype = t.dtype === 'int32' || t.dtype === 'bool' ? 'int32' : 'float32';
      const values = dtype === 'int32' ? Int32Array.from(t.dataSync()) : Float32Array.from(t.dataSync());
      const file = `${model.name}-${i}-${key.replace(/[^A-Za-z0-9_]/g, '_')}.bin`;
      writeFileSync(join(dir, file), new Uint8Array(values.buffer));
      entry[key] = { file, dtype, shape: t.shape };
    }
    tf.dispose(Object.values(batch));
    batches.push(entry);
  }
  const describe = plan.model.instance.describe();
  const updates = updated?.map((values, i) => ({ ...reference!.updateCases![i], params: exportValues(values, plan, dir, `${model.name}-updated${i}`) }));
  const checked = reference ? { params: exportParams(plan, dir, model.name), reference, ...(updates ? { updates } : {}) } : {};
  const { optimizer, plugins, model: recipeModel } = model.recipe(); // the step the peers implement (peer_protocol.step_config)
  const meta = { model: model.name, info: plan.dataset.instance.info, describe, recipeModel, step: { optimizer, plugins }, batches, ...checked };
  writeFileSync(join(dir, `${model.name}.json`), `${JSON.stringify(meta, null, 2)}\n`);
}
