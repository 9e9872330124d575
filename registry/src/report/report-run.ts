import type { MetricSpec, PaperComparison, ReportSpec, RestartSpec, RunStatus } from '@anneal/core';

/** What a report knows about one tracked trial run (from the local store or from MLflow). */
export interface ReportRun {
  /** The anneal (local store) run id; for MLflow-only runs, the MLflow run id. */
  readonly runId: string;
  /** The MLflow run id when the run was read from MLflow. */
  readonly mlflowRunId?: string;
  readonly status: RunStatus;
  readonly startTime: number;
  readonly endTime?: number;
  readonly recipe: string;
  readonly recipeVersion?: number;
  readonly parentRunId?: string;
  /** The stable trial id (tag anneal.trial_id). */
  readonly trialId?: string;
  readonly variant?: string;
  readonly setting: Readonly<Record<string, unknown>>;
  /** The trial's seed (before restart derivation). */
  readonly seed: number;
  readonly restart?: number;
  readonly quick: boolean;
  /** Final metrics (tag anneal.final), fractions (0.97 = 97 %). */
  readonly final: Readonly<Record<string, number>>;
  readonly budget: RunBudget;
}

/** The training budget of a run, as far as it is known. */
export interface RunBudget {
  /** Epochs asked for (sum over phases). */
  readonly epochs?: number;
  /** Updates actually made (step of the last epoch end, else last step + 1). */
  readonly steps?: number;
  readonly batchSize?: number;
  readonly maxSteps?: number;
  readonly trainSize?: number;
}

/** A metric curve, one value per step (the last value logged for a step wins). */
export type Curve = ReadonlyMap<number, number>;

/** The recipe facts a report needs (the registered recipe, or what a sweep manifest recorded). */
export interface RecipeFacts {
  readonly name: string;
  readonly version?: number;
  readonly description?: string;
  readonly paper?: PaperComparison;
  readonly restarts?: RestartSpec;
  /** The recipe's table (Recipe.report); when absent, derived from restarts and paper (reportSpecOf). */
  readonly report?: ReportSpec;
  /**
   * The evaluation metrics the recipe's model family declares: direction (higher or lower is better)
   * and percent-ness of every tracked metric come from here.
   */
  readonly metrics?: readonly MetricSpec[];
}

/** Where runs come from: the local run store, or an MLflow tracking server. */
export interface RunSource {
  readonly kind: 'local' | 'mlflow';
  /** A directory or URL, for messages. */
  readonly location: string;
  /** Trial runs of a recipe (every status; parents and sweeps excluded). */
  recipeRuns(recipe: string): Promise<ReportRun[]>;
  /** The sweep run (or a `run` parent run) with this id or unique prefix, or undefined. */
  findSweep(idOrPrefix: string): Promise<SweepRef | undefined>;
  /** Trial runs nested under a sweep / parent run. */
  children(sweep: SweepRef): Promise<ReportRun[]>;
  /** Curves of the given keys for one run. */
  curves(run: ReportRun, keys: readonly string[]): Promise<Map<string, Curve>>;
}

/** A sweep (or parent) run found in a source. */
export interface SweepRef {
  readonly runId: string;
  readonly mlflowRunId?: string;
  readonly recipe: string;
  readonly status: RunStatus;
  readonly quick: boolean;
  readonly kind: string;
  /** The recipe facts recorded with the sweep, when it has a manifest. */
  readonly recipeFacts?: RecipeFacts;
  /** The sweep's planned trial ids, when known. */
  readonly trialIds?: readonly string[];
}
