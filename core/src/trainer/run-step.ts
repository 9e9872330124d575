import './register-gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import { AnnealError } from '../errors/anneal-error.js';
import type { GradMap } from '../model/param-map.js';
import type { Batch } from '../data/dataset.js';
import type { ForwardContext, StepContext } from '../plugin/contexts.js';
import type { GradientTransform, StepFacts, TransformMetrics } from '../plugin/transforms.js';
import type { CarriedState } from '../model/model.js';
import type { ExecutionPlan } from './execution-plan.js';
import { globalNormValue, type NormMemo } from './global-norm.js';
import { GRADIENT_HOOK_POINTS, type GradientHookPoint } from '../hooks/hook-point.js';
import { mayLeaveScaleAt } from './scale-fold.js';

/** Mutable per-run plugin states, keyed by instance name. */
export type PluginStates = Map<string, unknown>;

/** Tensors kept out of the step's tidy, read after it. */
export interface StepTensors {
  readonly loss: tf.Scalar;
  /** Global gradient norms at the clip stage boundaries (NaN when not recorded). */
  readonly gradNormPreClip: number;
  readonly gradNormPostClip: number;
  /** Plugin metrics: numbers, or scalars kept for reading later. */
  readonly metrics: Record<string, number | tf.Scalar>;
  /** Step facts plugins declared (noise std), numbers or kept scalars. */
  readonly facts: { -readonly [K in keyof StepFacts]: StepFacts[K] };
  /** The model's state for the next batch (kept tensors; the caller owns them), when it carries state. */
  readonly carry?: CarriedState;
}

/** Called at every stage boundary with the stage name (used by the golden order test and debug tracing). */
export type StageTracer = (stage: string) => void;

/**
 * THE step order. This function is the only place where it is written down:
 *
 *   loss + gradients → pre-clip → clip → post-clip → pre-update → update → post-update
 *
 * It runs synchronously inside one tf.tidy; only the loss, the two gradient norms and plugin metric
 * scalars escape. `tests/src/golden/step-order.test.ts` records it.
 */
export function runStep(
  plan: ExecutionPlan,
  states: PluginStates,
  batch: (ctx: { training: true }) => Batch,
  stepCtx: StepContext,
  forwardCtx: ForwardContext,
  options: { recordGradNorms: boolean; trace?: StageTracer },
): StepTensors {
  const trace = options.trace;
  const metrics: Record<string, number | tf.Scalar> = {};
  const facts: { -readonly [K in keyof StepFacts]: StepFacts[K] } = {};
  const carried: { carry?: CarriedState } = {};
  const norm = stepCtx.globalNorm ?? globalNormValue;
  const out = tf.tidy(() => {
    const model = plan.model.instance;
    const params = model.params;
    const names = Object.keys(params);
    const vars = names.map((n) => params[n]);
    trace?.('forward-backward');
    const { value: loss, grads: byVarName } = tf.variableGrads(() => {
      const out = model.loss(batch({ training: true }), forwardCtx);
      if (out instanceof tf.Tensor) return out;
      // Carried state leaves the forward tidy kept; the trainer disposes it when it is replaced.
      carried.carry = Object.fromEntries(Object.entries(out.carry).map(([k, t]) => [k, tf.keep(t)]));
      return out.loss;
    }, vars);
    let grads: GradMap = Object.fromEntries(names.map((n, i) => [n, byVarName[vars[i].name]]));

    const sink = { metrics, facts };
    const flow = new GradientFlow(plan, states, stepCtx, sink, trace);
    grads = flow.stage('pre-clip', grads);
    const normPre = options.recordGradNorms ? norm(grads) : NaN;
    grads = flow.stage('clip', grads);
    // After a clip that left its c to the next transform, `grads` are not yet scaled: the clip gave their norm.
    const normPost = options.recordGradNorms ? (plan.stages.clip.length > 0 ? (flow.scale !== undefined ? flow.leftNorm ?? norm(grads) * Math.abs(flow.scale) : norm(grads)) : normPre) : NaN;
    grads = flow.stage('post-clip', grads);
    grads = flow.stage('pre-update', grads);

    trace?.('update');
    const optimizer = plan.stages.update;
    const nextOptState = optimizer.instance.apply(params, grads, states.get(optimizer.name), stepCtx);
    assertNotThenable(nextOptState, optimizer.name, 'update');
    states.set(optimizer.name, nextOptState);

    trace?.('post-update');
    runPostUpdate(plan, states, stepCtx, sink);
    return { loss: loss as tf.Scalar, gradNormPreClip: normPre, gradNormPostClip: normPost, metrics, facts } as unknown as tf.TensorContainer;
  }) as unknown as Omit<StepTensors, 'carry'>;
  return carried.carry ? { ...out, carry: carried.carry } : out;
}

