import type { TrialJob } from './trial-job.js';
import type { TrialOutcome } from '../trials/trial-spec.js';

/** Sent once after fork: how to boot (the environment is inherited). */
export interface WorkerInit {
  readonly type: 'init';
  readonly workerId: number;
  /** External plugin modules to load (absolute paths or package names). */
  readonly pluginModules: readonly string[];
  readonly backend: string;
  /** The trials' training.tensorflowThreads (tensorflowThreadsOf), taken when the worker loads TensorFlow. */
  readonly tensorflowThreads?: number;
}

/** One trial to run (its spec says everything; the run is nested under job.parentRunId). */
export interface WorkerJob {
  readonly type: 'run';
  readonly job: TrialJob;
}

export type ParentMessage = WorkerInit | WorkerJob | { readonly type: 'stop' } | { readonly type: 'exit' };

export type WorkerMessage =
  | { readonly type: 'ready'; readonly workerId: number; readonly backend: string }
  | { readonly type: 'started'; readonly trialId: string; readonly runId: string }
  | { readonly type: 'log'; readonly trialId?: string; readonly line: string }
  | { readonly type: 'done'; readonly trialId: string; readonly outcome: TrialOutcome }
  | { readonly type: 'failed'; readonly trialId: string; readonly runId?: string; readonly message: string }
  | { readonly type: 'boot-failed'; readonly message: string };
