import { MlflowHttp, guessContentType, type CallOptions, type MlflowClientOptions } from './mlflow-http.js';
import type { MlflowEnvConfig } from '../config/env-config.js';
import { AnnealError } from '@anneal/core';
import { isMlflowError } from './errors.js';
import type {
  Experiment,
  FileInfo,
  KeyValue,
  Metric,
  MetricIn,
  MlflowRunStatus,
  ModelVersion,
  RegisteredModel,
  Run,
  RunInfo,
  RunViewType,
} from './types.js';


export * from './mlflow-http.js';

/** The typed MLflow REST endpoints (experiments, runs, metrics, artifacts, model registry) over MlflowHttp. */
export class MlflowClient extends MlflowHttp {
  static fromConfig(config: MlflowEnvConfig, extra: Omit<MlflowClientOptions, 'trackingUri' | 'credentials' | 'tls' | 'http'> = {}): MlflowClient {
    return new MlflowClient({ trackingUri: config.trackingUri, credentials: config.credentials, tls: config.tls, http: config.http, ...extra });
  }

  // ---------------------------------------------------------------- experiments

  /** The experiment with this name (active or deleted), or undefined. */
  async getExperimentByName(name: string, opts?: CallOptions): Promise<Experiment | undefined> {
    try {
      const r = await this.call<{ experiment?: Experiment }>('GET', 'experiments/get-by-name', { experiment_name: name }, opts);
      return r.experiment;
    } catch (error) {
      if (isMlflowError(error, 'RESOURCE_DOES_NOT_EXIST')) return undefined;
      throw error;
    }
  }

  async getExperiment(experimentId: string, opts?: CallOptions): Promise<Experiment> {
    const r = await this.call<{ experiment: Experiment }>('GET', 'experiments/get', { experiment_id: experimentId }, opts);
    return r.experiment;
  }

  async createExperiment(name: string, tags: readonly KeyValue[] = [], opts?: CallOptions): Promise<string> {
    const r = await this.call<{ experiment_id: string }>('POST', 'experiments/create', { name, tags }, opts);
    return r.experiment_id;
  }

  async restoreExperiment(experimentId: string, opts?: CallOptions): Promise<void> {
    await this.call('POST', 'experiments/restore', { experiment_id: experimentId }, opts);
  }

  /**
   * Race-safe get-or-create by name (as Python's set_experiment): get → create → on
   * RESOURCE_ALREADY_EXISTS get again. A deleted experiment is restored (`restored: true`).
   */
  async getOrCreateExperiment(name: string, opts?: CallOptions): Promise<{ experiment: Experiment; created: boolean; restored: boolean }> {
    let experiment = await this.getExperimentByName(name, opts);
    let created = false;
    if (!experiment) {
      try {
        const id = await this.createExperiment(name, [], opts);
        created = true;
        experiment = await this.getExperiment(id, opts);
      } catch (error) {
        if (!isMlflowError(error, 'RESOURCE_ALREADY_EXISTS') && !isMlflowError(error, 'ALREADY_EXISTS')) throw error;
        experiment = await this.getExperimentByName(name, opts);
        if (!experiment) throw error;
      }
    }
    let restored = false;
    if (experiment.lifecycle_stage === 'deleted') {
      await this.restoreExperiment(experiment.experiment_id, opts);
      restored = true;
      experiment = { ...experiment, lifecycle_stage: 'active' };
    }
    return { experiment, created, restored };
  }

  async searchExperiments(args: { filter?: string; maxResults?: number; pageToken?: string; viewType?: RunViewType } = {}, opts?: CallOptions): Promise<{ experiments: Experiment[]; nextPageToken?: string }> {
    const r = await this.call<{ experiments?: Experiment[]; next_page_token?: string }>(
      'POST',
      'experiments/search',
      { max_results: args.maxResults ?? 1000, filter: args.filter, page_token: args.pageToken, view_type: args.viewType },
      opts,
    );
    return { experiments: r.experiments ?? [], nextPageToken: r.next_page_token || undefined };
  }