/**
 * The gradient stages of one step, in order. A transform may leave a scalar multiply to the next one when that one
 * folds it (scale-fold.ts): `scale` is then pending, and the next transform gets it as `ctx.scale`.
 */
class GradientFlow {
  private readonly order: readonly GradientTransform[];
  private at = 0;
  /** The pending scale of the gradients, and the norm of the scaled ones (which the transform that left it gave). */
  scale: number | undefined;
  leftNorm: number | undefined;

  constructor(
    private readonly plan: ExecutionPlan,
    private readonly states: PluginStates,
    private readonly ctx: StepContext,
    private readonly sink: StepSink,
    private readonly trace: StageTracer | undefined,
  ) {
    this.order = GRADIENT_HOOK_POINTS.flatMap((stage) => plan.stages[stage].map((e) => e.instance));
  }

  stage(stage: GradientHookPoint, grads: GradMap): GradMap {
    this.trace?.(stage);
    let current = grads;
    for (const entry of this.plan.stages[stage]) {
      const mayLeaveScale = mayLeaveScaleAt(this.order, this.at);
      this.at += 1;
      const ctx = this.scale !== undefined || mayLeaveScale ? { ...this.ctx, ...(this.scale !== undefined ? { scale: this.scale } : {}), mayLeaveScale } : this.ctx;
      const out = entry.instance.update(current, this.states.get(entry.name), ctx);
      assertNotThenable(out, entry.name, stage);
      if (out.scale !== undefined && !mayLeaveScale) throw new Error(`transform '${entry.name}': its update returned a scale, but the next transform does not fold one`);
      this.states.set(entry.name, out.state);
      collect(entry.name, out, this.sink);
      // The memo maps a gradient map to its norm: a map left unscaled is not the one whose norm the transform gave.
      if (out.globalNorm !== undefined && out.scale === undefined) (this.ctx.globalNorm as Partial<NormMemo> | undefined)?.remember?.(out.grads, out.globalNorm);
      this.scale = out.scale;
      this.leftNorm = out.scale !== undefined ? out.globalNorm : undefined;
      current = out.grads;
    }
    return current;
  }
}

/** The post-update stage: parameter transforms on the updated parameters, in order (also after a graph step). */
export function runPostUpdate(plan: ExecutionPlan, states: PluginStates, stepCtx: StepContext, sink: StepSink): void {
  for (const entry of plan.stages['post-update']) {
    const out = entry.instance.apply(plan.model.instance.params, states.get(entry.name), stepCtx);
    assertNotThenable(out, entry.name, 'post-update');
    states.set(entry.name, out.state);
    collect(entry.name, out, sink);
  }
}

export interface StepSink {
  readonly metrics: Record<string, number | tf.Scalar>;
  readonly facts: { -readonly [K in keyof StepFacts]: StepFacts[K] };
}

function collect(owner: string, from: { metrics?: TransformMetrics; facts?: StepFacts }, into: StepSink): void {
  for (const [k, v] of Object.entries(from.metrics ?? {})) into.metrics[`plugin/${owner}/${k}`] = v;
  if (from.facts?.noiseStd !== undefined) into.facts.noiseStd = from.facts.noiseStd;
}

function assertNotThenable(value: unknown, name: string, stage: string): void {
  if (value && typeof (value as { then?: unknown }).then === 'function') {
    throw new AnnealError(
      'ANNEAL_ERR_TRANSFORM_ASYNC',
      `plugin '${name}' at ${stage} returned a Promise; gradient, update and post-update transforms must be synchronous (they run inside one tf.tidy). Move async work to an observer.`,
    );
  }
}
