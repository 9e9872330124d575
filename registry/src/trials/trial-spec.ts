import type { HookPoint, LrSchedule, MetricSpec, PhaseSpec, Recipe, TrainingSpec } from '@anneal/core';

/** A plugin instance as resolved for a trial: its definition's name and version, and its validated config. */
export interface ResolvedPlugin {
  /** Instance name (unique in the trial; the checkpoint and tracking key). */
  readonly name: string;
  readonly plugin: string;
  readonly version: string;
  readonly config: Readonly<Record<string, unknown>>;
}

/** The model, dataset or optimizer of a trial. */
export interface ResolvedComponent {
  readonly name: string;
  readonly version: string;
  readonly config: Readonly<Record<string, unknown>>;
}

export interface ResolvedTrialPhase extends PhaseSpec {
  readonly learningRate: number;
  readonly lrSchedule: LrSchedule;
}

/** Training settings with defaults applied; evalSplits stays unset when the dataset's defaults apply. */
export interface ResolvedTrialTraining extends Required<Omit<TrainingSpec, 'phases' | 'epochs' | 'maxSteps' | 'lrSchedule' | 'evalSplits' | 'evalOnlyAtEnd' | 'graphStep' | 'tensorflowThreads'>> {
  /** Absent: 'off'. */
  readonly graphStep?: TrainingSpec['graphStep'];
  /** Absent: the default (ANNEAL_TF_THREADS, else 1). */
  readonly tensorflowThreads?: number;
  readonly phases: readonly ResolvedTrialPhase[];
  readonly maxSteps?: number;
  readonly evalSplits?: TrainingSpec['evalSplits'];
  /** Present only when the recipe names splits to evaluate after the last step only. */
  readonly evalOnlyAtEnd?: TrainingSpec['evalOnlyAtEnd'];
}

/** Gradient and parameter hook points (the optimizer is the trial's `optimizer`). */
export type ListHookPoint = Exclude<HookPoint, 'update'>;

/** Every name resolved, every config validated, every plugin in execution order: a trial's whole plan as data. */
export interface TrialPlanSpec {
  readonly model: ResolvedComponent;
  readonly dataset: ResolvedComponent;
  readonly optimizer: ResolvedComponent;
  /** Plugins per hook point, in execution order. */
  readonly hooks: Readonly<Record<ListHookPoint, readonly ResolvedPlugin[]>>;
  readonly forward: readonly ResolvedPlugin[];
  readonly curricula: readonly ResolvedPlugin[];
  readonly observers: readonly ResolvedPlugin[];
  readonly training: ResolvedTrialTraining;
  /** The evaluation metrics the model family declares. */
  readonly metrics: readonly MetricSpec[];
}

/**
 * One run of a recipe — variant × grid setting × seed (× restart) — as plain JSON. `resolveTrials`
 * makes it (the only validation), `--plan` prints it, config.json stores it, and `instantiate`
 * turns it into a runtime plan: `--resume`, sweep workers and queue workers need nothing else.
 */
export interface TrialSpec {
  readonly format: 1;
  /** Stable id: the same recipe/version/quick/variant/setting/seed/restart/--set always gives the same id. */
  readonly id: string;
  readonly index: number;
  readonly label: string;
  readonly runName: string;
  readonly quick: boolean;
  readonly variant?: string;
  readonly setting: Readonly<Record<string, unknown>>;
  readonly seed: number;
  /** Seed the run actually uses (differs from `seed` only for restarts). */
  readonly runSeed: number;
  readonly restart?: number;
  /** The recipe with quick, variant, setting and --set applied (no grid, variants or quick left). */
  readonly recipe: Recipe;
  readonly plan: TrialPlanSpec;
  /** External plugin modules (absolute paths or package names) the trial's plugins come from. */
  readonly pluginModules: readonly string[];
}

/** What a trial's run ended with, as the executors and reports see it. */
export interface TrialOutcome {
  readonly trialId: string;
  readonly runId: string;
  readonly variant?: string;
  readonly setting: Readonly<Record<string, unknown>>;
  readonly seed: number;
  readonly restart?: number;
  readonly status: string;
  readonly final: Readonly<Record<string, number>>;
  readonly steps: number;
  readonly epochs?: number;
  readonly durationMs?: number;
}
