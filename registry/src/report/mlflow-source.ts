import { AnnealError, type Recipe, type RunStatus } from '@anneal/core';
import * as mlflow from '@anneal/tracker-mlflow';
import { SWEEP_MANIFEST, type SweepManifest } from './sweep-manifest.js';
import { parseFinal, recipeBudget } from './local-source.js';
import type { Curve, ReportRun, RunSource, SweepRef } from './report-run.js';

/** The wire shapes this source reads (a subset of MLflow's REST types). */
interface WireRun {
  info: { run_id: string; experiment_id: string; status: string; start_time?: number; end_time?: number; artifact_uri?: string };
  data?: { metrics?: { key: string; value: number | string; step?: number }[]; tags?: { key: string; value: string }[] };
}

/** The part of @anneal/tracker-mlflow's MlflowClient used here. */
export interface MlflowSearchClient {
  readonly trackingUri: string;
  searchExperiments(args?: { maxResults?: number; pageToken?: string }): Promise<{ experiments: { experiment_id: string }[]; nextPageToken?: string }>;
  getExperimentByName(name: string): Promise<{ experiment_id: string } | undefined>;
  searchRuns(args: { experimentIds: readonly string[]; filter?: string; maxResults?: number; pageToken?: string; orderBy?: readonly string[] }): Promise<{ runs: WireRun[]; nextPageToken?: string }>;
  getMetricHistory(runId: string, key: string): Promise<{ key: string; value: number | string; step?: number }[]>;
  downloadArtifact(artifactUri: string, relPath: string): Promise<Buffer>;
}

/**
 * The MLflow client from @anneal/tracker-mlflow for this environment, or undefined when
 * MLFLOW_TRACKING_URI is not set (or the package has no client in this build).
 */
export function mlflowClientFromEnv(env: NodeJS.ProcessEnv): MlflowSearchClient | undefined {
  const mod = mlflow as Record<string, unknown>;
  const configFromEnv = mod.mlflowConfigFromEnv as ((env: NodeJS.ProcessEnv) => unknown) | undefined;
  const Client = mod.MlflowClient as { fromConfig?(config: unknown): MlflowSearchClient } | undefined;
  if (!configFromEnv || !Client?.fromConfig) return undefined;
  const config = configFromEnv(env);
  if (!config) return undefined;
  return Client.fromConfig(config);
}

const quote = (s: string) => `'${s.replace(/'/g, "\\'")}'`;

/** Runs read from an MLflow tracking server via runs/search (the tags anneal's MLflow tracker writes). */
export class MlflowRunSource implements RunSource {
  readonly kind = 'mlflow' as const;
  private experimentIds?: string[];
  constructor(
    private readonly client: MlflowSearchClient,
    private readonly options: { experimentId?: string; experimentName?: string } = {},
  ) {}

  get location(): string {
    return this.client.trackingUri;
  }

  private async experiments(): Promise<string[]> {
    if (this.experimentIds) return this.experimentIds;
    if (this.options.experimentId) return (this.experimentIds = [this.options.experimentId]);
    if (this.options.experimentName) {
      const e = await this.client.getExperimentByName(this.options.experimentName);
      if (!e) throw new AnnealError('ANNEAL_ERR_RUN_UNKNOWN', `MLflow experiment '${this.options.experimentName}' (MLFLOW_EXPERIMENT_NAME) does not exist on ${this.location}.`);
      return (this.experimentIds = [e.experiment_id]);
    }
    const ids: string[] = [];
    let pageToken: string | undefined;
    do {
      const r = await this.client.searchExperiments({ maxResults: 1000, pageToken });
      ids.push(...r.experiments.map((e) => e.experiment_id));
      pageToken = r.nextPageToken;
    } while (pageToken);
    return (this.experimentIds = ids);
  }

  private async search(filter: string, experimentIds?: readonly string[]): Promise<WireRun[]> {
    const ids = experimentIds ?? (await this.experiments());
    if (ids.length === 0) return [];
    const out: WireRun[] = [];
    let pageToken: string | undefined;
    do {
      const r = await this.client.searchRuns({ experimentIds: ids, filter, maxResults: 1000, pageToken, orderBy: ['attributes.start_time ASC'] });
      out.push(...r.runs);
      pageToken = r.nextPageToken;
    } while (pageToken);
    return out;
  }

  async recipeRuns(recipe: string): Promise<ReportRun[]> {
    const runs = await this.search(`tags.recipe = ${quote(recipe)}`);
    return this.toReportRuns(runs.filter((r) => tagsOf(r)['anneal.trial_id']));
  }

