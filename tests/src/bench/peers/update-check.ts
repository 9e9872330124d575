import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {
  createNormMemo,
  createPluginStates,
  disposePluginStates,
  learningRateFor,
  runStep,
  type Batch,
  type ExecutionPlan,
  type ForwardContext,
  type Recipe,
  type StepContext,
} from '@anneal/core';
import type { ExportedParam } from './peer-check.js';

/**
 * The update part of the peers' correctness check: one training step from anneal's initial weights on batch 0
 * with the noise plugin removed (the noise samples of different RNGs cannot be compared), i.e. loss, gradients,
 * the recipe's clip and optimizer at the learning rate of step 0. The first anneal contestant writes its updated
 * parameters beside the initial ones; every other contestant takes the same step from the same weights and
 * compares its parameters after it with those, per parameter:
 *   diff = ‖θ'_peer − θ'_anneal‖₂,  step = ‖θ'_anneal − θ₀‖₂ (anneal's update),  maxAbs = max |θ'_peer − θ'_anneal|.
 * The tolerance is on diff ÷ max(step, 1e-3 · the global update norm): the difference is measured against the
 * size of the update, so a learning rate ×1.01 shows as 1e-2 however small the update is next to the weights.
 *
 * At the initial weights the recipes' clips do not act (batch 0's gradient norms are below the max norm), so the
 * step is taken twice: with the recipe's clip, and with the clip's max norm set to half of batch 0's gradient norm
 * (global clip) or half of its smallest per-tensor norm (per-tensor clip), where the clip scales the gradients.
 *
 * A parameter whose batch-0 gradient is 0 up to rounding (reference norm ≤ 1e-6 of the global norm; the NP's
 * selector/column with one column: exactly 0 on wasm, 2.6e-7 on tensorflow) is not compared: Adam's first step
 * moves it by α·g/(|g| + ε), a function of the rounding alone. Its gradient is still checked (peer-check.ts).
 */
export const ZERO_GRADIENT = 1e-6;
export interface UpdateCase {
  readonly maxNorm: number;
  /** Whether the clip acts at this max norm on batch 0 (the second case). */
  readonly engaged: boolean;
}
export interface UpdateDiff {
  readonly diff: number;
  readonly step: number;
  readonly maxAbs: number;
  /** max |θ'_anneal − θ₀| of the parameter. */
  readonly maxStep: number;
}

/** Relative tolerance of the update check (float32 steps of different frameworks; see README). */
export const UPDATE_TOLERANCE = 1e-3;

const CLIPS = ['clip-global-norm', 'clip-tensor-norm'];

/** The two cases of a recipe: its clip's max norm, and half of batch 0's (smallest per-tensor, for clip-tensor-norm) gradient norm. */
export function updateCases(recipe: Recipe, gradNorm: number, gradNorms: Readonly<Record<string, number>>): UpdateCase[] {
  const clip = recipe.plugins.find((p) => CLIPS.includes(p.plugin));
  if (!clip) throw new Error(`recipe ${recipe.name} has no norm clip`);
  const perTensor = Object.values(gradNorms).filter((n) => n > 0);
  const engaged = 0.5 * (clip.plugin === 'clip-global-norm' ? gradNorm : Math.min(...perTensor));
  return [
    { maxNorm: Number((clip.config as { maxNorm: number }).maxNorm), engaged: false },
    { maxNorm: engaged, engaged: true },
  ];
}

/** The recipe without its annealed-gaussian noise and with its clip at `maxNorm` (the rest of the step unchanged). */
export function noiseFreeRecipe(recipe: Recipe, maxNorm: number): Recipe {
  const quiet = withoutNoise(recipe);
  return { ...quiet, plugins: quiet.plugins.map((p) => (CLIPS.includes(p.plugin) ? { ...p, config: { ...p.config, maxNorm } } : p)) };
}

/** The recipe without its annealed-gaussian noise (the noise-free twin of --noise-share and of the update check). */
export function withoutNoise(recipe: Recipe): Recipe {
  const plugins = recipe.plugins.filter((p) => p.plugin !== 'annealed-gaussian');
  if (plugins.length === recipe.plugins.length) throw new Error(`recipe ${recipe.name} has no annealed-gaussian noise to remove`);
  return { ...recipe, plugins };
}

/**
 * The parameters of `quiet` (the plan of noiseFreeRecipe(recipe, …)) after one step of the trainer's runStep on `batch`,
 * starting from `plan`'s current weights, with fresh plugin states and the first phase's learning rate at step 0.
 */
