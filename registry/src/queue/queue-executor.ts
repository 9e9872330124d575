import { QueueEvents, type Queue } from 'bullmq';
import type { ExecutorEvents, TrialExecutor } from '../execute/executor.js';
import type { TrialJob } from '../execute/trial-job.js';
import type { QueueConnection } from './queue-url.js';
import { DEFAULT_RETRY, QUEUE_NAME, enqueueTrials, openQueue, recordSweep, trialJobStatus, type QueuedOutcome, type QueuedSweep, type QueuedTrial, type RetryPolicy } from './trial-queue.js';

export interface QueueExecutorOptions {
  readonly connection: QueueConnection;
  /** The sweep as recorded in Redis (its id, MLflow run, trials). */
  readonly sweep: Omit<QueuedSweep, 'trials'>;
  readonly experimentId: string;
  readonly backend: string;
  readonly retry?: RetryPolicy;
  /** Enqueue and return without waiting. */
  readonly detach?: boolean;
  /** Longest wait between looks at the jobs' states (default 2000 ms; queue events wake it sooner). */
  readonly pollMs?: number;
}

/**
 * Runs a sweep's trials on `anneal worker` processes anywhere, through the BullMQ queue: enqueues
 * each trial as a job whose id is its stable id in the sweep (a job already there is left alone),
 * then follows the jobs' states until each is completed or failed (after its retries), telling the
 * sweep's progress display which worker runs what. Workers write the runs; this only watches.
 */
export class QueueExecutor implements TrialExecutor {
  leftover: readonly TrialJob[] = [];
  running = 0;
  queued = 0;
  gaveUp?: string;
  firstReadyAt?: number;
  /** How many jobs enqueueing added, and how many were there already. */
  enqueued?: { added: number; present: number };
  private stopping = false;
  private wake?: () => void;

  constructor(private readonly options: QueueExecutorOptions) {}

  stop(): void {
    this.stopping = true;
    this.wake?.();
  }

  async run(jobs: readonly TrialJob[], events: ExecutorEvents): Promise<void> {
    const { sweep } = this.options;
    const queue = openQueue(this.options.connection);
    const queueEvents = this.options.detach ? undefined : new QueueEvents(QUEUE_NAME, { connection: this.options.connection.options });
    queueEvents?.on('error', () => undefined);
    try {
      await recordSweep(queue, { ...sweep, trials: jobs.map((j) => ({ id: j.spec.id, label: j.label })) });
      const data: QueuedTrial[] = jobs.map((j) => ({ format: 1, sweepId: sweep.sweepId, sweepMlflowRunId: sweep.sweepMlflowRunId, experimentId: this.options.experimentId, spec: j.spec, label: j.label, backend: this.options.backend }));
      this.enqueued = await enqueueTrials(queue, data, this.options.retry ?? DEFAULT_RETRY);
      events.onLog?.(`queue: ${this.enqueued.added} trial(s) enqueued, ${this.enqueued.present} already in the queue`, undefined, 0);
      this.firstReadyAt = Date.now();
      if (this.options.detach) return;
      const prefix = `${sweep.sweepId}-`;
      for (const name of ['active', 'progress', 'completed', 'failed'] as const) {
        queueEvents!.on(name, ({ jobId }: { jobId: string }) => {
          if (jobId.startsWith(prefix)) this.wake?.();
        });
      }
      await this.follow(queue, jobs, events);
    } finally {
      await queueEvents?.close().catch(() => undefined);
      await queue.close().catch(() => undefined);
    }
  }

  private async follow(queue: Queue<QueuedTrial, QueuedOutcome>, jobs: readonly TrialJob[], events: ExecutorEvents): Promise<void> {
    const pending = new Map(jobs.map((j) => [j.spec.id, j]));
    const attempts = new Map<string, number>();
    while (pending.size > 0 && !this.stopping) {
      let running = 0;
      for (const [id, job] of pending) {
        const s = await trialJobStatus(queue, this.options.sweep.sweepId, id);
        const announce = () => {
          if (!s.progress || attempts.get(id) === s.progress.attempt) return;
          attempts.set(id, s.progress.attempt);
          events.onStart?.(s.progress.attempt > 1 ? { ...job, resumeRunId: s.progress.mlflowRunId } : job, s.progress.worker);
          events.onRunId?.(job, s.progress.mlflowRunId);
        };
        if (s.state === 'active') {
          running++;
          announce();
        } else if (s.state === 'completed' && s.outcome) {
          announce();
          pending.delete(id);
          await events.onEnd(job, { kind: 'done', outcome: s.outcome }, s.outcome.worker, s.outcome.durationMs ?? 0);
        } else if (s.state === 'failed') {
          announce();
          pending.delete(id);
          const message = `${s.failedReason ?? 'failed'} (after ${s.attemptsMade} attempt${s.attemptsMade === 1 ? '' : 's'})`;
          await events.onEnd(job, { kind: 'failed', message, runId: s.progress?.mlflowRunId }, s.progress?.worker ?? '?', s.processedOn ? Date.now() - s.processedOn : 0);
        } else if (s.state === 'unknown') {
          pending.delete(id);
          await events.onEnd(job, { kind: 'failed', message: `job ${id} is gone from the queue (Redis lost its data?); run the sweep again with --resume` }, '?', 0);
        }
      }
      this.running = running;
      this.queued = pending.size - running;
      if (pending.size === 0 || this.stopping) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, this.options.pollMs ?? 2000);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.wake = done;
      });
      this.wake = undefined;
    }
    this.leftover = [...pending.values()];
  }
}