  // ---------------------------------------------------------------- runs

  /**
   * POST runs/create. Sent ONCE by default (no automatic retry): a retried create can make a
   * duplicate run. Callers that retry should first look the run up by a client tag.
   */
  async createRun(args: { experimentId: string; runName?: string; startTime?: number; tags?: readonly KeyValue[] }, opts: CallOptions = {}): Promise<Run> {
    const r = await this.call<{ run: Run }>(
      'POST',
      'runs/create',
      { experiment_id: args.experimentId, run_name: args.runName, start_time: args.startTime ?? Date.now(), tags: args.tags ?? [] },
      { maxRetries: 0, ...opts },
    );
    return r.run;
  }

  async getRun(runId: string, opts?: CallOptions): Promise<Run> {
    const r = await this.call<{ run: Run }>('GET', 'runs/get', { run_id: runId }, opts);
    return r.run;
  }

  async updateRun(args: { runId: string; status?: MlflowRunStatus; endTime?: number; runName?: string }, opts?: CallOptions): Promise<RunInfo | undefined> {
    const r = await this.call<{ run_info?: RunInfo }>('POST', 'runs/update', { run_id: args.runId, status: args.status, end_time: args.endTime, run_name: args.runName }, opts);
    return r.run_info;
  }

  async searchRuns(
    args: { experimentIds: readonly string[]; filter?: string; maxResults?: number; orderBy?: readonly string[]; pageToken?: string; runViewType?: RunViewType },
    opts?: CallOptions,
  ): Promise<{ runs: Run[]; nextPageToken?: string }> {
    const r = await this.call<{ runs?: Run[]; next_page_token?: string }>(
      'POST',
      'runs/search',
      {
        experiment_ids: args.experimentIds,
        filter: args.filter,
        max_results: args.maxResults ?? 1000,
        order_by: args.orderBy,
        page_token: args.pageToken,
        run_view_type: args.runViewType ?? 'ACTIVE_ONLY',
      },
      opts,
    );
    return { runs: r.runs ?? [], nextPageToken: r.next_page_token || undefined };
  }

  async deleteRun(runId: string, opts?: CallOptions): Promise<void> {
    await this.call('POST', 'runs/delete', { run_id: runId }, opts);
  }

  /** POST runs/log-batch. Limits (≤1000 metrics, ≤100 params+tags, ≤1000 entities) are the caller's job; see splitBatches. */
  async logBatch(args: { runId: string; metrics?: readonly MetricIn[]; params?: readonly KeyValue[]; tags?: readonly KeyValue[] }, opts?: CallOptions): Promise<void> {
    await this.call('POST', 'runs/log-batch', { run_id: args.runId, metrics: args.metrics ?? [], params: args.params ?? [], tags: args.tags ?? [] }, opts);
  }

  async logParam(runId: string, key: string, value: string, opts?: CallOptions): Promise<void> {
    await this.call('POST', 'runs/log-parameter', { run_id: runId, key, value }, opts);
  }

  async setTag(runId: string, key: string, value: string, opts?: CallOptions): Promise<void> {
    await this.call('POST', 'runs/set-tag', { run_id: runId, key, value }, opts);
  }

  async logMetric(runId: string, metric: MetricIn, opts?: CallOptions): Promise<void> {
    await this.call('POST', 'runs/log-metric', { run_id: runId, ...metric }, opts);
  }

  /** The full history of one metric (all pages). */
  async getMetricHistory(runId: string, key: string, opts?: CallOptions): Promise<Metric[]> {
    const out: Metric[] = [];
    let pageToken: string | undefined;
    do {
      const r = await this.call<{ metrics?: Metric[]; next_page_token?: string }>(
        'GET',
        'metrics/get-history',
        { run_id: runId, metric_key: key, max_results: pageToken !== undefined ? 25000 : undefined, page_token: pageToken },
        opts,
      );
      out.push(...(r.metrics ?? []));
      pageToken = r.next_page_token || undefined;
    } while (pageToken);
    return out;
  }

