import { RUN_ID_TAG, currentUser, sourceName } from './run-tags.js';
import { MetricSpool } from './metric-spool.js';
import { ArtifactSpool } from './artifact-spool.js';
import { ParamTagSpool } from './param-tag-spool.js';
import { join } from 'node:path';
import type { LocalRunStore, RunMeta, RunStatus } from '@anneal/core';
import type { CallOptions, MlflowClient } from '../client/mlflow-client.js';
import { isMlflowError } from '../client/errors.js';
import type { KeyValue, Run } from '../client/types.js';
import { LIMITS, truncateValue } from './limits.js';
import { emptyTarget, readTargetState, writeTargetState, type TargetState } from './sync-state.js';

/** The tag that ties an MLflow run to its local run (used to find a run whose create timed out). */
export { RUN_ID_TAG, TRUNCATED_TAG, RENAMED_TAG, currentUser } from './run-tags.js';

/** What a delivery needs from its surroundings (the live tracker or `anneal mlflow sync`). */
export interface DeliveryContext {
  readonly client: MlflowClient;
  readonly store: LocalRunStore;
  /** Tracking URI without credentials; the key of the run's entry in mlflow-sync.json. */
  readonly trackingUri: string;
  /** Values never to send (credentials); replaced by '***' in params, tags, text artifacts and logs. */
  readonly secrets: readonly string[];
  log(line: string): void;
  /** The experiment for a run that has none yet (env MLFLOW_EXPERIMENT_ID / _NAME, else the recipe name). */
  resolveExperiment(meta: RunMeta, opts: CallOptions): Promise<string>;
  /** The MLflow run (and experiment) of a local parent run, creating it first when needed. */
  resolveParent(localParentId: string, opts: CallOptions): Promise<{ runId: string; experimentId: string } | undefined>;
}

/** Counts of what one pass (or a whole session) sent. */
export interface DeliveryStats {
  metrics: number;
  params: number;
  tags: number;
  artifacts: number;
  statusUpdates: number;
  skippedMetricLines: number;
}

export interface Pending {
  readonly runCreated: boolean;
  readonly metricLines: number;
  readonly params: number;
  readonly tags: number;
  readonly artifacts: number;
  readonly status: boolean;
}

export interface PassOptions extends CallOptions {
  /** Also upload artifacts (at the end of a run and in sync; not during training). */
  readonly artifacts: boolean;
}

/**
 * Delivers one local run (the spool in `<home>/runs/<id>/`) to one MLflow server. Every step reads
 * the local files, sends what the server has not acknowledged yet, and records the progress in
 * mlflow-sync.json only after the acknowledgement. Sending twice is harmless: the run is looked up
 * by its anneal.run_id tag before any create, params are re-sent with the same values (no-ops),
 * tags overwrite, and the server drops exact duplicate metric rows.
 */
export class RunDeliverer {
  readonly runDir: string;
  private state: TargetState;
  /** Byte offset in metrics.jsonl of line `state.metricLinesDelivered`; computed lazily. */
  private verified = false;
  private ensuring?: Promise<void>;
  private passing: Promise<void> = Promise.resolve();
  private warned = new Set<string>();
  private readonly metricSpool: MetricSpool;
  private readonly paramTagSpool: ParamTagSpool;
  private readonly artifactSpool: ArtifactSpool;
  readonly stats: DeliveryStats = { metrics: 0, params: 0, tags: 0, artifacts: 0, statusUpdates: 0, skippedMetricLines: 0 };

  constructor(
    private readonly ctx: DeliveryContext,
    readonly localRunId: string,
    private options: { attachRunId?: string; beforePass?: () => Promise<void> } = {},
  ) {
    this.runDir = ctx.store.runDir(localRunId);
    this.state = readTargetState(this.runDir, ctx.trackingUri);
    this.metricSpool = new MetricSpool({
      path: join(this.runDir, 'metrics.jsonl'),
      localRunId,
      client: ctx.client,
      log: (line) => ctx.log(line),
      warnOnce: (key, line) => this.warnOnce(key, line),
      stats: this.stats,
      state: () => this.state,
      save: () => this.save(),
    });
    const shared = { store: ctx.store, localRunId, client: ctx.client, secrets: ctx.secrets, log: (line: string) => ctx.log(line), stats: this.stats, state: () => this.state, save: () => this.save() };
    this.paramTagSpool = new ParamTagSpool({ ...shared, attached: () => Boolean(this.options.attachRunId || this.state.attached) });
    this.artifactSpool = new ArtifactSpool(shared);
  }

  /** @internal A live tracker (re)attaches: its local buffer is flushed before each pass. */
  configure(options: { attachRunId?: string; beforePass?: () => Promise<void> }): void {
    this.options = { ...this.options, ...options };
  }

