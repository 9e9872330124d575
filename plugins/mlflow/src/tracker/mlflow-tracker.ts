import type { LocalRunStore, LocalRunTracker, MetricPoint, RunStartInfo, RunStatus, RunTracker, Tracker } from '@anneal/core';
import { MlflowClient, abortableSleep } from '../client/mlflow-client.js';
import { isMlflowError } from '../client/errors.js';
import { secretsOf, type MlflowEnvConfig } from '../config/env-config.js';
import { DeliverySession } from '../spool/delivery-session.js';
import type { RunDeliverer } from '../spool/run-deliverer.js';
import { acquireLock, releaseLock } from '../spool/sync-state.js';
import { deliverFollowedParent } from './follow-parent.js';

export interface MlflowTrackerOptions {
  readonly config: MlflowEnvConfig;
  /** The local run store: always written first, it is the spool. */
  readonly store: LocalRunStore;
  /** A client to use instead of one built from `config`. */
  readonly client?: MlflowClient;
  /** Where progress and warnings go (default: stderr, prefixed "[mlflow] "). Credentials are redacted. */
  readonly log?: (line: string) => void;
  /** How often the background deliverer sends what was spooled (default 1000 ms). */
  readonly deliveryIntervalMs?: number;
  /** Longest wait between background retries while the server is unreachable (default 30 s). */
  readonly maxRetryIntervalMs?: number;
  /** How long `end()` keeps trying to deliver the rest (default 30 s, or ANNEAL_MLFLOW_END_TIMEOUT seconds). */
  readonly endTimeoutMs?: number;
  /** The same once the server proves unreachable (no HTTP answer) at or during `end()` (default 2 s). */
  readonly unreachableEndTimeoutMs?: number;
  /** Wake the deliverer early once this many metric points were logged since its last pass (default 1000). */
  readonly kickEvery?: number;
  /**
   * logMetrics yields one macrotask turn when this long has passed since the last one (default
   * 100 ms), so background delivery progresses even in a training loop that only awaits microtasks.
   */
  readonly yieldEveryMs?: number;
}

export function defaultLog(line: string): void {
  process.stderr.write(`[mlflow] ${line}\n`);
}

/**
 * The MLflow tracker. Each run is a local run (the write-ahead spool) plus a background deliverer
 * that pushes it to the MLflow server: callers never wait on the network. When the server is
 * unreachable, training continues and the deliverer retries with backoff; `end()` tries to deliver
 * the rest within a bounded time and otherwise leaves it for `anneal mlflow sync`.
 */
export class MlflowTracker implements Tracker {
  readonly kind = 'mlflow';
  readonly location: string;
  readonly client: MlflowClient;
  readonly session: DeliverySession;
  readonly store: LocalRunStore;
  readonly settings: { -readonly [K in keyof Required<Omit<MlflowTrackerOptions, 'config' | 'store' | 'client' | 'log'>>]: number };
  readonly config: MlflowEnvConfig;
  private attachConsumed = false;
  private readonly active = new Set<MlflowRunTracker>();
  private readonly finals = new Set<Promise<void>>();
  private failing = false;
  private readonly logLine: (line: string) => void;

  constructor(options: MlflowTrackerOptions) {
    this.config = options.config;
    this.store = options.store;
    this.client = options.client ?? MlflowClient.fromConfig(options.config);
    this.location = this.client.trackingUri;
    this.logLine = options.log ?? defaultLog;
    this.session = new DeliverySession({
      client: this.client,
      store: this.store,
      secrets: secretsOf(options.config.credentials),
      log: this.logLine,
      experimentId: options.config.experimentId,
      experimentName: options.config.experimentName,
    });
    // `registerModel` / `syncRuns` called in this process while the tracker is open reuse its
    // deliveries instead of racing them.
    this.session.register();
    const envEnd = Number(process.env.ANNEAL_MLFLOW_END_TIMEOUT);
    this.settings = {
      deliveryIntervalMs: options.deliveryIntervalMs ?? 1000,
      maxRetryIntervalMs: options.maxRetryIntervalMs ?? 30_000,
      endTimeoutMs: options.endTimeoutMs ?? (Number.isFinite(envEnd) && envEnd > 0 ? envEnd * 1000 : 30_000),
      unreachableEndTimeoutMs: options.unreachableEndTimeoutMs ?? 2_000,
      kickEvery: options.kickEvery ?? 1000,
      yieldEveryMs: options.yieldEveryMs ?? 100,
    };
  }

  log(line: string): void {
    this.session.log(line);
  }

  /** Shortens the end-of-run delivery budgets (e.g. after Ctrl-C); undelivered data stays spooled. */
  capEndTimeout(ms: number): void {
    this.settings.endTimeoutMs = Math.min(this.settings.endTimeoutMs, ms);
    this.settings.unreachableEndTimeoutMs = Math.min(this.settings.unreachableEndTimeoutMs, ms);
  }

