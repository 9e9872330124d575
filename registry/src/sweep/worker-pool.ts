import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AnnealError } from '@anneal/core';
import type { TrialOutcome } from '../report/trial-outcome.js';
import type { SweepTrial } from '../report/sweep-manifest.js';
import type { ParentMessage, WorkerInit, WorkerMessage } from './worker-protocol.js';

/** The compiled worker entry (registry/dist/sweep/sweep-worker.js). */
export const WORKER_ENTRY = fileURLToPath(new URL('./sweep-worker.js', import.meta.url));

export interface PoolJob {
  readonly trial: SweepTrial;
  readonly label: string;
  /** Continue this run from its checkpoint. */
  readonly resumeRunId?: string;
}

export type JobResult =
  | { readonly kind: 'done'; readonly outcome: TrialOutcome }
  | { readonly kind: 'failed'; readonly message: string; readonly runId?: string }
  | { readonly kind: 'crashed'; readonly message: string; readonly runId?: string };

export interface PoolEvents {
  onReady?(workerId: number): void;
  onStart?(job: PoolJob, workerId: number): void;
  onRunId?(job: PoolJob, runId: string): void;
  onEnd(job: PoolJob, result: JobResult, workerId: number, durationMs: number): void | Promise<void>;
  onLog?(line: string, job: PoolJob | undefined, workerId: number): void;
}

export interface PoolOptions {
  readonly size: number;
  readonly init: Omit<WorkerInit, 'type' | 'workerId'>;
  readonly parentRunId: string;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly events: PoolEvents;
  /** Worker entry (tests may point elsewhere). */
  readonly entry?: string;
  /** How long stopped workers get to end their runs before SIGKILL (default 60 s). */
  readonly stopGraceMs?: number;
}

interface Slot {
  readonly id: number;
  readonly child: ChildProcess;
  ready: boolean;
  job?: PoolJob;
  jobStarted: number;
  runId?: string;
  ended: boolean;
  stderrTail: string;
}

/**
 * Runs jobs in N forked worker processes, one job per worker at a time. A worker that dies while
 * running a job reports the job as crashed and is replaced; a worker that cannot boot fails the pool.
 */
export class WorkerPool {
  private readonly slots = new Map<number, Slot>();
  private queue: PoolJob[] = [];
  private nextId = 1;
  private stopping = false;
  private crashes = 0;
  /** Crashes since the last trial that ended normally (a crash loop stops the pool). */
  private crashStreak = 0;
  private everReady = false;
  private bootFailures: string[] = [];
  private finish?: (error?: Error) => void;
  private finished = false;
  /** Set when the pool stopped replacing crashed workers (the reason). */
  gaveUp?: string;
  private killTimer?: NodeJS.Timeout;
  private pendingEnds = new Set<Promise<void>>();
  /** When the first worker became ready (for throughput figures). */
  firstReadyAt?: number;

  constructor(private readonly options: PoolOptions) {}

  get running(): number {
    return [...this.slots.values()].filter((s) => s.job).length;
  }
  get queued(): number {
    return this.queue.length;
  }
  /** Jobs never dispatched (after stop() or when the pool gave up). */
  get leftover(): readonly PoolJob[] {
    return this.queue;
  }

  /** Runs every job (or until stop()); resolves when every worker has exited. */
  run(jobs: readonly PoolJob[]): Promise<void> {
    this.queue = [...jobs];
    return new Promise<void>((resolve, reject) => {
      this.finish = (error) => {
        if (this.finished) return;
        this.finished = true;
        if (this.killTimer) clearTimeout(this.killTimer);
        void Promise.all(this.pendingEnds).then(() => (error ? reject(error) : resolve()));
      };
      const n = this.stopping ? 0 : Math.max(0, Math.min(this.options.size, this.queue.length));
      if (n === 0) return this.finish();
      for (let i = 0; i < n; i++) this.spawn();
    });
  }

