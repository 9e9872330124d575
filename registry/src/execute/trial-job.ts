import type { ExecutionPlan, RunTracker } from '@anneal/core';
import type { DatasetCache } from '../plan/dataset-cache.js';
import type { TrialOutcome, TrialSpec } from '../trials/trial-spec.js';

/** One trial to run: its spec, where its run goes, and whether it continues an earlier run. */
export interface TrialJob {
  readonly spec: TrialSpec;
  /** The parent (multi-run) or sweep run the trial's run is nested under. */
  readonly parentRunId?: string;
  /** Continue this run (KILLED, or left RUNNING by a dead process) from its checkpoint. */
  readonly resumeRunId?: string;
  /** Label for log lines, e.g. "[3/12 noise lr=0.1 seed=2]". */
  readonly label: string;
}

/** How trials run in this process: the same for every executor. */
export interface TrialRunOptions {
  readonly backend: string;
  readonly dataDir?: string;
  /** Shared across the trials of one process, so each dataset loads once. */
  readonly datasets?: DatasetCache;
  readonly signal?: AbortSignal;
  /** Plain output lines (the run log gets them too). */
  readonly log?: (line: string) => void;
  /** Progress stream (stderr by default) and TTY override. */
  readonly progressStream?: NodeJS.WriteStream;
  readonly tty?: boolean;
  /** Stop each trial after N steps as if interrupted (tests). */
  readonly stopAfterSteps?: number;
  /** Print the execution plan before training. */
  readonly printPlan?: boolean;
  /**
   * Fills a new run's empty checkpoint directory from elsewhere (a queue worker fetches the trial's
   * last checkpoint from MLflow); true = the trainer continues from it.
   */
  readonly restoreCheckpoint?: (checkpointDir: string) => Promise<boolean>;
  /** Gets a copy of each checkpoint as it is written (a queue worker uploads it); the run ends after these settle. */
  readonly onCheckpoint?: (checkpoint: CheckpointCopy) => Promise<void>;
  /** Called after a trial finished, with its tracker still open (model registration). */
  readonly afterTrial?: (outcome: TrialOutcome, tracker: RunTracker, plan: ExecutionPlan) => Promise<void>;
}

/** One checkpoint's files (core/src/trainer/checkpoint.ts), read right after the trainer wrote them. */
export interface CheckpointCopy {
  readonly step: number;
  readonly json: Buffer;
  readonly bin: Buffer;
}

/** How one job ended, as executors report it. */
export type TrialResult =
  | { readonly kind: 'done'; readonly outcome: TrialOutcome }
  | { readonly kind: 'failed'; readonly message: string; readonly runId?: string; /** The error itself (in-process only). */ readonly error?: unknown }
  | { readonly kind: 'crashed'; readonly message: string; readonly runId?: string };