  /** POST runs/log-model (legacy): records an MLmodel (as JSON) in the run's `mlflow.log-model.history` tag. */
  async logModel(runId: string, mlmodel: Record<string, unknown>, opts?: CallOptions): Promise<void> {
    await this.call('POST', 'runs/log-model', { run_id: runId, model_json: JSON.stringify(mlmodel) }, opts);
  }

  // ---------------------------------------------------------------- artifacts

  /** One level of a run's artifacts (`path` relative to the run's artifact root). */
  async listArtifacts(runId: string, path?: string, opts?: CallOptions): Promise<FileInfo[]> {
    const out: FileInfo[] = [];
    let pageToken: string | undefined;
    do {
      const r = await this.call<{ files?: FileInfo[]; next_page_token?: string }>('GET', 'artifacts/list', { run_id: runId, path, page_token: pageToken }, opts);
      out.push(...(r.files ?? []));
      pageToken = r.next_page_token || undefined;
    } while (pageToken);
    return out;
  }

  /** Every artifact file of a run (recursive), as run-relative paths, sorted. */
  async listArtifactsRecursive(runId: string, opts?: CallOptions): Promise<FileInfo[]> {
    const out: FileInfo[] = [];
    const walk = async (path?: string) => {
      for (const f of await this.listArtifacts(runId, path, opts)) {
        if (f.is_dir) await walk(f.path);
        else out.push(f);
      }
    };
    await walk();
    return out.sort((a, b) => a.path.localeCompare(b.path));
  }

  /**
   * The HTTP URL of `relPath` under a run's artifact URI, through the artifact proxy
   * (`mlflow-artifacts:` resolution as MlflowArtifactsRepository.resolve_uri does).
   */
  artifactUrl(artifactUri: string, relPath = ''): URL {
    let base: URL;
    if (artifactUri.startsWith('mlflow-artifacts:')) {
      const rest = artifactUri.slice('mlflow-artifacts:'.length);
      let host = this.base.host;
      let path = rest;
      if (rest.startsWith('//')) {
        const slash = rest.indexOf('/', 2);
        const netloc = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
        if (netloc) host = netloc;
        path = slash < 0 ? '' : rest.slice(slash);
      }
      const basePath = this.base.pathname.replace(/\/+$/, '');
      base = new URL(`${this.base.protocol}//${host}${`${basePath}/api/2.0/mlflow-artifacts/artifacts/${path}`.replace(/\/{2,}/g, '/')}`);
    } else if (/^https?:\/\//.test(artifactUri)) {
      base = new URL(artifactUri);
    } else {
      throw new AnnealError(
        'ANNEAL_ERR_TRACKING',
        `the run's artifact URI '${artifactUri}' is not served by the tracking server's artifact proxy, and anneal uploads over HTTP only. ` +
          'Start the server with artifact serving (the default in MLflow 3: --serve-artifacts, --default-artifact-root mlflow-artifacts:/).',
        { artifactUri },
      );
    }
    const segments = relPath.split('/').filter((s) => s !== '').map(encodeURIComponent);
    const basePath = base.pathname.replace(/\/+$/, '');
    base.pathname = segments.length ? `${basePath}/${segments.join('/')}` : basePath;
    return base;
  }

  /** PUT one artifact file through the proxy (raw bytes). */
  async uploadArtifact(artifactUri: string, relPath: string, data: Uint8Array | string, opts?: CallOptions & { contentType?: string }): Promise<void> {
    if (relPath.startsWith('/') || relPath.split('/').includes('..')) {
      throw new AnnealError('ANNEAL_ERR_TRACKING', `artifact path '${relPath}' must be relative, without '..'`);
    }
    const url = this.artifactUrl(artifactUri, relPath);
    const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    await this.send('PUT', url, `artifacts PUT ${relPath}`, body, opts?.contentType ?? guessContentType(relPath), opts);
  }

  async downloadArtifact(artifactUri: string, relPath: string, opts?: CallOptions): Promise<Buffer> {
    const res = await this.send('GET', this.artifactUrl(artifactUri, relPath), `artifacts GET ${relPath}`, undefined, undefined, opts);
    return res.body;
  }

