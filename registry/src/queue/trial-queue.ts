import { Queue, type JobsOptions, type JobState } from 'bullmq';
import type { TrialOutcome, TrialSpec } from '../trials/trial-spec.js';
import type { QueueConnection } from './queue-url.js';

/** The one BullMQ queue every anneal sweep enqueues to and every `anneal worker` pulls from. */
export const QUEUE_NAME = 'anneal-trials';

/** A trial as a BullMQ job's data: plain JSON, enough for any worker on any machine. */
export interface QueuedTrial {
  readonly format: 1;
  /** The sweep's anneal run id (its local id on the machine that started it; tag anneal.run_id in MLflow). */
  readonly sweepId: string;
  /** The sweep's MLflow run and experiment: each trial's run is nested there. */
  readonly sweepMlflowRunId: string;
  readonly experimentId: string;
  readonly spec: TrialSpec;
  /** "[3/12 noise lr=0.1 seed=2]". */
  readonly label: string;
  /** The backend the sweep asked for (a worker's --backend overrides it). */
  readonly backend: string;
}

/** What a worker records while it runs a job (BullMQ job progress). */
export interface TrialProgress {
  readonly worker: string;
  readonly mlflowRunId: string;
  readonly attempt: number;
}

/** A finished job's return value. */
export interface QueuedOutcome extends TrialOutcome {
  readonly mlflowRunId: string;
  readonly worker: string;
}

/** The job id of a sweep's trial: the stable trial id, scoped to the sweep (so enqueueing twice adds nothing). */
export function jobIdOf(sweepId: string, trialId: string): string {
  return `${sweepId}-${trialId}`;
}

/** Retries with exponential backoff, then FAILED; jobs stay in Redis for --status. */
export interface RetryPolicy {
  /** Extra attempts after the first (default 2). */
  readonly retries: number;
  /** The first backoff; each retry waits twice as long as the one before (default 2000 ms). */
  readonly backoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 2, backoffMs: 2000 };

export function jobOptions(sweepId: string, trialId: string, retry: RetryPolicy): JobsOptions {
  return {
    jobId: jobIdOf(sweepId, trialId),
    attempts: retry.retries + 1,
    backoff: { type: 'exponential', delay: retry.backoffMs },
    removeOnComplete: false,
    removeOnFail: false,
  };
}

export function openQueue(connection: QueueConnection): Queue<QueuedTrial, QueuedOutcome> {
  const queue = new Queue<QueuedTrial, QueuedOutcome>(QUEUE_NAME, { connection: connection.options });
  queue.on('error', () => undefined);
  return queue;
}

/**
 * Adds each trial as a job whose id is its stable id in the sweep; a job that exists already (in
 * any state) is left as it is. Returns how many were added.
 */
export async function enqueueTrials(queue: Queue<QueuedTrial, QueuedOutcome>, trials: readonly QueuedTrial[], retry: RetryPolicy = DEFAULT_RETRY): Promise<{ added: number; present: number }> {
  let added = 0;
  let present = 0;
  const fresh: QueuedTrial[] = [];
  for (const t of trials) {
    if (await queue.getJob(jobIdOf(t.sweepId, t.spec.id))) present++;
    else fresh.push(t);
  }
  for (let i = 0; i < fresh.length; i += 500) {
    const chunk = fresh.slice(i, i + 500);
    await queue.addBulk(chunk.map((t) => ({ name: t.spec.id, data: t, opts: jobOptions(t.sweepId, t.spec.id, retry) })));
    added += chunk.length;
  }
  return { added, present };
}

/** A sweep as recorded in Redis, so `anneal sweep --status` works from any machine. */
export interface QueuedSweep {
  readonly sweepId: string;
  readonly recipe: string;
  readonly quick: boolean;
  readonly createdAt: number;
  readonly sweepMlflowRunId: string;
  readonly trials: readonly { readonly id: string; readonly label: string }[];
}

const sweepKey = (sweepId: string) => `anneal:sweep:${sweepId}`;

export async function recordSweep(queue: Queue, sweep: QueuedSweep): Promise<void> {
  await (await queue.client).set(sweepKey(sweep.sweepId), JSON.stringify(sweep));
}

export async function readSweep(queue: Queue, sweepId: string): Promise<QueuedSweep | undefined> {
  const text = await (await queue.client).get(sweepKey(sweepId));
  return text ? (JSON.parse(text) as QueuedSweep) : undefined;
}

export type TrialJobState = JobState | 'unknown';

/** Each trial job's state, its worker (while active or when done) and its result or failure. */
export interface TrialJobStatus {
  readonly id: string;
  readonly state: TrialJobState;
  readonly progress?: TrialProgress;
  readonly outcome?: QueuedOutcome;
  readonly failedReason?: string;
  readonly attemptsMade: number;
  readonly processedOn?: number;
  readonly timestamp?: number;
}

export async function trialJobStatus(queue: Queue<QueuedTrial, QueuedOutcome>, sweepId: string, trialId: string): Promise<TrialJobStatus> {
  const job = await queue.getJob(jobIdOf(sweepId, trialId));
  if (!job) return { id: trialId, state: 'unknown', attemptsMade: 0 };
  const state = (await job.getState()) as TrialJobState;
  const progress = typeof job.progress === 'object' && job.progress !== null ? (job.progress as unknown as TrialProgress) : undefined;
  return { id: trialId, state, progress, outcome: state === 'completed' ? job.returnvalue : undefined, failedReason: job.failedReason, attemptsMade: job.attemptsMade, processedOn: job.processedOn, timestamp: job.timestamp };
}