  /** Stops dispatching; running workers end their runs as KILLED and exit. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    for (const s of this.slots.values()) this.post(s, { type: 'stop' });
    this.killTimer = setTimeout(() => {
      for (const s of this.slots.values()) s.child.kill('SIGKILL');
    }, this.options.stopGraceMs ?? 60_000);
    this.killTimer.unref();
    this.maybeFinish();
  }

  private spawn(): void {
    const id = this.nextId++;
    const child = fork(this.options.entry ?? WORKER_ENTRY, [], {
      cwd: this.options.cwd,
      env: this.options.env,
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    const slot: Slot = { id, child, ready: false, jobStarted: 0, ended: false, stderrTail: '' };
    this.slots.set(id, slot);
    const onOutput = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      slot.stderrTail = (slot.stderrTail + text).slice(-4000);
      for (const line of text.split('\n')) if (line.trim()) this.options.events.onLog?.(line, slot.job, id);
    };
    child.stdout?.on('data', onOutput);
    child.stderr?.on('data', onOutput);
    child.on('message', (m: WorkerMessage) => this.onMessage(slot, m));
    child.on('error', (error) => {
      slot.stderrTail += `\n${error.message}`;
    });
    child.on('close', (code, signal) => this.onClose(slot, code, signal));
    this.post(slot, { type: 'init', workerId: id, ...this.options.init });
  }

  private post(slot: Slot, message: ParentMessage): void {
    if (!slot.child.connected) return;
    try {
      slot.child.send(message);
    } catch {
      // the worker is gone; onClose deals with it
    }
  }

  private onMessage(slot: Slot, m: WorkerMessage): void {
    switch (m.type) {
      case 'ready':
        slot.ready = true;
        this.everReady = true;
        this.firstReadyAt ??= Date.now();
        this.options.events.onReady?.(slot.id);
        this.dispatch(slot);
        break;
      case 'boot-failed':
        this.bootFailures.push(m.message);
        break;
      case 'started':
        if (slot.job && slot.job.trial.id === m.trialId) {
          slot.runId = m.runId;
          this.options.events.onRunId?.(slot.job, m.runId);
        }
        break;
      case 'log':
        this.options.events.onLog?.(m.line, slot.job, slot.id);
        break;
      case 'done':
        this.endJob(slot, { kind: 'done', outcome: m.outcome });
        break;
      case 'failed':
        this.endJob(slot, { kind: 'failed', message: m.message, runId: m.runId ?? slot.runId });
        break;
    }
  }

  private endJob(slot: Slot, result: JobResult): void {
    const job = slot.job;
    if (!job) return;
    if (result.kind !== 'crashed') this.crashStreak = 0;
    slot.job = undefined;
    slot.runId = undefined;
    const p = Promise.resolve(this.options.events.onEnd(job, result, slot.id, Date.now() - slot.jobStarted)).catch(() => undefined);
    this.pendingEnds.add(p);
    void p.finally(() => this.pendingEnds.delete(p));
    this.dispatch(slot);
  }

  private dispatch(slot: Slot): void {
    if (!slot.ready || slot.job || !slot.child.connected) return;
    const job = this.stopping ? undefined : this.queue.shift();
    if (!job) {
      this.post(slot, { type: this.stopping ? 'stop' : 'exit' });
      return;
    }
    slot.job = job;
    slot.jobStarted = Date.now();
    this.options.events.onStart?.(job, slot.id);
    this.post(slot, { type: 'run', trial: job.trial, parentRunId: this.options.parentRunId, resumeRunId: job.resumeRunId, label: job.label });
  }

  private onClose(slot: Slot, code: number | null, signal: NodeJS.Signals | null): void {
    this.slots.delete(slot.id);
    if (slot.job) {
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      const tail = slot.stderrTail.trim().split('\n').slice(-3).join(' | ');
      this.crashes++;
      this.crashStreak++;
      this.endJob(slot, { kind: 'crashed', message: `worker process ${slot.id} died (${how}) while running the trial${tail ? `: ${tail}` : ''}`, runId: slot.runId });
    } else if (!slot.ready && !this.stopping) {
      if (this.bootFailures.length === 0) this.bootFailures.push(`worker exited (${signal ?? code}) before it was ready${slot.stderrTail ? `: ${slot.stderrTail.trim().split('\n').slice(-3).join(' | ')}` : ''}`);
    }
    if (!this.everReady && !this.stopping && this.bootFailures.length >= this.options.size) {
      this.stopping = true;
      for (const s of this.slots.values()) s.child.kill('SIGKILL');
      if (this.slots.size === 0) this.finish?.(new AnnealError('ANNEAL_ERR_PLUGIN_LOAD', `sweep workers could not start: ${this.bootFailures[0]}`));
      return;
    }
    // Replace a worker that died while work remains (bounded, so a crash loop cannot spin forever).
    if (!this.stopping && this.queue.length > 0 && this.slots.size < this.options.size) {
      if (this.crashStreak <= 2 * this.options.size + 2) this.spawn();
      else if (this.slots.size === 0) {
        this.gaveUp = `${this.crashStreak} worker processes died in a row; ${this.queue.length} trial(s) left unrun`;
        this.stopping = true;
      }
    }
    this.maybeFinish();
  }

  private maybeFinish(): void {
    if (this.slots.size > 0) return;
    if (!this.stopping && this.queue.length > 0) return;
    if (!this.everReady && this.bootFailures.length > 0) {
      this.finish?.(new AnnealError('ANNEAL_ERR_PLUGIN_LOAD', `sweep workers could not start: ${this.bootFailures[0]}`));
      return;
    }
    this.finish?.();
  }
}
