import type { ExecutorEvents, TrialExecutor } from './executor.js';
import type { TrialJob, TrialRunOptions } from './trial-job.js';
import type { TrialRunner } from './trial-runner.js';

/** Runs trials one after another in this process, with one dataset cache and one backend. */
export class InProcessExecutor implements TrialExecutor {
  private queue: TrialJob[] = [];
  private current?: TrialJob;
  private stopped = false;
  firstReadyAt?: number;

  constructor(
    private readonly runner: TrialRunner,
    private readonly options: TrialRunOptions,
  ) {}

  get leftover(): readonly TrialJob[] {
    return this.queue;
  }
  get running(): number {
    return this.current ? 1 : 0;
  }
  get queued(): number {
    return this.queue.length;
  }

  async run(jobs: readonly TrialJob[], events: ExecutorEvents): Promise<void> {
    this.queue = [...jobs];
    this.firstReadyAt = Date.now();
    events.onReady?.(0);
    while (!this.stopped && !this.options.signal?.aborted && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.current = job;
      const started = Date.now();
      events.onStart?.(job, 0);
      try {
        const outcome = await this.runner.run(job, { ...this.options, log: (line) => events.onLog?.(line, job, 0) });
        await events.onEnd(job, { kind: 'done', outcome }, 0, Date.now() - started);
      } catch (error) {
        await events.onEnd(job, { kind: 'failed', message: (error as Error).message, error }, 0, Date.now() - started);
      } finally {
        this.current = undefined;
      }
    }
  }

  stop(): void {
    this.stopped = true;
  }
}