  // ---------------------------------------------------------------- model registry

  async createRegisteredModel(name: string, args: { description?: string; tags?: readonly KeyValue[] } = {}, opts?: CallOptions): Promise<RegisteredModel> {
    const r = await this.call<{ registered_model: RegisteredModel }>('POST', 'registered-models/create', { name, description: args.description, tags: args.tags ?? [] }, opts);
    return r.registered_model;
  }

  /** Creates the registered model, or returns the existing one (RESOURCE_ALREADY_EXISTS is not an error). */
  async getOrCreateRegisteredModel(name: string, args: { description?: string } = {}, opts?: CallOptions): Promise<{ model: RegisteredModel; created: boolean }> {
    try {
      return { model: await this.createRegisteredModel(name, args, opts), created: true };
    } catch (error) {
      if (!isMlflowError(error, 'RESOURCE_ALREADY_EXISTS') && !isMlflowError(error, 'ALREADY_EXISTS')) throw error;
      return { model: await this.getRegisteredModel(name, opts), created: false };
    }
  }

  async getRegisteredModel(name: string, opts?: CallOptions): Promise<RegisteredModel> {
    const r = await this.call<{ registered_model: RegisteredModel }>('GET', 'registered-models/get', { name }, opts);
    return r.registered_model;
  }

  async searchRegisteredModels(args: { filter?: string; maxResults?: number; pageToken?: string; orderBy?: readonly string[] } = {}, opts?: CallOptions): Promise<{ models: RegisteredModel[]; nextPageToken?: string }> {
    const r = await this.call<{ registered_models?: RegisteredModel[]; next_page_token?: string }>(
      'GET',
      'registered-models/search',
      { filter: args.filter, max_results: args.maxResults ?? 1000, page_token: args.pageToken, order_by: args.orderBy },
      opts,
    );
    return { models: r.registered_models ?? [], nextPageToken: r.next_page_token || undefined };
  }

  async createModelVersion(args: { name: string; source: string; runId?: string; description?: string; tags?: readonly KeyValue[]; runLink?: string }, opts?: CallOptions): Promise<ModelVersion> {
    const r = await this.call<{ model_version: ModelVersion }>(
      'POST',
      'model-versions/create',
      { name: args.name, source: args.source, run_id: args.runId, description: args.description, tags: args.tags ?? [], run_link: args.runLink },
      { maxRetries: 0, ...opts },
    );
    return r.model_version;
  }

  async getModelVersion(name: string, version: string, opts?: CallOptions): Promise<ModelVersion> {
    const r = await this.call<{ model_version: ModelVersion }>('GET', 'model-versions/get', { name, version }, opts);
    return r.model_version;
  }

  async searchModelVersions(args: { filter?: string; maxResults?: number; pageToken?: string; orderBy?: readonly string[] } = {}, opts?: CallOptions): Promise<{ versions: ModelVersion[]; nextPageToken?: string }> {
    const r = await this.call<{ model_versions?: ModelVersion[]; next_page_token?: string }>(
      'GET',
      'model-versions/search',
      { filter: args.filter, max_results: args.maxResults ?? 10000, page_token: args.pageToken, order_by: args.orderBy },
      opts,
    );
    return { versions: r.model_versions ?? [], nextPageToken: r.next_page_token || undefined };
  }

  async setRegisteredModelAlias(name: string, alias: string, version: string, opts?: CallOptions): Promise<void> {
    await this.call('POST', 'registered-models/alias', { name, alias, version }, opts);
  }

  async getModelVersionByAlias(name: string, alias: string, opts?: CallOptions): Promise<ModelVersion> {
    const r = await this.call<{ model_version: ModelVersion }>('GET', 'registered-models/alias', { name, alias }, opts);
    return r.model_version;
  }

  async deleteRegisteredModelAlias(name: string, alias: string, opts?: CallOptions): Promise<void> {
    await this.call('DELETE', 'registered-models/alias', { name, alias }, opts);
  }
}
