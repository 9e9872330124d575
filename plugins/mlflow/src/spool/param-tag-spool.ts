import type { LocalRunStore, RunMeta } from '@anneal/core';
import type { CallOptions, MlflowClient } from '../client/mlflow-client.js';
import { isMlflowError } from '../client/errors.js';
import type { KeyValue } from '../client/types.js';
import { redact } from '../config/env-config.js';
import { LIMITS, prepareEntries, splitBatches } from './limits.js';
import { runTags } from './run-tags.js';
import type { TargetState } from './sync-state.js';

export interface ParamTagSpoolContext {
  readonly store: LocalRunStore;
  readonly localRunId: string;
  readonly client: MlflowClient;
  readonly secrets: readonly string[];
  log(line: string): void;
  readonly stats: { params: number; tags: number };
  /** The delivery state (params and tags sent, refused params), shared with the run's deliverer. */
  state(): TargetState;
  save(): void;
  /** A run attached through MLFLOW_RUN_ID keeps its own name. */
  attached(): boolean;
}

/**
 * The params-and-tags half of a run's delivery. Params are immutable in MLflow: a value changed after
 * it was sent is kept as first sent and noted once; a param the server refuses is recorded as refused
 * and not sent again. Tags overwrite. Batches are sent whole, and one by one after a permanent refusal.
 */
export class ParamTagSpool {
  constructor(private readonly ctx: ParamTagSpoolContext) {}

  /** Params and tags as they are sent (limits applied, credentials redacted). */
  desired(meta: RunMeta, parentRunId: string | undefined): { params: Record<string, string>; tags: Record<string, string> } {
    const redactFn = (s: string) => redact(s, this.ctx.secrets);
    const params = prepareEntries(this.ctx.store.readParams(this.ctx.localRunId), LIMITS.maxParamValueLength, redactFn);
    const rawTags = runTags({ meta, localRunId: this.ctx.localRunId, userTags: this.ctx.store.readTags(this.ctx.localRunId), truncated: params.truncated, renamed: params.renamed, parentRunId, attached: this.ctx.attached() });
    const tags = prepareEntries(rawTags, LIMITS.maxTagValueLength, (s) => s);
    const tagEntries = Object.fromEntries(Object.entries(tags.entries).map(([k, v]) => [k, k === 'mlflow.user' ? v : redactFn(v)]));
    return { params: params.entries, tags: tagEntries };
  }

  /** How many params and tags are not yet acknowledged (refused params do not count). */
  pendingCounts(meta: RunMeta, parentRunId: string | undefined): { params: number; tags: number } {
    const state = this.ctx.state();
    const desired = this.desired(meta, parentRunId);
    return {
      params: Object.entries(desired.params).filter(([k, v]) => state.params[k] !== v && state.rejected?.[k] === undefined).length,
      tags: Object.entries(desired.tags).filter(([k, v]) => state.tags[k] !== v).length,
    };
  }

  /** The params not yet sent; a value that changed after it was sent is noted (once) and left out. */
  private newParams(entries: Record<string, string>): KeyValue[] {
    const state = this.ctx.state();
    const rejected = (state.rejected ??= {});
    const out: KeyValue[] = [];
    for (const [key, value] of Object.entries(entries)) {
      const sent = state.params[key];
      if (sent === value) continue;
      if (sent !== undefined) {
        if (rejected[key] === undefined) {
          rejected[key] = 'value changed after it was logged (MLflow params are immutable)';
          this.ctx.log(`param '${key}' of run ${this.ctx.localRunId} changed after it was sent to MLflow; MLflow params are immutable, keeping the first value there.`);
          this.ctx.save();
        }
        continue;
      }
      if (rejected[key] !== undefined) continue;
      out.push({ key, value });
    }
    return out;
  }

  async deliver(meta: RunMeta, parentRunId: string | undefined, opts: CallOptions): Promise<void> {
    const desired = this.desired(meta, parentRunId);
    const state = this.ctx.state();
    const newParams = this.newParams(desired.params);
    const newTags: KeyValue[] = Object.entries(desired.tags)
      .filter(([k, v]) => state.tags[k] !== v)
      .map(([key, value]) => ({ key, value }));
    for (const batch of splitBatches({ params: newParams, tags: newTags })) {
      try {
        await this.ctx.client.logBatch({ runId: state.mlflowRunId!, params: batch.params, tags: batch.tags }, opts);
        for (const p of batch.params) state.params[p.key] = p.value;
        for (const t of batch.tags) state.tags[t.key] = t.value;
        this.ctx.stats.params += batch.params.length;
        this.ctx.stats.tags += batch.tags.length;
        this.ctx.save();
      } catch (error) {
        if (!isMlflowError(error) || error.retryable) throw error;
        await this.deliverOneByOne(batch.params, batch.tags, opts);
      }
    }
  }

  /** After a permanent refusal of a batch: send each entry alone and skip the refused ones. */
  private async deliverOneByOne(params: readonly KeyValue[], tags: readonly KeyValue[], opts: CallOptions): Promise<void> {
    const state = this.ctx.state();
    const rejected = (state.rejected ??= {});
    for (const p of params) {
      try {
        await this.ctx.client.logParam(state.mlflowRunId!, p.key, p.value, opts);
        state.params[p.key] = p.value;
        this.ctx.stats.params++;
      } catch (e) {
        if (!isMlflowError(e) || e.retryable) throw e;
        rejected[p.key] = e.serverMessage.slice(0, 300);
        this.ctx.log(`MLflow refused param '${p.key}' of run ${this.ctx.localRunId}: ${e.errorCode} ${e.serverMessage.slice(0, 200)}`);
      }
    }
    for (const t of tags) {
      try {
        await this.ctx.client.setTag(state.mlflowRunId!, t.key, t.value, opts);
        state.tags[t.key] = t.value;
        this.ctx.stats.tags++;
      } catch (e) {
        if (!isMlflowError(e) || e.retryable) throw e;
        state.tags[t.key] = t.value;
        this.ctx.log(`MLflow refused tag '${t.key}' of run ${this.ctx.localRunId}: ${e.errorCode} ${e.serverMessage.slice(0, 200)}`);
      }
    }
    this.ctx.save();
  }
}
