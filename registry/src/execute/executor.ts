import type { TrialJob, TrialResult } from './trial-job.js';

/** What an executor tells its caller while trials run (worker = 0 for the in-process executor; a queue names its workers host:pid). */
export interface ExecutorEvents {
  onReady?(worker: number): void;
  onStart?(job: TrialJob, worker: number | string): void;
  onRunId?(job: TrialJob, runId: string): void;
  onLog?(line: string, job: TrialJob | undefined, worker: number | string): void;
  onEnd(job: TrialJob, result: TrialResult, worker: number | string, durationMs: number): void | Promise<void>;
}

/**
 * Runs trial jobs: in this process one after another (InProcessExecutor), or in forked worker
 * processes (WorkerPoolExecutor); a distributed queue is another implementation. Each job's run is
 * written only by the TrialRunner that runs it.
 */
export interface TrialExecutor {
  /** Runs every job (or until stop()); resolves when every job has ended and every worker has exited. */
  run(jobs: readonly TrialJob[], events: ExecutorEvents): Promise<void>;
  /** Stops starting jobs; running trials checkpoint and end as KILLED. */
  stop(): void;
  /** Jobs never started (after stop(), or when the executor gave up). */
  readonly leftover: readonly TrialJob[];
  /** Trials running now, and waiting. */
  readonly running: number;
  readonly queued: number;
  /** Why the executor stopped starting jobs on its own, if it did. */
  readonly gaveUp?: string;
  /** When the first worker could take a job (throughput figures). */
  readonly firstReadyAt?: number;
}
