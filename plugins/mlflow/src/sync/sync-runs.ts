import { AnnealError, LocalRunStore, resolveAnnealHome, type RunMeta, type RunStatus } from '@anneal/core';
import { MlflowClient } from '../client/mlflow-client.js';
import { isMlflowError } from '../client/errors.js';
import { mlflowConfigFromEnv, secretsOf, type MlflowEnvConfig } from '../config/env-config.js';
import { DeliverySession } from '../spool/delivery-session.js';
import type { DeliveryStats } from '../spool/run-deliverer.js';
import { lockHolder } from '../spool/sync-state.js';
import { defaultLog, type MlflowTracker } from '../tracker/mlflow-tracker.js';

export interface MlflowConnectionOptions {
  /** Environment to read (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** The MLflow settings (default: read from `env`). */
  readonly config?: MlflowEnvConfig;
  readonly client?: MlflowClient;
  /** The local run store (default: ANNEAL_HOME or ./.anneal). */
  readonly store?: LocalRunStore;
  /** Progress and warnings (default: stderr with "[mlflow] "). */
  readonly log?: (line: string) => void;
  /** Reuse this tracker's client, store and deliveries (e.g. `--register-model` right after a run). */
  readonly tracker?: MlflowTracker;
}

export interface SyncOptions extends MlflowConnectionOptions {
  /** Local run ids (or unique prefixes). Empty: every run not yet fully delivered to this server. */
  readonly runIds?: readonly string[];
  readonly signal?: AbortSignal;
}

export interface SyncRunResult {
  readonly runId: string;
  readonly runName: string;
  readonly status: RunStatus;
  readonly mlflowRunId?: string;
  readonly url?: string;
  /** True when the server now holds everything of the run, final status included. */
  readonly complete: boolean;
  readonly sent: DeliveryStats;
  /** Why the run was not attempted (e.g. another process is delivering it). */
  readonly skipped?: string;
  readonly error?: string;
  /** What is still only local. */
  readonly pending?: string;
}

export interface SyncReport {
  readonly trackingUri: string;
  readonly runs: SyncRunResult[];
  /** No run failed (skipped runs and still-RUNNING runs do not count as failures). */
  readonly ok: boolean;
}

/** @internal Resolves config, client and store from the options. */
export function connect(options: MlflowConnectionOptions): { config: MlflowEnvConfig; client: MlflowClient; store: LocalRunStore; session: DeliverySession; log: (line: string) => void } {
  if (options.tracker) {
    const t = options.tracker;
    return { config: t.config, client: t.client, store: t.store, session: t.session, log: (line) => t.log(line) };
  }
  const env = options.env ?? process.env;
  const config = options.config ?? mlflowConfigFromEnv(env);
  if (!config) {
    throw new AnnealError(
      'ANNEAL_ERR_TRACKING_URI',
      'MLFLOW_TRACKING_URI is not set. Point it at an MLflow server, e.g. export MLFLOW_TRACKING_URI=http://127.0.0.1:5000 (start one with `anneal mlflow up`).',
    );
  }
  const client = options.client ?? MlflowClient.fromConfig(config);
  const store = options.store ?? new LocalRunStore(resolveAnnealHome(env));
  const log = options.log ?? defaultLog;
  const live = options.client ? undefined : DeliverySession.live(config.trackingUri, store.home);
  if (live) return { config, client: live.client, store: live.store, session: live, log };
  const session = new DeliverySession({ client, store, secrets: secretsOf(config.credentials), log, experimentId: config.experimentId, experimentName: config.experimentName });
  return { config, client, store, session, log };
}

/** Orders runs so that every parent comes before its children (then by start time). */
function parentsFirst(metas: RunMeta[]): RunMeta[] {
  const byId = new Map(metas.map((m) => [m.runId, m]));
  const out: RunMeta[] = [];
  const seen = new Set<string>();
  const visit = (m: RunMeta, depth: number) => {
    if (seen.has(m.runId) || depth > 100) return;
    const parent = m.parentRunId ? byId.get(m.parentRunId) : undefined;
    if (parent) visit(parent, depth + 1);
    seen.add(m.runId);
    out.push(m);
  };
  for (const m of [...metas].sort((a, b) => a.startTime - b.startTime)) visit(m, 0);
  return out;
}

/**
 * Replays the spool of the given runs (or of every run not yet fully delivered) to the MLflow
 * server. Idempotent: a second sync creates no duplicate runs, params or metric rows. Parents are
 * delivered before their children (mlflow.parentRunId). Runs another live process is delivering
 * are skipped.
 */
export async function syncRuns(options: SyncOptions = {}): Promise<SyncReport> {
  const { client, store, session, log } = connect(options);
  const explicit = options.runIds && options.runIds.length > 0;
  const ids = explicit ? options.runIds!.map((id) => store.resolveRunId(id)) : store.listRuns().map((m) => m.runId);
  const metas = parentsFirst(ids.map((id) => store.readMeta(id)));
  const results: SyncRunResult[] = [];
  let ok = true;
  for (const meta of metas) {
    const runDir = store.runDir(meta.runId);
    const holder = lockHolder(runDir);
    const deliverer = session.deliverer(meta.runId);
    const base = { runId: meta.runId, runName: meta.runName, status: meta.status };
    if (holder !== undefined && holder !== process.pid) {
      results.push({ ...base, complete: false, sent: { ...deliverer.stats }, skipped: `process ${holder} is delivering it` });
      continue;
    }
    if (!explicit && deliverer.isComplete(meta)) continue;
    if (options.signal?.aborted) break;
    try {
      await deliverer.pass({ artifacts: true, signal: options.signal });
      const complete = deliverer.isComplete();
      results.push({
        ...base,
        mlflowRunId: deliverer.mlflowRunId,
        url: deliverer.runUrl,
        complete,
        sent: { ...deliverer.stats },
        pending: complete ? undefined : deliverer.describePending(),
      });
    } catch (error) {
      ok = false;
      const message = isMlflowError(error) || error instanceof AnnealError ? error.message : String(error);
      log(`sync of run ${meta.runId} failed: ${message}`);
      results.push({
        ...base,
        mlflowRunId: deliverer.mlflowRunId,
        url: deliverer.runUrl,
        complete: false,
        sent: { ...deliverer.stats },
        error: message,
        pending: deliverer.describePending(),
      });
    }
  }
  return { trackingUri: client.trackingUri, runs: results, ok };
}
