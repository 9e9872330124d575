import type { Dataset } from '../data/dataset.js';
import type { Observer } from '../events/train-events.js';
import { HOOK_POINTS, type HookPoint } from '../hooks/hook-point.js';
import type { Model } from '../model/model.js';
import type { Curriculum, ForwardTransform, GradientTransform, Optimizer, ParamTransform } from '../plugin/transforms.js';
import type { LrSchedule, PhaseSpec, TrainingSpec } from '../recipe/recipe.js';

/** One plugin instance placed in the plan. */
export interface PlanEntry<I> {
  /** Instance name (unique in the run; the checkpoint and tracking key). */
  readonly name: string;
  readonly plugin: string;
  readonly version: string;
  readonly hookPoint: HookPoint | 'forward' | 'curriculum' | 'observer';
  /** Validated, frozen config. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly instance: I;
}

export interface ResolvedPhase extends PhaseSpec {
  readonly learningRate: number;
  readonly lrSchedule: LrSchedule;
}

export interface ResolvedTraining extends Required<Omit<TrainingSpec, 'phases' | 'epochs' | 'maxSteps' | 'lrSchedule' | 'evalOnlyAtEnd' | 'graphStep' | 'tensorflowThreads'>> {
  /** What runs: 'on' or 'off' (absent: 'off'); 'auto' is resolved to one of them when the plan is built. */
  readonly graphStep?: TrainingSpec['graphStep'];
  /** With graphStep 'auto' resolved to 'off': why this plan cannot run as one graph. */
  readonly graphStepAutoOff?: string;
  /** The recipe's TensorFlow thread request (process-wide; what a run got is its tensorflow_threads tag). */
  readonly tensorflowThreads?: number;
  readonly phases: readonly ResolvedPhase[];
  readonly maxSteps?: number;
  /** Splits evaluated only after the last step (absent or empty: none). */
  readonly evalOnlyAtEnd?: TrainingSpec['evalOnlyAtEnd'];
}

/**
 * Everything a run needs, assembled once at boot by the registry (the composition root) and frozen.
 * Nothing in the training loop resolves anything else.
 */
export interface ExecutionPlan {
  readonly runName: string;
  readonly recipe: { readonly name: string; readonly version: number };
  readonly variant?: string;
  readonly seed: number;
  readonly backend: string;
  readonly model: { readonly family: string; readonly version: string; readonly config: Readonly<Record<string, unknown>>; readonly instance: Model };
  readonly dataset: { readonly name: string; readonly version: string; readonly config: Readonly<Record<string, unknown>>; readonly instance: Dataset };
  readonly stages: {
    readonly 'pre-clip': readonly PlanEntry<GradientTransform>[];
    readonly clip: readonly PlanEntry<GradientTransform>[];
    readonly 'post-clip': readonly PlanEntry<GradientTransform>[];
    readonly 'pre-update': readonly PlanEntry<GradientTransform>[];
    readonly update: PlanEntry<Optimizer>;
    readonly 'post-update': readonly PlanEntry<ParamTransform>[];
  };
  readonly forward: readonly PlanEntry<ForwardTransform>[];
  /** Curricula, consulted before each training step in this order (their levels are merged). */
  readonly curricula: readonly PlanEntry<Curriculum>[];
  readonly observers: readonly PlanEntry<Observer>[];
  readonly training: ResolvedTraining;
  /** The fully resolved config (recipe after patches and --set), for params and artifacts. */
  readonly resolvedConfig: Readonly<Record<string, unknown>>;
}

/** The plan entries at one hook point, as a list (the single optimizer at 'update' too). */
export function stageEntries(plan: Pick<ExecutionPlan, 'stages'>, hookPoint: HookPoint): readonly PlanEntry<unknown>[] {
  const entries = plan.stages[hookPoint];
  return Array.isArray(entries) ? entries : [entries as PlanEntry<unknown>];
}

/** Every plugin instance of a plan in order: hook points in step order, then forward transforms and curricula. */
export function planEntries(plan: Pick<ExecutionPlan, 'stages' | 'forward' | 'curricula'>): readonly PlanEntry<unknown>[] {
  return [...HOOK_POINTS.flatMap((hp) => stageEntries(plan, hp)), ...plan.forward, ...plan.curricula];
}

/** Deep-freezes plain objects/arrays (not tensors or class instances). */
export function freezePlain<T>(value: T): T {
  if (value && typeof value === 'object' && (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype)) {
    for (const v of Object.values(value as Record<string, unknown>)) freezePlain(v);
    Object.freeze(value);
  }
  return value;
}

/** A printable, line-per-stage rendering of the plan (the avvio-style tree). */
export function formatPlan(plan: ExecutionPlan): string {
  const cfg = (c: Readonly<Record<string, unknown>>) => {
    const entries = Object.entries(c).filter(([, v]) => v !== undefined);
    return entries.length ? ` ${entries.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')}` : '';
  };
  const lines: string[] = [];
  lines.push(`plan ${plan.runName}  (recipe ${plan.recipe.name}@${plan.recipe.version}${plan.variant ? `, variant ${plan.variant}` : ''}, seed ${plan.seed}, backend ${plan.backend})`);
  const desc = plan.model.instance.describe();
  lines.push(`├─ model    ${plan.model.family}@${plan.model.version}${cfg(plan.model.config)}${desc.paramCount !== undefined ? `  [${desc.paramCount} params]` : ''}`);
  lines.push(`├─ dataset  ${plan.dataset.name}@${plan.dataset.version}${cfg(plan.dataset.config)}`);
  for (const f of plan.forward) lines.push(`├─ forward  ${f.name} (${f.plugin}@${f.version})${cfg(f.config)}`);
  for (const c of plan.curricula) lines.push(`├─ curriculum ${c.name} (${c.plugin}@${c.version})${cfg(c.config)}`);
  const graphNote = plan.training.graphStep === 'on' ? '  [the whole step as one captured TensorFlow graph: training.graphStep on]' : plan.training.graphStepAutoOff ? `  [eager: training.graphStep auto, but ${plan.training.graphStepAutoOff}]` : '';
  lines.push(`├─ step     loss+gradients${graphNote}`);
  const stage = (hp: string, entries: readonly PlanEntry<unknown>[]) => {
    if (entries.length === 0) lines.push(`│  ├─ ${hp.padEnd(11)} ·`);
    for (const e of entries) lines.push(`│  ├─ ${hp.padEnd(11)} ${e.name === e.plugin ? e.name : `${e.name} (${e.plugin})`}@${e.version}${cfg(e.config)}`);
  };
  for (const hp of HOOK_POINTS) stage(hp, stageEntries(plan, hp));
  const t = plan.training;
  const phases = t.phases.map((p) => `${p.name}:${p.epochs}ep@lr${p.learningRate}${p.lrSchedule.kind === 'step' ? `(×${p.lrSchedule.factor}/${p.lrSchedule.everyEpochs}ep)` : ''}`).join(' → ');
  lines.push(`├─ training batch=${t.batchSize} ${phases}${t.maxSteps ? ` maxSteps=${t.maxSteps}` : ''} sampling=${t.sampling} eval=[${t.evalSplits.join(',')}] every ${t.evalEveryEpochs} ep${t.evalOnlyAtEnd?.length ? `, [${t.evalOnlyAtEnd.join(',')}] at the end only` : ''}${t.tensorflowThreads !== undefined ? ` tensorflowThreads=${t.tensorflowThreads}` : ''}`);
  lines.push(`└─ observers ${plan.observers.map((o) => o.name).join(', ') || '·'}`);
  return lines.join('\n');
}
