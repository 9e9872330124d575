import { readFileSync } from 'node:fs';
import { AnnealError } from '@anneal/core';
import { DEFAULT_HTTP, sanitizeTrackingUri, type Credentials, type HttpSettings, type MlflowEnvConfig, type TlsSettings } from '../config/env-config.js';
import { MlflowApiError, RETRYABLE_STATUSES, errorCodeForStatus, isMlflowError } from './errors.js';
import { NetworkError, createNodeTransport, type HttpResponse, type HttpTransport } from './http-transport.js';
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

export const CLIENT_VERSION = '0.1.0';

export interface MlflowClientOptions {
  /** http(s) URL of the tracking server. User info in it is used as Basic credentials and then dropped. */
  readonly trackingUri: string;
  readonly credentials?: Credentials;
  readonly tls?: TlsSettings;
  readonly http?: Partial<HttpSettings>;
  /** Replaces the node:http transport (tests). */
  readonly transport?: HttpTransport;
  /** Replaces the sleep between retries (tests). Must reject when `signal` aborts. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Called before each retry (for logging / tests). Never receives credentials. */
  readonly onRetry?: (info: RetryInfo) => void;
}

export interface RetryInfo {
  readonly endpoint: string;
  readonly attempt: number;
  readonly delayMs: number;
  readonly reason: string;
}

export interface CallOptions {
  /** Aborts the request and any retry sleep. */
  readonly signal?: AbortSignal;
  /** Overrides MLFLOW_HTTP_REQUEST_MAX_RETRIES for this call (0 = one attempt). */
  readonly maxRetries?: number;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Query = Record<string, string | number | boolean | readonly (string | number)[] | undefined>;

/** Sleeps `ms`; rejects with an 'aborted' NetworkError when `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolvePromise, rejectPromise) => {
    if (signal?.aborted) {
      rejectPromise(new NetworkError('request aborted', 'aborted'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolvePromise();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      rejectPromise(new NetworkError('request aborted', 'aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Seconds (or an HTTP date) from a Retry-After header, in ms; undefined when absent or unparsable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) return Math.max(0, Number(v) * 1000);
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** urllib3 2.x backoff before retry number `retry` (1-based): none before the first, then factor·2^(n-1) s, ≤ 120 s, plus jitter. */
export function backoffMs(retry: number, settings: Pick<HttpSettings, 'backoffFactor' | 'backoffJitter'>, random = Math.random): number {
  if (retry <= 1) return 0;
  const base = Math.min(120, settings.backoffFactor * 2 ** (retry - 1));
  return Math.round((base + random() * settings.backoffJitter) * 1000);
}

const MIME: Record<string, string> = {
  json: 'application/json',
  md: 'text/markdown',
  txt: 'text/plain',
  log: 'text/plain',
  yaml: 'text/yaml',
  yml: 'text/yaml',
  csv: 'text/csv',
  svg: 'image/svg+xml',
  png: 'image/png',
  html: 'text/html',
  jsonl: 'application/x-ndjson',
};

export function guessContentType(path: string): string {
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? '';
  if (path.endsWith('MLmodel')) return 'text/yaml';
  return MIME[ext] ?? 'application/octet-stream';
}

/**
 * A small typed client for the MLflow REST API (tracking, artifact proxy, model registry).
 * Retries 408/429/5xx and network errors with the Python client's backoff (Retry-After honoured on
 * 413/429/503); every other failure is an MlflowApiError carrying MLflow's `error_code`.
 */
export class MlflowClient {
  readonly trackingUri: string;
  readonly http: HttpSettings;
  private readonly base: URL;
  private readonly authHeader?: string;
  private readonly transport: HttpTransport;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly onRetry?: (info: RetryInfo) => void;

  constructor(options: MlflowClientOptions) {
    const url = new URL(options.trackingUri);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new AnnealError('ANNEAL_ERR_TRACKING_URI', `MlflowClient needs an http(s) tracking URI, got '${url.protocol}'`);
    }
    const fromUrl = url.username ? { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } : {};
    const creds: Credentials = { ...fromUrl, ...stripUndefined(options.credentials ?? {}) };
    this.trackingUri = sanitizeTrackingUri(options.trackingUri);
    this.base = new URL(`${this.trackingUri}/`);
    if (creds.username && creds.password) {
      this.authHeader = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    } else if (creds.token) {
      this.authHeader = `Bearer ${creds.token}`;
    }
    this.http = { ...DEFAULT_HTTP, ...stripUndefined(options.http ?? {}) };
    const tls = options.tls;
    this.transport =
      options.transport ??
      createNodeTransport({
        insecure: tls?.insecure,
        ca: tls?.caPath ? readFileSync(tls.caPath) : undefined,
        cert: tls?.clientCertPath ? readFileSync(tls.clientCertPath) : undefined,
      });
    this.sleep = options.sleep ?? abortableSleep;
    this.onRetry = options.onRetry;
  }

  static fromConfig(config: MlflowEnvConfig, extra: Omit<MlflowClientOptions, 'trackingUri' | 'credentials' | 'tls' | 'http'> = {}): MlflowClient {
    return new MlflowClient({ trackingUri: config.trackingUri, credentials: config.credentials, tls: config.tls, http: config.http, ...extra });
  }

  // ---------------------------------------------------------------- transport