  /** Creates the local run at once; the MLflow run is created in the background. */
  async startRun(info: RunStartInfo): Promise<MlflowRunTracker> {
    const local = await this.store.startRun(info);
    let attachRunId: string | undefined;
    if (this.config.runId && !this.attachConsumed && !info.parentRunId) {
      attachRunId = this.config.runId;
      this.attachConsumed = true;
    }
    acquireLock(local.localDir);
    const deliverer = this.session.deliverer(local.runId, { attachRunId, beforePass: () => local.flush() });
    const run = new MlflowRunTracker(this, local, deliverer);
    this.active.add(run);
    run.startBackground();
    // A resumed child may have set its parent RUNNING again (LocalRunStore.followChildren).
    void this.deliverFollowedParent(info.parentRunId);
    return run;
  }

  /** @internal A parent whose status the store set from its children gets it in MLflow too (follow-parent.ts). */
  deliverFollowedParent(parentRunId: string | undefined): Promise<void> {
    const budgetMs = this.failing ? this.settings.unreachableEndTimeoutMs : this.settings.endTimeoutMs;
    const delivery = deliverFollowedParent({ store: this.store, session: this.session, budgetMs }, parentRunId);
    return delivery ? this.trackFinal(delivery) : Promise.resolve();
  }

  /** Runs started and not ended yet. */
  activeRuns(): MlflowRunTracker[] {
    return [...this.active];
  }

  /** @internal */
  onRunEnded(run: MlflowRunTracker): void {
    this.active.delete(run);
  }

  /** @internal Tracks a final delivery so close() can wait for it. */
  trackFinal(p: Promise<void>): Promise<void> {
    this.finals.add(p);
    void p.finally(() => this.finals.delete(p));
    return p;
  }

  /** @internal Logs the first failure of a streak (not every retry). */
  reportFailure(error: unknown, run: MlflowRunTracker): void {
    const retryable = !isMlflowError(error) || error.retryable;
    if (!retryable) {
      run.logOnce(`delivery of run ${run.runId} failed: ${(error as Error).message}`);
      return;
    }
    if (this.failing) return;
    this.failing = true;
    this.log(`MLflow at ${this.location} is unreachable (${(error as Error).message}); training continues, runs are spooled in ${this.store.runsDir} and delivered when it is back.`);
  }

  /** @internal True while background deliveries fail to reach the server. */
  get isFailing(): boolean {
    return this.failing;
  }

  /** @internal */
  reportSuccess(): void {
    if (!this.failing) return;
    this.failing = false;
    this.log(`MLflow at ${this.location} is reachable again; delivering the spooled data.`);
  }

  /**
   * Waits for the final deliveries of ended runs. Runs still active are not ended (the caller owns
   * their status): their background delivery stops after one bounded attempt, and they stay RUNNING.
   */
  async close(): Promise<void> {
    await Promise.all([...this.active].map((r) => r.detach()));
    while (this.finals.size) await Promise.all([...this.finals]);
    this.session.unregister();
  }
}

/** One run: every call writes the local spool first; delivery to MLflow happens in the background. */
export class MlflowRunTracker implements RunTracker {
  readonly runId: string;
  readonly localDir: string;
  private stopped = false;
  private ended = false;
  private loopDone: Promise<void> = Promise.resolve();
  private wakeUp?: () => void;
  private readonly abort = new AbortController();
  private sinceKick = 0;
  private unreachable = false;
  private logged = new Set<string>();
  private announced = false;
  private lastYield = performance.now();

  constructor(
    private readonly tracker: MlflowTracker,
    readonly local: LocalRunTracker,
    readonly deliverer: RunDeliverer,
  ) {
    this.runId = local.runId;
    this.localDir = local.localDir;
  }

  /** The MLflow run id, once the run exists on the server. */
  get mlflowRunId(): string | undefined {
    return this.deliverer.mlflowRunId;
  }

  /** @internal */
  logOnce(line: string): void {
    if (this.logged.has(line)) return;
    this.logged.add(line);
    this.tracker.log(line);
  }

  async logParams(params: Readonly<Record<string, string>>): Promise<void> {
    await this.local.logParams(params);
    this.kick();
  }

  async setTags(tags: Readonly<Record<string, string>>): Promise<void> {
    await this.local.setTags(tags);
    this.kick();
  }

  async logMetrics(points: readonly MetricPoint[]): Promise<void> {
    await this.local.logMetrics(points);
    this.sinceKick += points.length;
    if (this.sinceKick >= this.tracker.settings.kickEvery) this.kick();
    const now = performance.now();
    if (now - this.lastYield >= this.tracker.settings.yieldEveryMs) {
      this.lastYield = now;
      await new Promise<void>((r) => setImmediate(r));
    }
  }

  async logArtifact(relPath: string, data: Uint8Array | string): Promise<void> {
    await this.local.logArtifact(relPath, data);
    // Artifacts go up at the end; one logged after end() gets its own bounded delivery.
    if (this.ended) void this.tracker.trackFinal(this.finalDelivery(this.tracker.settings.endTimeoutMs));
  }

  /** Makes the spool durable (no network wait) and lets pending network I/O progress. */
  async flush(): Promise<void> {
    await this.local.flush();
    this.kick();
    await new Promise<void>((r) => setImmediate(r));
  }