  get mlflowRunId(): string | undefined {
    return this.state.mlflowRunId;
  }
  get experimentId(): string | undefined {
    return this.state.experimentId;
  }
  get artifactUri(): string | undefined {
    return this.state.artifactUri;
  }
  /** A link to the run in the MLflow UI (once it exists). */
  get runUrl(): string | undefined {
    return this.state.mlflowRunId && this.state.experimentId ? `${this.ctx.trackingUri}/#/experiments/${this.state.experimentId}/runs/${this.state.mlflowRunId}` : undefined;
  }
  get target(): Readonly<TargetState> {
    return this.state;
  }

  private save(): void {
    writeTargetState(this.runDir, this.state);
  }

  private warnOnce(key: string, line: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.ctx.log(line);
  }

  // ------------------------------------------------------------------ run

  /** Makes sure the MLflow run exists (found by id, by anneal.run_id tag, or created). */
  ensureRun(opts: CallOptions): Promise<void> {
    if (this.verified && this.state.mlflowRunId) return Promise.resolve();
    if (!this.ensuring) {
      this.ensuring = this.doEnsureRun(opts).finally(() => {
        this.ensuring = undefined;
      });
    }
    return this.ensuring;
  }

  private adopt(run: Run, experimentName?: string): void {
    const changed = this.state.mlflowRunId !== run.info.run_id;
    this.state.mlflowRunId = run.info.run_id;
    this.state.experimentId = run.info.experiment_id;
    if (experimentName) this.state.experimentName = experimentName;
    this.state.artifactUri = run.info.artifact_uri;
    if (changed) this.state.statusDelivered = run.info.status === 'SCHEDULED' ? 'RUNNING' : run.info.status;
    this.verified = true;
    this.save();
  }

  private async doEnsureRun(opts: CallOptions): Promise<void> {
    const meta = this.ctx.store.readMeta(this.localRunId);
    if (this.state.mlflowRunId) {
      try {
        const run = await this.ctx.client.getRun(this.state.mlflowRunId, opts);
        if (run.info.lifecycle_stage === 'deleted') {
          await this.ctx.client.call('POST', 'runs/restore', { run_id: run.info.run_id }, opts);
          this.ctx.log(`MLflow run ${run.info.run_id} (local ${this.localRunId}) had been deleted; restored it to deliver the rest.`);
        }
        this.state.artifactUri = run.info.artifact_uri;
        this.state.experimentId = run.info.experiment_id;
        this.verified = true;
        return;
      } catch (error) {
        if (!isMlflowError(error, 'RESOURCE_DOES_NOT_EXIST')) throw error;
        this.ctx.log(`MLflow run ${this.state.mlflowRunId} recorded for local run ${this.localRunId} is not on ${this.ctx.trackingUri} (new database?); delivering the run again from the start.`);
        this.state = emptyTarget(this.ctx.trackingUri);
        this.metricSpool.forgetOffset();
      }
    }
    if (this.options.attachRunId) {
      const run = await this.ctx.client.getRun(this.options.attachRunId, opts);
      this.state.attached = true;
      this.adopt(run);
      return;
    }
    let parent: { runId: string; experimentId: string } | undefined;
    if (meta.parentRunId) {
      parent = await this.ctx.resolveParent(meta.parentRunId, opts);
      if (!parent) this.warnOnce('parent', `parent run ${meta.parentRunId} of ${this.localRunId} is not in the local store; delivering it as a top-level run.`);
    }
    const experimentId = parent?.experimentId ?? this.state.experimentId ?? (await this.ctx.resolveExperiment(meta, opts));
    if (this.state.experimentId !== experimentId) {
      this.state.experimentId = experimentId;
      this.save();
    }
    const existing = await this.findByTag(experimentId, opts);
    if (existing) {
      if (existing.info.lifecycle_stage === 'deleted') {
        await this.ctx.client.call('POST', 'runs/restore', { run_id: existing.info.run_id }, opts);
        this.ctx.log(`MLflow run ${existing.info.run_id} (local ${this.localRunId}) had been deleted; restored it to deliver the rest.`);
      }
      this.adopt(existing);
      return;
    }
    const tags: KeyValue[] = [
      { key: RUN_ID_TAG, value: this.localRunId },
      { key: 'mlflow.runName', value: truncateValue(meta.runName, LIMITS.maxTagValueLength).value },
      { key: 'mlflow.user', value: currentUser() },
      { key: 'mlflow.source.type', value: 'LOCAL' },
      { key: 'mlflow.source.name', value: sourceName(meta) },
      ...(parent ? [{ key: 'mlflow.parentRunId', value: parent.runId }] : []),
    ];
    // Sent once: a retried create could duplicate the run. On failure the next pass searches first.
    const run = await this.ctx.client.createRun({ experimentId, runName: meta.runName, startTime: meta.startTime, tags }, { ...opts, maxRetries: 0 });
    for (const t of tags) this.state.tags[t.key] = t.value;
    this.adopt(run);
  }

