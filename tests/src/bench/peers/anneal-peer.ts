import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import * as tf from '@tensorflow/tfjs-core';
import type { ExecutionPlan, Recipe } from '@anneal/core';
import { tensorflowLaneNoise, tensorflowLaneNoiseStatus } from '@anneal/plugins-standard';
import { bootAnneal, buildPlan, formatTensorflowThreads, selectBackend } from '@anneal/registry';
import { trainerLoop } from '../measure.js';
import { pairedTrainerLoops } from '../paired-loops.js';
import { initCheck, type ExportedParam, type InitCheck } from './peer-check.js';
import { exportBatches, peerModel, type PeerModel } from './peer-models.js';
import { noiseFreeRecipe, oneStepUpdate, readExported, updateCases, updateDiffs, withoutNoise, type UpdateCase } from './update-check.js';

/**
 * anneal as a contestant of `npm run bench -- --peers`: one child process per tfjs backend
 * (`node anneal-peer.js <backend>`, or `<backend>+graph` for the trainer with training.graphStep 'on', or
 * `<backend>+graph+xla` for that with TensorFlow's XLA auto-clustering), speaking the peers' line protocol (tests/peers/peer_protocol.py):
 * one JSON request per stdin line, one reply per stdout line prefixed with "@@peer ".
 *   { op: 'setup', model, dataDir, exportDir? } → builds the plan (and writes the batches for the peers); for checkInit
 *                                        models replies { check: { loss, gradNorm, gradNorms, update } } of batch 0
 *                                        at the initial weights (peer-check.ts) and writes those weights and the
 *                                        parameters after one noise-free step (update-check.ts) with the batches;
 *                                        without exportDir it compares its own step with the exported one
 *   { op: 'run', model }               → the real trainer on that plan from its initial weights (trainerLoop): { ms: [...] }
 *   { op: 'quit' }
 */
const GRAPH_SUFFIX = '+graph';
/** '<backend>+graph+xla': the graph step with TensorFlow's XLA auto-clustering (TF_XLA_FLAGS, set before TensorFlow loads). */
const XLA_SUFFIX = '+xla';
export const XLA_FLAGS = '--tf_xla_auto_jit=2 --tf_xla_cpu_global_jit';

function withGraphStep(recipe: Recipe): Recipe {
  // memn2n's hand-written backward pass reads values to the host, which a graph cannot replay; in one graph autodiff
  // costs no per-op dispatch (the model's gradient: 'autodiff', same values: the conformance suite's speed-path check).
  const model = recipe.model.name === 'memn2n' ? { ...recipe.model, config: { ...recipe.model.config, gradient: 'autodiff' } } : recipe.model;
  return { ...recipe, model, training: { ...recipe.training, graphStep: 'on' } };
}

/** ANNEAL_PEER_NOISE=off (`--noise-share`): the contestant's timed steps leave the noise plugin out; its check is unchanged. */
const NOISE_OFF = process.env.ANNEAL_PEER_NOISE === 'off';
/**
 * ANNEAL_PEER_PAIR=1 (`--noise-share`, the contestant with noise): each `run` times the steps with the noise plugin and
 * the same steps without it in this process, the two trainers in turns of PAIR_TURN steps (pairedTrainerLoops), and
 * replies the latter as `quietMs`: a pair that shares the process, its backend and the second, unlike the twin process.
 */
const PAIRED = process.env.ANNEAL_PEER_PAIR === '1' && !NOISE_OFF;
/**
 * Steps per turn: a turn's first step is not timed (paired-loops.ts), so 3 of 4 are. Whole rounds of each (the pairs
 * until 2026-12-03) were seconds apart, and a slower stretch of the shared machine that hit one of them moved a round's
 * share by −22 to +43 % (PTB, eager tensorflow, 11 rounds).
 */
const PAIR_TURN = 4;


const reply = (msg: Record<string, unknown>) => process.stdout.write(`@@peer ${JSON.stringify(msg)}\n`);

interface ExportedUpdates {
  readonly cases: readonly UpdateCase[];
  readonly updated: readonly Record<string, Float32Array>[];
  readonly initial: Record<string, Float32Array>;
}