  async end(status: Exclude<RunStatus, 'RUNNING'>, error?: string): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.local.end(status, error);
    await this.stopBackground();
    await this.tracker.trackFinal(this.finalDelivery(this.tracker.settings.endTimeoutMs));
    releaseLock(this.localDir);
    // local.end may have moved the parent's status (LocalRunStore.followChildren); MLflow follows.
    await this.tracker.deliverFollowedParent(this.tracker.store.readMeta(this.runId).parentRunId);
    this.tracker.onRunEnded(this);
  }

  /** @internal Stops background delivery without ending the run (tracker.close()). */
  async detach(): Promise<void> {
    if (this.ended) return;
    await this.stopBackground();
    await this.finalDelivery(this.tracker.settings.unreachableEndTimeoutMs);
    releaseLock(this.localDir);
    this.tracker.onRunEnded(this);
  }

  private announce(): void {
    if (this.announced || !this.deliverer.runUrl) return;
    this.announced = true;
    this.tracker.log(`run ${this.runId} → ${this.deliverer.runUrl}`);
  }

  // ------------------------------------------------------------------ background

  /** @internal */
  startBackground(): void {
    this.loopDone = this.loop();
  }

  private kick(): void {
    this.sinceKick = 0;
    this.wakeUp?.();
  }

  private wait(ms: number, wakeable: boolean): Promise<void> {
    return new Promise((resolvePromise) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolvePromise();
      };
      const timer = setTimeout(done, ms);
      timer.unref?.();
      // stop() must always be able to interrupt the wait
      this.wakeUp = wakeable ? done : () => (this.stopped ? done() : undefined);
    });
  }

  private async loop(): Promise<void> {
    let failures = 0;
    let delay = 0;
    let wakeable = true;
    while (!this.stopped) {
      if (delay > 0) await this.wait(delay, wakeable);
      if (this.stopped) break;
      this.sinceKick = 0;
      try {
        await this.deliverer.pass({ artifacts: false, signal: this.abort.signal, maxRetries: 2 });
        this.announce();
        if (failures > 0 || this.unreachable) this.tracker.reportSuccess();
        failures = 0;
        this.unreachable = false;
        delay = this.tracker.settings.deliveryIntervalMs;
        wakeable = true;
      } catch (error) {
        if (this.stopped) break;
        failures++;
        this.unreachable = isMlflowError(error) && error.httpStatus === 0;
        this.tracker.reportFailure(error, this);
        const base = Math.min(this.tracker.settings.maxRetryIntervalMs, 500 * 2 ** Math.min(failures, 16));
        delay = base / 2 + Math.random() * (base / 2);
        wakeable = false;
      }
    }
  }

  private async stopBackground(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    this.wakeUp?.();
    await this.loopDone;
  }

  /**
   * Delivers everything, artifacts and final status included, for at most `budgetMs` — or for
   * `unreachableEndTimeoutMs` once the server proves unreachable (no HTTP answer at all).
   */
  private async finalDelivery(budgetMs: number): Promise<void> {
    const short = this.tracker.settings.unreachableEndTimeoutMs;
    const controller = new AbortController();
    const start = Date.now();
    const down = this.unreachable || this.tracker.isFailing;
    let deadline = start + (down ? Math.min(short, budgetMs) : budgetMs);
    // Our loop retries until the deadline; per request only a couple of quick retries (none if down).
    let maxRetries = down ? 0 : 2;
    let timer = setTimeout(() => controller.abort(), deadline - start);
    const shorten = () => {
      maxRetries = 0;
      const next = Math.min(deadline, Date.now() + short);
      if (next >= deadline) return;
      deadline = next;
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(), Math.max(0, deadline - Date.now()));
    };
    const signal = controller.signal;
    let wait = 200;
    let lastError: unknown;
    try {
      for (;;) {
        try {
          await this.deliverer.pass({ artifacts: true, signal, maxRetries });
          this.announce();
          lastError = undefined;
          if (this.ended ? this.deliverer.isComplete() : this.deliverer.pending().metricLines === 0) break;
        } catch (error) {
          lastError = error;
          if (isMlflowError(error) && !error.retryable) break;
          if (isMlflowError(error) && (error.errorCode === 'CONNECTION_ERROR' || error.errorCode === 'TIMEOUT')) shorten();
        }
        if (signal.aborted) break;
        try {
          await abortableSleep(wait, signal);
        } catch {
          break;
        }
        wait = Math.min(wait * 2, 2000);
      }
    } finally {
      clearTimeout(timer);
    }
    if (this.ended && !this.deliverer.isComplete()) {
      const why = lastError ? ` (${(lastError as Error).message})` : '';
      this.tracker.log(
        `run ${this.runId} is not fully in MLflow yet${why}: ${this.deliverer.describePending()} spooled in ${this.localDir}. ` +
          `Deliver it when the server is reachable: MLFLOW_TRACKING_URI=${this.tracker.location} anneal mlflow sync ${this.runId}`,
      );
    }
  }
}