  private url(path: string, query?: Query): URL {
    const url = new URL(path.replace(/^\/+/, ''), this.base);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const item of v) url.searchParams.append(k, String(item));
      else url.searchParams.append(k, String(v));
    }
    return url;
  }

  private async send(method: Method, url: URL, endpoint: string, body: Uint8Array | undefined, contentType: string | undefined, opts: CallOptions = {}): Promise<HttpResponse> {
    const maxRetries = opts.maxRetries ?? this.http.maxRetries;
    const headers: Record<string, string> = { 'user-agent': `anneal-mlflow/${CLIENT_VERSION}`, accept: 'application/json' };
    if (contentType) headers['content-type'] = contentType;
    if (this.authHeader) headers.authorization = this.authHeader;
    for (let attempt = 0; ; attempt++) {
      let reason: string;
      let delay: number;
      try {
        const res = await this.transport({ method, url, headers, body, timeoutMs: this.http.timeoutSeconds * 1000, signal: opts.signal });
        if (res.status >= 200 && res.status < 300) return res;
        const retryable = RETRYABLE_STATUSES.has(res.status);
        if (!retryable || attempt >= maxRetries) throw this.httpError(endpoint, res, retryable);
        reason = `HTTP ${res.status}`;
        delay = backoffMs(attempt + 1, this.http);
        if (this.http.respectRetryAfter && (res.status === 429 || res.status === 503 || res.status === 413)) {
          const after = parseRetryAfter(res.headers['retry-after']);
          if (after !== undefined) delay = Math.min(Math.max(delay, after), 120_000);
        }
      } catch (error) {
        if (!(error instanceof NetworkError)) throw error;
        if (error.kind === 'aborted') throw new MlflowApiError(endpoint, 0, 'ABORTED', 'request aborted (deadline reached)', true);
        if (error.kind === 'tls') {
          // Retrying cannot fix a certificate problem.
          throw new MlflowApiError(
            endpoint,
            0,
            'TLS_ERROR',
            `${error.message} — ${this.trackingUri}. Give the server's CA with MLFLOW_TRACKING_SERVER_CERT_PATH, or skip verification with MLFLOW_TRACKING_INSECURE_TLS=true.`,
            false,
          );
        }
        if (attempt >= maxRetries) {
          const hint = error.kind === 'timeout' ? ` (raise MLFLOW_HTTP_REQUEST_TIMEOUT, now ${this.http.timeoutSeconds} s)` : '';
          throw new MlflowApiError(endpoint, 0, error.kind === 'timeout' ? 'TIMEOUT' : 'CONNECTION_ERROR', `${error.message} — ${this.trackingUri}${hint}`, true);
        }
        reason = error.message;
        delay = backoffMs(attempt + 1, this.http);
      }
      this.onRetry?.({ endpoint, attempt: attempt + 1, delayMs: delay, reason });
      if (delay > 0) {
        try {
          await this.sleep(delay, opts.signal);
        } catch {
          throw new MlflowApiError(endpoint, 0, 'ABORTED', `request aborted while waiting to retry (${reason})`, true);
        }
      } else if (opts.signal?.aborted) {
        throw new MlflowApiError(endpoint, 0, 'ABORTED', `request aborted (${reason})`, true);
      }
    }
  }

  private httpError(endpoint: string, res: HttpResponse, retryable: boolean): MlflowApiError {
    const text = res.body.toString('utf8');
    try {
      const parsed = JSON.parse(text) as { error_code?: unknown; message?: unknown };
      if (parsed && typeof parsed === 'object' && typeof parsed.error_code === 'string') {
        return new MlflowApiError(endpoint, res.status, parsed.error_code, typeof parsed.message === 'string' ? parsed.message : '', retryable);
      }
    } catch {
      // not JSON
    }
    return new MlflowApiError(endpoint, res.status, errorCodeForStatus(res.status), text.slice(0, 300).trim(), retryable);
  }

  /** Calls `/api/2.0/mlflow/<endpoint>`: GET with a query string, anything else with a JSON body. */
  async call<T>(method: Method, endpoint: string, payload?: Query | object, opts?: CallOptions): Promise<T> {
    return this.callPath<T>(method, `api/2.0/mlflow/${endpoint}`, endpoint, payload, opts);
  }

  private async callPath<T>(method: Method, path: string, endpoint: string, payload?: Query | object, opts?: CallOptions): Promise<T> {
    const isGet = method === 'GET';
    const url = this.url(path, isGet ? (payload as Query | undefined) : undefined);
    const body = isGet ? undefined : Buffer.from(JSON.stringify(payload ?? {}), 'utf8');
    const res = await this.send(method, url, endpoint, body, isGet ? undefined : 'application/json', opts);
    const text = res.body.toString('utf8');
    let parsed: unknown;
    try {
      parsed = text.trim() === '' ? {} : JSON.parse(text);
    } catch {
      throw new MlflowApiError(endpoint, res.status, 'INVALID_RESPONSE', `expected a JSON object, got: ${text.slice(0, 200)}`, false);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new MlflowApiError(endpoint, res.status, 'INVALID_RESPONSE', `expected a JSON object, got: ${text.slice(0, 200)}`, false);
    }
    return parsed as T;
  }

  // ---------------------------------------------------------------- server

  /** GET /health → true when the server answers 200. One attempt, no retries. */
  async health(opts: CallOptions = {}): Promise<boolean> {
    try {
      await this.send('GET', this.url('health'), 'health', undefined, undefined, { maxRetries: 0, ...opts });
      return true;
    } catch {
      return false;
    }
  }

  async serverVersion(opts?: CallOptions): Promise<string> {
    const res = await this.send('GET', this.url('version'), 'version', undefined, undefined, opts);
    return res.body.toString('utf8').trim();
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

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