export function oneStepUpdate(plan: ExecutionPlan, quiet: ExecutionPlan, batch: Batch): Record<string, Float32Array> {
  if (quiet.forward.length > 0) throw new Error('the update check runs recipes without forward transforms only');
  const model = quiet.model.instance;
  for (const [name, v] of Object.entries(model.params)) v.assign(plan.model.instance.params[name]);
  const phase = quiet.training.phases[0];
  const carry = model.initialCarry ? tf.tidy(() => Object.fromEntries(Object.entries(model.initialCarry!()).map(([k, t]) => [k, tf.keep(t)]))) : undefined; // the trainer's start of an epoch
  const states = createPluginStates(quiet);
  const stepCtx: StepContext = { step: 0, epoch: 0, phase: phase.name, learningRate: learningRateFor(phase, 0), params: model.params, curriculum: {}, globalNorm: createNormMemo() };
  const fctx: ForwardContext = { training: true, step: 0, phase: phase.name, phaseOptions: phase.modelOptions ?? {}, curriculum: {}, carry, site: (_n, x) => x };
  const out = runStep(quiet, states, () => batch, stepCtx, fctx, { recordGradNorms: false });
  out.loss.dataSync();
  tf.dispose([out.loss, ...[...Object.values(out.metrics), ...Object.values(out.facts)].filter((v): v is tf.Scalar => v instanceof tf.Tensor)]);
  tf.dispose([...Object.values(out.carry ?? {}), ...Object.values(carry ?? {})]);
  disposePluginStates(quiet, states);
  return Object.fromEntries(Object.entries(model.params).map(([name, v]) => [name, Float32Array.from(v.dataSync())]));
}

/** Raw little-endian float32 files of the given values, name → file (as exportParams). */
export function readExported(dir: string, files: Readonly<Record<string, ExportedParam>>): Record<string, Float32Array> {
  return Object.fromEntries(
    Object.entries(files).map(([name, t]) => {
      const buf = readFileSync(join(dir, t.file));
      return [name, new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4).slice()];
    }),
  );
}

/** Per-parameter UpdateDiff of `got` (parameters after the step) against `reference` (anneal's), from `initial`. */
export function updateDiffs(got: Readonly<Record<string, Float32Array>>, reference: Readonly<Record<string, Float32Array>>, initial: Readonly<Record<string, Float32Array>>): Record<string, UpdateDiff> {
  const out: Record<string, UpdateDiff> = {};
  for (const [name, ref] of Object.entries(reference)) {
    const g = got[name];
    const init = initial[name];
    if (!g || g.length !== ref.length) continue;
    let diff = 0;
    let step = 0;
    let maxAbs = 0;
    let maxStep = 0;
    for (let i = 0; i < ref.length; i++) {
      const d = g[i] - ref[i];
      const s = ref[i] - init[i];
      diff += d * d;
      step += s * s;
      maxAbs = Math.max(maxAbs, Math.abs(d));
      maxStep = Math.max(maxStep, Math.abs(s));
    }
    out[name] = { diff: Math.sqrt(diff), step: Math.sqrt(step), maxAbs, maxStep };
  }
  return out;
}

export interface UpdateVerdict {
  /** The largest diff ÷ max(step, 1e-3 · global step), and where. */
  readonly rel: number;
  readonly worst?: string;
  /** The largest max |θ'_peer − θ'_anneal| over the parameters, and that ÷ max |θ'_anneal − θ₀| of the same parameter. */
  readonly maxAbs: number;
  readonly maxAbsRel: number;
  readonly missing: readonly string[];
  /** Parameters left out: their reference gradient is 0 up to rounding. */
  readonly zeroGradient: readonly string[];
  readonly ok: boolean;
}

/** `names`: the reference's parameters; `gradNorms` / `gradNorm`: its batch-0 gradient norms (for ZERO_GRADIENT). */
export function judgeUpdate(got: Readonly<Record<string, UpdateDiff>>, names: readonly string[], gradNorms: Readonly<Record<string, number>> = {}, gradNorm = 0): UpdateVerdict {
  const globalStep = Math.sqrt(Object.values(got).reduce((a, u) => a + u.step * u.step, 0));
  const floor = Math.max(1e-3 * globalStep, 1e-30);
  let rel = 0;
  let worst: string | undefined;
  let maxAbs = 0;
  let maxAbsRel = 0;
  const missing: string[] = [];
  const zeroGradient: string[] = [];
  for (const name of names) {
    if (gradNorms[name] !== undefined && gradNorms[name] <= ZERO_GRADIENT * gradNorm) {
      zeroGradient.push(name);
      continue;
    }
    const u = got[name];
    if (!u) {
      missing.push(name);
      continue;
    }
    const r = u.diff / Math.max(u.step, floor);
    if (!(r <= rel)) [rel, worst] = [r, name];
    if (u.maxAbs > maxAbs) [maxAbs, maxAbsRel] = [u.maxAbs, u.maxAbs / Math.max(u.maxStep, 1e-30)];
  }
  return { rel, worst, maxAbs, maxAbsRel, missing, zeroGradient, ok: Number.isFinite(rel) && rel <= UPDATE_TOLERANCE && missing.length === 0 && globalStep > 0 };
}
