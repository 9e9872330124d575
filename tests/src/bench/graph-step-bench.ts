import * as tf from '@tensorflow/tfjs-core';
import { Rng, batchContext, captureGraph, type Batch, type ExecutionPlan, type ForwardContext } from '@anneal/core';
import { fastNoiseOps } from '@anneal/plugins-standard';
import { buildPlan, type PluginCatalog } from '@anneal/registry';
import { mlpBenchRecipe } from './mlp-step-bench.js';
import { intervals, median, trainerLoop } from './measure.js';

const STEPS = 40;
const WARMUP = 8;
const MAX_NORM = 10;
const LEARNING_RATE = 0.01;
const ETA = 0.01;
const GAMMA = 0.55;

function batchTensors(batch: Batch): tf.Tensor[] {
  return Object.values(batch).filter((v): v is tf.Tensor => v instanceof tf.Tensor);
}

/**
 * The paper's MLP step — loss and autodiff gradients of anneal's `mlp` model, global-norm clip at 10, annealed
 * noise (σ_t² = η/(1+t)^γ, drawn on the host by the standard plugin's sampler), SGD — captured once as a
 * TensorFlow graph (core/src/ops/graph-capture) and then run as one session call per step. Per step, as the
 * trainer does: the batch is made and uploaded, the noise drawn and uploaded (one flat tensor, split in the
 * graph), the graph run, the parameters swapped in, the loss and global norm read back.
 */
export function capturedGraphLoop(plan: ExecutionPlan): { ms: number[]; opCount: number; phases: GraphStepPhases } {
  const model = plan.model.instance;
  const train = plan.dataset.instance.splits.train;
  const vars = Object.values(model.params);
  const sizes = vars.map((v) => v.size);
  const n = sizes.reduce((a, b) => a + b, 0);
  const ctx: ForwardContext = { training: true, step: 0, phase: 'main', phaseOptions: {}, curriculum: {}, site: (_n, x) => x };
  const batchAt = (step: number) => train.batch(Int32Array.from({ length: 128 }, (_, i) => (step % STEPS) * 128 + i), batchContext({ training: true, rng: new Rng(step) }));
  const noiseAt = (step: number) => tf.tensor1d(fastNoiseOps.gaussianNoise(n, 1000 + step, Math.sqrt(ETA / (1 + step) ** GAMMA)));

  const first = batchAt(0);
  const firstNoise = noiseAt(0);
  const step = (inputs: tf.Tensor[]) => {
    const noise = inputs[inputs.length - 1];
    const { value, grads } = tf.variableGrads(() => model.loss(first, ctx) as tf.Scalar, vars);
    const g = vars.map((v) => grads[v.name]);
    const norm = tf.sqrt(tf.addN(g.map((x) => tf.sum(tf.square(x)))));
    const scale = tf.minimum(1, tf.div(MAX_NORM, tf.maximum(norm, 1e-12)));
    const pieces = tf.split(noise, sizes).map((p, i) => tf.reshape(p, vars[i].shape));
    const next = vars.map((v, i) => tf.sub(v, tf.mul(LEARNING_RATE, tf.add(tf.mul(g[i], scale), pieces[i]))));
    return [...next, norm, value];
  };
  const { outputs, graph } = captureGraph(step, [...vars, ...batchTensors(first), firstNoise]);
  tf.dispose([...outputs, ...batchTensors(first), firstNoise]);

  const stamps: number[] = [performance.now()];
  const phases = { batch: [] as number[], noise: [] as number[], session: [] as number[], rest: [] as number[] };
  for (let t = 1; t <= STEPS; t++) {
    const t0 = performance.now();
    const batch = batchAt(t);
    const t1 = performance.now();
    const noise = noiseAt(t);
    const t2 = performance.now();
    const out = graph.run([...vars, ...batchTensors(batch), noise]);
    const t3 = performance.now();
    vars.forEach((v, i) => v.assign(out[i] as tf.Tensor));
    out[out.length - 1].dataSync();
    out[out.length - 2].dataSync();
    tf.dispose([...out, ...batchTensors(batch), noise]);
    stamps.push(performance.now());
    if (t > WARMUP) {
      phases.batch.push(t1 - t0);
      phases.noise.push(t2 - t1);
      phases.session.push(t3 - t2);
      phases.rest.push(stamps[stamps.length - 1] - t3);
    }
  }
  graph.dispose();
  const med = (x: number[]) => median(x);
  return { ms: intervals(stamps, WARMUP), opCount: graph.opCount, phases: { batch: med(phases.batch), noise: med(phases.noise), session: med(phases.session), rest: med(phases.rest) } };
}

/** Median ms per step of each part of the captured-graph step. */
export interface GraphStepPhases {
  /** Making and uploading the batch. */
  readonly batch: number;
  /** Drawing σ_t·ε on the host and uploading it. */
  readonly noise: number;
  /** The one session call. */
  readonly session: number;
  /** Swapping the parameters in, reading loss and norm back, freeing. */
  readonly rest: number;
}

export interface GraphStepResult {
  readonly trainerMs: number;
  /** The trainer with training.graphStep 'on' (its step captured as one graph, through the plugins' graph forms). */
  readonly trainerGraphMs: number;
  readonly graphMs: number;
  /** Medians over rounds of the per-round ratios to the eager trainer. */
  readonly ratio: number;
  readonly trainerGraphRatio: number;
  readonly opCount: number;
  readonly phases: GraphStepPhases;
  readonly rounds: number;
}

/** Interleaved rounds of the trainer's MLP step (clip + annealed noise) and the same step as one captured graph. */
export async function benchGraphStep(catalog: PluginCatalog, backend: string, rounds = 8): Promise<GraphStepResult> {
  const recipe = mlpBenchRecipe([{ plugin: 'clip-global-norm', config: { maxNorm: MAX_NORM } }, { plugin: 'annealed-gaussian', config: { eta: ETA, gamma: GAMMA } }]);
  const plan = (seed: number) => buildPlan(catalog, { recipe, seed, runName: 'bench-graph', backend });
  const trainerPlan = await plan(1);
  const graphPlan = await plan(1);
  const trainerGraphPlan = await buildPlan(catalog, { recipe: { ...recipe, training: { ...recipe.training, graphStep: 'on' } }, seed: 1, runName: 'bench-graph-step', backend });
  const per = { trainer: [] as number[], trainerGraph: [] as number[], graph: [] as number[] };
  let opCount = 0;
  const phases: GraphStepPhases[] = [];
  for (let round = 0; round < rounds; round++) {
    per.trainer.push(median(await trainerLoop(trainerPlan, WARMUP)));
    per.trainerGraph.push(median(await trainerLoop(trainerGraphPlan, WARMUP)));
    const g = capturedGraphLoop(graphPlan);
    per.graph.push(median(g.ms));
    phases.push(g.phases);
    opCount = g.opCount;
  }
  const phase = (k: keyof GraphStepPhases) => median(phases.map((p) => p[k]));
  for (const p of [trainerPlan, graphPlan, trainerGraphPlan]) p.model.instance.dispose();
  const ratio = (x: number[]) => median(x.map((v, i) => v / per.trainer[i]));
  return { trainerMs: median(per.trainer), trainerGraphMs: median(per.trainerGraph), graphMs: median(per.graph), ratio: ratio(per.graph), trainerGraphRatio: ratio(per.trainerGraph), opCount, phases: { batch: phase('batch'), noise: phase('noise'), session: phase('session'), rest: phase('rest') }, rounds };
}