  private async findByTag(experimentId: string, opts: CallOptions): Promise<Run | undefined> {
    const { runs } = await this.ctx.client.searchRuns(
      { experimentIds: [experimentId], filter: `tags.\`${RUN_ID_TAG}\` = '${this.localRunId}'`, runViewType: 'ALL', maxResults: 10, orderBy: ['attributes.start_time ASC'] },
      opts,
    );
    if (runs.length > 1) this.warnOnce('dupes', `local run ${this.localRunId} has ${runs.length} MLflow runs in experiment ${experimentId}; using the oldest (${runs[0].info.run_id}).`);
    return runs[0];
  }

  // ------------------------------------------------------------------ status

  private async deliverStatus(meta: RunMeta, opts: CallOptions): Promise<void> {
    const wantEnd = meta.status === 'RUNNING' ? undefined : meta.endTime;
    if (this.state.statusDelivered === meta.status && (meta.status === 'RUNNING' || this.state.endTimeDelivered === wantEnd)) return;
    await this.ctx.client.updateRun({ runId: this.state.mlflowRunId!, status: meta.status, endTime: wantEnd }, opts);
    this.state.statusDelivered = meta.status;
    this.state.endTimeDelivered = wantEnd;
    this.stats.statusUpdates++;
    this.save();
  }

  // ------------------------------------------------------------------ pass

  /**
   * Sends everything spooled so far: run, params and tags, metrics, artifacts (when asked), then the
   * status (only after the rest, so FINISHED means complete). Throws MlflowApiError on a failure that
   * a later pass may overcome; what was acknowledged stays recorded.
   */
  pass(opts: PassOptions): Promise<void> {
    // One pass at a time per run: concurrent passes would both send (harmless) and both advance
    // the delivered-line count (not harmless).
    const next = this.passing.then(
      () => this.doPass(opts),
      () => this.doPass(opts),
    );
    this.passing = next.catch(() => undefined);
    return next;
  }

  private async doPass(opts: PassOptions): Promise<void> {
    await this.options.beforePass?.();
    await this.ensureRun(opts);
    const meta = this.ctx.store.readMeta(this.localRunId);
    const parentRunId = meta.parentRunId ? (await this.ctx.resolveParent(meta.parentRunId, opts))?.runId : undefined;
    await this.paramTagSpool.deliver(meta, parentRunId, opts);
    const drained = await this.metricSpool.deliver(opts);
    // The status goes last, and only once everything else is there: FINISHED means complete.
    if (meta.status === 'RUNNING') {
      // (Re)started run, or a run attached through MLFLOW_RUN_ID: mark it RUNNING right away.
      if (this.state.statusDelivered !== 'RUNNING') await this.deliverStatus(meta, opts);
      if (drained && opts.artifacts) await this.artifactSpool.deliver(opts);
      return;
    }
    if (!drained || !opts.artifacts) return;
    await this.artifactSpool.deliver(opts);
    const done = this.pending(meta);
    if (done.metricLines === 0 && done.params === 0 && done.tags === 0 && done.artifacts === 0) await this.deliverStatus(meta, opts);
  }

  /** What is spooled but not yet acknowledged by the server. */
  pending(meta: RunMeta = this.ctx.store.readMeta(this.localRunId), includeArtifacts = true): Pending {
    const counts = this.paramTagSpool.pendingCounts(meta, meta.parentRunId ? this.state.tags['mlflow.parentRunId'] : undefined);
    return {
      runCreated: this.state.mlflowRunId !== undefined,
      metricLines: this.metricSpool.pendingLines(),
      params: counts.params,
      tags: counts.tags,
      artifacts: includeArtifacts ? this.artifactSpool.pendingCount() : 0,
      status: this.state.statusDelivered !== meta.status || (meta.status !== 'RUNNING' && this.state.endTimeDelivered !== meta.endTime),
    };
  }

  /** True when the server holds everything the spool has (including the final status). */
  isComplete(meta: RunMeta = this.ctx.store.readMeta(this.localRunId)): boolean {
    if (meta.status === 'RUNNING') return false;
    const p = this.pending(meta);
    return p.runCreated && p.metricLines === 0 && p.params === 0 && p.tags === 0 && p.artifacts === 0 && !p.status;
  }

  describePending(meta?: RunMeta): string {
    const p = this.pending(meta);
    const parts: string[] = [];
    if (!p.runCreated) parts.push('run not created');
    if (p.metricLines) parts.push(`${p.metricLines} metric lines`);
    if (p.params) parts.push(`${p.params} params`);
    if (p.tags) parts.push(`${p.tags} tags`);
    if (p.artifacts) parts.push(`${p.artifacts} artifacts`);
    if (p.status) parts.push('final status');
    if (this.artifactSpool.unsupportedReason) parts.push('artifacts (not proxied by the server)');
    return parts.join(', ') || 'nothing';
  }
}

export type { RunStatus };
