import * as tf from '@tensorflow/tfjs-core';
import { Rng, batchContext, type Batch, type ExecutionPlan, type ForwardContext, type Model } from '@anneal/core';
import { instantiate, resolveTrials, type PluginCatalog, type RecipeCatalog } from '@anneal/registry';
import type { FamilyCase } from './family-cases.js';

/** A family instance fixed for gradient checks: its plan (cpu-built), one batch, and a deterministic loss. */
export interface GradientSubject {
  readonly plan: ExecutionPlan;
  readonly model: Model;
  readonly batch: Batch;
  /** The training loss with every forward site the identity (no dropout) and the curriculum's first level. */
  loss(): tf.Scalar;
  dispose(): void;
}

/** Builds the case from its registered quick recipe (with the case's --set paths) on the current backend. */
export async function gradientSubject(plugins: PluginCatalog, recipes: RecipeCatalog, c: FamilyCase, backend: string): Promise<GradientSubject> {
  const sets = Object.entries(c.sets).map(([path, value]) => ({ path, value }));
  const [spec] = resolveTrials(plugins, recipes.get(c.recipe), { quick: true, seeds: [1], sets });
  const plan = await instantiate(plugins, spec, { backend });
  const model = plan.model.instance;
  const level: Record<string, number> = {};
  for (const entry of plan.curricula) {
    const state = entry.instance.init({ seed: 1, params: model.params } as never);
    Object.assign(level, entry.instance.next(state, { step: 0, epoch: 0, evaluation: {}, lastLoss: Number.NaN }).level);
  }
  const indices = Int32Array.from({ length: c.batch }, (_, i) => i);
  const batch = tf.tidy(() => plan.dataset.instance.splits.train.batch(indices, batchContext({ training: false, rng: new Rng(3), curriculum: level })) as unknown as tf.TensorContainer) as unknown as Batch;
  const carry = model.initialCarry?.();
  const ctx: ForwardContext = { training: true, step: 0, phase: 'main', phaseOptions: {}, curriculum: level, carry, site: (_name, x) => x };
  return {
    plan,
    model,
    batch,
    loss: () => {
      const out = model.loss(batch, ctx);
      return out instanceof tf.Tensor ? out : out.loss;
    },
    dispose: () => {
      tf.dispose(batch as unknown as tf.TensorContainer);
      if (carry) tf.dispose(carry as unknown as tf.TensorContainer);
      model.dispose();
      plan.dataset.instance.dispose?.();
    },
  };
}

/** Loss and gradients (plain arrays, by parameter name) at the model's current parameter values. */
export function lossAndGradients(subject: GradientSubject): { loss: number; grads: Record<string, Float32Array> } {
  const names = Object.keys(subject.model.params);
  const vars = names.map((n) => subject.model.params[n]);
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => subject.loss(), vars);
    return { loss: value.dataSync()[0], grads: Object.fromEntries(names.map((n, i) => [n, grads[vars[i].name].dataSync() as Float32Array])) };
  });
}

/** Parameter values as plain arrays (to set them identically on another backend). */
export function readParams(model: Model): Record<string, Float32Array> {
  return Object.fromEntries(Object.entries(model.params).map(([n, v]) => [n, Float32Array.from(v.dataSync())]));
}

export function writeParams(model: Model, values: Record<string, Float32Array>): void {
  for (const [n, v] of Object.entries(model.params)) v.assign(tf.tensor(values[n], v.shape, v.dtype));
}

/** ‖a − b‖ / max(‖b‖, floor): the relative distance of two gradient tensors. */
export function relativeDistance(a: Float32Array, b: Float32Array, floor = 1e-6): number {
  let d = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i] - b[i]) ** 2;
    n += b[i] ** 2;
  }
  return Math.sqrt(d) / Math.max(Math.sqrt(n), floor);
}

/**
 * Central finite differences along each parameter tensor's own gradient direction d = g/‖g‖ (entries in
 * `exclude` held still): the numeric directional derivative must equal ‖g‖. This puts the whole signal of a
 * tensor into one float32 difference, so it resolves where single entries drown in rounding.
 * Returns [parameter, autodiff ‖g‖, numeric].
 */
export function directionalChecks(
  subject: GradientSubject,
  grads: Record<string, Float32Array>,
  eps: number,
  exclude: (param: string, index: number) => boolean = () => false,
): [string, number, number][] {
  const out: [string, number, number][] = [];
  for (const [name, v] of Object.entries(subject.model.params)) {
    const d = Float32Array.from(grads[name], (g, i) => (exclude(name, i) ? 0 : g));
    let norm = 0;
    for (const x of d) norm += x * x;
    norm = Math.sqrt(norm);
    if (norm === 0) continue;
    const values = Float32Array.from(v.dataSync());
    const at = (h: number) => {
      v.assign(tf.tensor(values.map((x, i) => x + (h * d[i]) / norm), v.shape));
      return tf.tidy(() => subject.loss().dataSync()[0]);
    };
    const numeric = (at(eps) - at(-eps)) / (2 * eps);
    v.assign(tf.tensor(values, v.shape));
    out.push([name, norm, numeric]);
  }
  return out;
}
