import type { TrialOutcome } from '../report/trial-outcome.js';
import type { SweepTrial } from '../report/sweep-manifest.js';

/** Sent once after fork: how to boot (the environment is inherited). */
export interface WorkerInit {
  readonly type: 'init';
  readonly workerId: number;
  readonly pluginModules: readonly string[];
  readonly backend: string;
  readonly quick: boolean;
  readonly recipe: { readonly name: string; readonly version: number };
}

/** One trial to run as a run nested under the sweep run. */
export interface WorkerJob {
  readonly type: 'run';
  readonly trial: SweepTrial;
  readonly parentRunId: string;
  /** Continue this (KILLED / stale RUNNING) run from its checkpoint instead of starting a new one. */
  readonly resumeRunId?: string;
  /** Label for log lines, e.g. "[3/12 noise lr=0.1 seed=2]". */
  readonly label: string;
}

export type ParentMessage = WorkerInit | WorkerJob | { readonly type: 'stop' } | { readonly type: 'exit' };

export type WorkerMessage =
  | { readonly type: 'ready'; readonly workerId: number; readonly backend: string }
  | { readonly type: 'started'; readonly trialId: string; readonly runId: string }
  | { readonly type: 'log'; readonly trialId?: string; readonly line: string }
  | { readonly type: 'done'; readonly trialId: string; readonly outcome: TrialOutcome }
  | { readonly type: 'failed'; readonly trialId: string; readonly runId?: string; readonly message: string }
  | { readonly type: 'boot-failed'; readonly message: string };
