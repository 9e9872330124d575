import * as tf from '@tensorflow/tfjs-core';
import { Trainer, batchContext, hasBlockLstm, type CarriedState, type ExecutionPlan, type ForwardContext, type Recipe } from '@anneal/core';
import { buildPlan, type PluginCatalog } from '@anneal/registry';
import { realPtbDir } from '@anneal/dataset-ptb';
import { intervals, median, trainerLoop } from './measure.js';

const STEPS = 6;
const WARMUP = 2;

/** The full-size model of the recipe (2 × 200, 10k softmax) on one 20 × 20 window per step, plain SGD lr 1. */
export function ptbBenchRecipe(dataDir: string, cell: 'auto' | 'step-by-step' = 'auto'): Recipe {
  return {
    name: 'bench-ptb',
    version: 1,
    description: 'benchmark',
    model: { name: 'lstm-lm', config: { layers: 2, hiddenSize: 200, initScale: 0.1, cell } },
    dataset: { name: 'ptb', config: { dataDir, batchSize: 20, numSteps: 20, maxTrainTokens: 20 * 20 * (STEPS + 2) + 20, maxEvalTokens: 1000 } },
    optimizer: { name: 'sgd', config: { learningRate: 1 } },
    plugins: [],
    training: { batchSize: 1, epochs: 1, maxSteps: STEPS, sampling: 'sequential', evalSplits: [] },
    seeds: [1],
  };
}

/** (a) The same model by hand: windows in order, state carried and kept by hand, SGD by assign. */
export function handWrittenLmLoop(plan: ExecutionPlan): number[] {
  const model = plan.model.instance;
  const train = plan.dataset.instance.splits.train;
  const vars = Object.values(model.params);
  const lr = tf.scalar(1);
  const ctx: ForwardContext = { training: true, step: 0, phase: 'main', phaseOptions: {}, curriculum: {}, site: (_n, x) => x };
  const rng = { nextInt: () => 0 } as never;
  let carry: CarriedState = tf.tidy(() => Object.fromEntries(Object.entries(model.initialCarry!()).map(([k, t]) => [k, tf.keep(t)])));
  const stamps: number[] = [performance.now()];
  for (let step = 0; step < STEPS; step++) {
    let next: CarriedState = {};
    const loss = tf.tidy(() => {
      const batch = train.batch(Int32Array.of(step), batchContext({ training: true, rng }));
      const { value, grads } = tf.variableGrads(() => {
        const out = model.loss(batch, { ...ctx, carry }) as { loss: tf.Scalar; carry: CarriedState };
        next = Object.fromEntries(Object.entries(out.carry).map(([k, t]) => [k, tf.keep(t)]));
        return out.loss;
      }, vars);
      for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name], lr)));
      return value;
    });
    loss.dataSync();
    loss.dispose();
    tf.dispose(Object.values(carry));
    carry = next;
    stamps.push(performance.now());
  }
  tf.dispose(Object.values(carry));
  lr.dispose();
  return intervals(stamps, WARMUP);
}

/** Kernel time of one training window by op, and the share of the matmuls that touch the vocabulary dimension. */
export async function lmStepProfile(plan: ExecutionPlan): Promise<{ totalMs: number; softmaxMatMulShare: number; top: [string, number][] }> {
  const model = plan.model.instance;
  const vocab = Number(plan.dataset.instance.info.vocabSize);
  const ctx: ForwardContext = { training: true, step: 0, phase: 'main', phaseOptions: {}, curriculum: {}, site: (_n, x) => x, carry: undefined };
  const batch = plan.dataset.instance.splits.train.batch(Int32Array.of(0), batchContext({ training: true, rng: { nextInt: () => 0 } as never }));
  const step = () =>
    tf.tidy(() => {
      const carry = model.initialCarry!();
      tf.variableGrads(() => (model.loss(batch, { ...ctx, carry }) as { loss: tf.Scalar }).loss, Object.values(model.params)).value.dataSync();
    });
  step();
  const info = await tf.profile(step);
  tf.dispose(Object.values(batch));
  const by = new Map<string, number>();
  let total = 0;
  let softmax = 0;
  for (const k of info.kernels) {
    if (k.name === 'forward') continue; // custom-gradient wrappers: their kernels are listed on their own
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    total += ms;
    const isSoftmaxMm = k.name === 'BatchMatMul' && k.inputShapes.some((s) => s?.includes(vocab));
    if (isSoftmaxMm) softmax += ms;
    const key = isSoftmaxMm ? 'BatchMatMul (softmax, ×V)' : k.name;
    by.set(key, (by.get(key) ?? 0) + ms);
  }
  return { totalMs: total, softmaxMatMulShare: softmax / total, top: [...by.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6) };
}

export interface PtbBenchResult {
  readonly handMs: number;
  readonly trainerMs: number;
  readonly ratio: number;
  readonly rounds: number;
  readonly profile: Awaited<ReturnType<typeof lmStepProfile>>;
  /** Where the backend has core's fused blockLstm (tensorflow): the trainer with cell 'step-by-step', and its ratio to (b). */
  readonly stepByStep?: { readonly trainerMs: number; readonly overFused: number };
}

/** Interleaved rounds of (a) and (b) on the real PTB (undefined when the data is not found). */
export async function benchPtbStep(catalog: PluginCatalog, backend: string, rounds = 5): Promise<PtbBenchResult | undefined> {
  const dir = realPtbDir();
  if (!dir) return undefined;
  const plan = () => buildPlan(catalog, { recipe: ptbBenchRecipe(dir), seed: 1, runName: 'bench', backend });
  const pa = await plan();
  const pb = await plan();
  const fused = hasBlockLstm(backend);
  const pc = fused ? await buildPlan(catalog, { recipe: ptbBenchRecipe(dir, 'step-by-step'), seed: 1, runName: 'bench', backend }) : undefined;
  const hand: number[] = [];
  const trainer: number[] = [];
  const loop: number[] = [];
  for (let r = 0; r < rounds; r++) {
    hand.push(median(handWrittenLmLoop(pa)));
    trainer.push(median(await trainerLoop(pb, WARMUP)));
    if (pc) loop.push(median(await trainerLoop(pc, WARMUP)));
  }
  const profile = await lmStepProfile(pa);
  for (const p of [pa, pb, pc]) p?.model.instance.dispose();
  const stepByStep = pc ? { trainerMs: median(loop), overFused: median(loop.map((v, i) => v / trainer[i])) } : undefined;
  return { handMs: median(hand), trainerMs: median(trainer), ratio: median(trainer.map((v, i) => v / hand[i])), rounds, profile, stepByStep };
}