/** The first anneal contestant's initial and updated parameters, when it wrote them to dataDir. */
function exportedUpdates(model: PeerModel, dataDir: string | undefined): ExportedUpdates | undefined {
  const file = dataDir ? join(dataDir, `${model.name}.json`) : undefined;
  if (!file || !existsSync(file)) return undefined;
  const meta = JSON.parse(readFileSync(file, 'utf8')) as { params?: Record<string, ExportedParam>; updates?: (UpdateCase & { params: Record<string, ExportedParam> })[] };
  if (!meta.params || !meta.updates) return undefined;
  return { cases: meta.updates, updated: meta.updates.map((u) => readExported(dataDir!, u.params)), initial: readExported(dataDir!, meta.params) };
}

async function main(): Promise<void> {
  const asked = process.argv[2] ?? 'wasm';
  const xla = asked.endsWith(GRAPH_SUFFIX + XLA_SUFFIX);
  if (xla) process.env.TF_XLA_FLAGS ??= XLA_FLAGS;
  const requested = xla ? asked.slice(0, -XLA_SUFFIX.length) : asked;
  // '<backend>+graph': the trainer with training.graphStep 'on' (tensorflow: the step as one captured graph).
  const graphStep = requested.endsWith(GRAPH_SUFFIX);
  let backendName: string;
  let threads = '';
  try {
    // argv[3]: the model this process serves; TensorFlow starts with its recipe's training.tensorflowThreads.
    const tensorflowThreads = process.argv[3] ? peerModel(process.argv[3]).recipe().training.tensorflowThreads : undefined;
    const backend = await selectBackend(graphStep ? requested.slice(0, -GRAPH_SUFFIX.length) : requested, { tensorflowThreads });
    backendName = backend.name;
    if (backend.tensorflowThreads !== undefined) threads = `, ${formatTensorflowThreads(backend.tensorflowThreads)}`;
    if (backend.tfjsBackend === 'tensorflow') {
      const fused = tensorflowLaneNoise();
      threads += fused ? `, noise: the fused TensorFlow op (${fused.kernel})` : `, noise on the host (fused op: ${tensorflowLaneNoiseStatus()})`;
    }
  } catch (error) {
    reply({ ok: false, error: (error as Error).message });
    return;
  }
  const booted = await bootAnneal({ env: { ...process.env, MLFLOW_TRACKING_URI: '' } });
  const recipeOf = (model: PeerModel) => {
    const recipe = NOISE_OFF ? withoutNoise(model.recipe()) : model.recipe();
    return graphStep ? withGraphStep(recipe) : recipe;
  };
  reply({ ok: true, name: `anneal/${backendName}${graphStep ? GRAPH_SUFFIX : ''}${xla ? XLA_SUFFIX : ''}`, version: `tfjs ${tf.version_core} '${tf.getBackend()}'${threads}${xla ? `, TF_XLA_FLAGS='${process.env.TF_XLA_FLAGS}'` : ''}, node ${process.version}` });
  const plans = new Map<string, ExecutionPlan>();
  // Every round starts from the plan's initial weights, as each round's Trainer starts the noise schedule at t = 0.
  // Trained on from round to round instead, the weights took σ_0's noise again every round: by the 7th round PTB's
  // wasm step had slowed from ≈ 0.6 to 0.9 s, by the 11th to 4.6 s (2026-12-03), where the peers' steps go on.
  const initialWeights = new Map<ExecutionPlan, Record<string, tf.Tensor>>();
  const weightsOf = (plan: ExecutionPlan) => Object.fromEntries(Object.entries(plan.model.instance.params).map(([n, v]) => [n, tf.keep(tf.clone(v))]));
  const resetWeights = (plan: ExecutionPlan) => {
    const initial = initialWeights.get(plan)!;
    for (const [n, v] of Object.entries(plan.model.instance.params)) v.assign(initial[n]);
  };
  const roundOf = (plan: ExecutionPlan, warmup: number) => {
    resetWeights(plan);
    return trainerLoop(plan, warmup);
  };
  const quietPlans = new Map<string, ExecutionPlan>();
  let runs = 0;
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const req = JSON.parse(line) as { op: string; model?: string; dataDir?: string; exportDir?: string };
    try {
      if (req.op === 'quit') break;
      const model = peerModel(String(req.model));
      if (req.op === 'setup') {
        if (NOISE_OFF && req.exportDir) throw new Error('a contestant without noise (ANNEAL_PEER_NOISE=off) cannot write the batches: start one with noise first');
        const why = model.unavailable?.();
        if (why) {
          reply({ ok: false, error: why });
          continue;
        }
        const plan = await buildPlan(booted.plugins, { recipe: recipeOf(model), seed: 1, runName: `bench-peers-${model.name}`, backend: backendName });
        plans.set(model.name, plan);
        initialWeights.set(plan, weightsOf(plan));
        let check: InitCheck | undefined;
        let updated: Record<string, Float32Array>[] | undefined;
        if (model.checkInit) {
          const initial = Object.fromEntries(Object.entries(plan.model.instance.params).map(([n, v]) => [n, Float32Array.from(v.dataSync())]));
          const batch = model.batchAt(plan, 0);
          check = initCheck(plan, batch);
          // the exporter's cases (from its gradient norms) when there is one, so every contestant takes the same steps
          const reference = req.exportDir ? undefined : exportedUpdates(model, req.dataDir);
          const cases = reference?.cases ?? updateCases(model.recipe(), check.gradNorm, check.gradNorms ?? {});
          updated = [];
          for (const c of cases) {
            const quiet = await buildPlan(booted.plugins, { recipe: noiseFreeRecipe(model.recipe(), c.maxNorm), seed: 1, runName: `bench-peers-${model.name}-update`, backend: backendName });
            updated.push(oneStepUpdate(plan, quiet, batch));
            quiet.model.instance.dispose();
          }
          tf.dispose(Object.values(batch));
          const against = reference ?? { updated, initial };
          check = { ...check, updates: updated.map((u, i) => updateDiffs(u, against.updated[i], against.initial)), ...(req.exportDir ? { updateCases: cases } : {}) };
        }
        if (req.exportDir) exportBatches(model, plan, req.exportDir, check, updated);
        if (PAIRED) {
          const quietRecipe = withoutNoise(model.recipe());
          const quietPlan = await buildPlan(booted.plugins, { recipe: graphStep ? withGraphStep(quietRecipe) : quietRecipe, seed: 1, runName: `bench-peers-${model.name}-quiet`, backend: backendName });
          quietPlans.set(model.name, quietPlan);
          initialWeights.set(quietPlan, weightsOf(quietPlan));
        }
        reply({ ok: true, ...(check ? { check } : {}) });
      } else if (req.op === 'run') {
        const plan = plans.get(model.name);
        if (!plan) throw new Error(`model '${model.name}' is not set up`);
        const quiet = quietPlans.get(model.name);
        // The fused op's prefetch during this run's steps with noise: draws taken, and calls that drew themselves.
        const fused = tensorflowLaneNoise();
        const counts = () => (fused ? { used: fused.prefetchesUsed, missed: fused.prefetchesMissed } : undefined);
        const noisy = async () => {
          const before = counts();
          const ms = await roundOf(plan, model.warmup);
          const after = counts();
          return { ms, ...(before && after ? { prefetch: { used: after.used - before.used, missed: after.missed - before.missed } } : {}) };
        };
        if (!quiet) reply({ ok: true, ...(await noisy()) });
        else {
          // The two plans in turns of PAIR_TURN steps (pairedTrainerLoops), the one with noise first in even rounds.
          for (const p of [plan, quiet]) resetWeights(p);
          const before = counts();
          const noiseFirst = runs++ % 2 === 0;
          const [first, second] = await pairedTrainerLoops(noiseFirst ? [plan, quiet] : [quiet, plan], model.warmup, PAIR_TURN);
          const after = counts();
          const [ms, quietMs] = noiseFirst ? [first, second] : [second, first];
          reply({ ok: true, ms, quietMs, ...(before && after ? { prefetch: { used: after.used - before.used, missed: after.missed - before.missed } } : {}) });
        }
      } else throw new Error(`unknown op '${req.op}'`);
    } catch (error) {
      reply({ ok: false, error: (error as Error).stack ?? String(error) });
    }
  }
  for (const p of [...plans.values(), ...quietPlans.values()]) p.model.instance.dispose();
  for (const w of initialWeights.values()) tf.dispose(Object.values(w));
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${(error as Error).stack}\n`);
    process.exit(1);
  },
);