  async findSweep(idOrPrefix: string): Promise<SweepRef | undefined> {
    const filter = /^[0-9a-f]{32}$/.test(idOrPrefix) ? `tags.\`anneal.run_id\` = ${quote(idOrPrefix)}` : `tags.\`anneal.run_id\` LIKE ${quote(`${idOrPrefix}%`)}`;
    const found = idOrPrefix.length >= 4 ? await this.search(filter) : [];
    if (found.length > 1 && new Set(found.map((r) => tagsOf(r)['anneal.run_id'])).size > 1) {
      throw new AnnealError('ANNEAL_ERR_RUN_UNKNOWN', `run id prefix '${idOrPrefix}' matches ${found.length} runs on ${this.location}; give more characters.`);
    }
    const run = found[0];
    if (!run) return undefined;
    const tags = tagsOf(run);
    let manifest: SweepManifest | undefined;
    if (tags['anneal.kind'] === 'sweep' && run.info.artifact_uri) {
      try {
        manifest = JSON.parse((await this.client.downloadArtifact(run.info.artifact_uri, SWEEP_MANIFEST)).toString('utf8')) as SweepManifest;
      } catch {
        manifest = undefined;
      }
    }
    return {
      runId: tags['anneal.run_id'] ?? run.info.run_id,
      mlflowRunId: run.info.run_id,
      recipe: tags.recipe ?? '',
      status: run.info.status as RunStatus,
      quick: tags['anneal.quick'] === 'true',
      kind: tags['anneal.kind'] ?? (tags['anneal.trial_id'] ? 'trial' : 'run'),
      recipeFacts: manifest?.recipe,
      trialIds: manifest?.trials.map((t) => t.id) ?? (tags['anneal.trial_ids'] ? tags['anneal.trial_ids'].split(',') : undefined),
    };
  }

  async children(sweep: SweepRef): Promise<ReportRun[]> {
    if (!sweep.mlflowRunId) return [];
    const runs = await this.search(`tags.\`mlflow.parentRunId\` = ${quote(sweep.mlflowRunId)}`);
    return this.toReportRuns(runs.filter((r) => tagsOf(r)['anneal.trial_id']));
  }

  async curves(run: ReportRun, keys: readonly string[]): Promise<Map<string, Curve>> {
    const out = new Map<string, Curve>();
    for (const key of keys) {
      const m = new Map<number, number>();
      if (run.mlflowRunId) {
        for (const p of await this.client.getMetricHistory(run.mlflowRunId, key)) {
          const v = typeof p.value === 'number' ? p.value : Number.NaN;
          if (Number.isFinite(v) && Math.abs(v) < 1e300) m.set(p.step ?? 0, v);
        }
      }
      out.set(key, m);
    }
    return out;
  }

  private async toReportRuns(runs: readonly WireRun[]): Promise<ReportRun[]> {
    const out: ReportRun[] = new Array(runs.length);
    let next = 0;
    const worker = async () => {
      while (next < runs.length) {
        const i = next++;
        out[i] = await this.toReportRun(runs[i]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, runs.length) }, worker));
    return out;
  }

  /** Reads config.json (trial seed, restart, budget) when the run has it. */
  private async toReportRun(run: WireRun): Promise<ReportRun> {
    const tags = tagsOf(run);
    let trial: { seed?: number; restart?: number; recipe?: Recipe } | undefined;
    if (run.info.artifact_uri) {
      try {
        trial = (JSON.parse((await this.client.downloadArtifact(run.info.artifact_uri, 'config.json')).toString('utf8')) as { trial?: typeof trial }).trial;
      } catch {
        trial = undefined;
      }
    }
    const epochMetric = run.data?.metrics?.find((m) => m.key === 'epoch');
    const steps = tags['anneal.steps'] !== undefined ? Number(tags['anneal.steps']) : epochMetric?.step;
    let setting: Record<string, unknown> = {};
    try {
      setting = tags['anneal.setting'] ? (JSON.parse(tags['anneal.setting']) as Record<string, unknown>) : {};
    } catch {
      setting = {};
    }
    return {
      runId: tags['anneal.run_id'] ?? run.info.run_id,
      mlflowRunId: run.info.run_id,
      status: run.info.status as RunStatus,
      startTime: run.info.start_time ?? 0,
      endTime: run.info.end_time,
      recipe: tags.recipe ?? '',
      recipeVersion: tags['recipe.version'] !== undefined ? Number(tags['recipe.version']) : undefined,
      parentRunId: tags['mlflow.parentRunId'],
      trialId: tags['anneal.trial_id'],
      variant: tags['anneal.variant'] ?? tags.variant,
      setting,
      seed: trial?.seed ?? Number(tags.seed ?? 0),
      restart: trial?.restart,
      quick: tags['anneal.quick'] === 'true',
      final: parseFinal(tags['anneal.final']),
      budget: { ...recipeBudget(trial?.recipe), steps },
    };
  }
}

function tagsOf(run: WireRun): Record<string, string> {
  return Object.fromEntries((run.data?.tags ?? []).map((t) => [t.key, t.value]));
}
