import { readFileSync } from 'node:fs';
import { AnnealError } from '@anneal/core';
import { DEFAULT_HTTP, sanitizeTrackingUri, type Credentials, type HttpSettings, type TlsSettings } from '../config/env-config.js';
import { MlflowApiError, RETRYABLE_STATUSES, errorCodeForStatus } from './errors.js';
import { NetworkError, createNodeTransport, type HttpResponse, type HttpTransport } from './http-transport.js';


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

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type Query = Record<string, string | number | boolean | readonly (string | number)[] | undefined>;

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
/**
 * The MLflow REST transport: base URL, credentials, TLS, retries with backoff and Retry-After, error
 * mapping, and the server calls. MlflowClient adds the typed endpoints on top of it.
 */
export class MlflowHttp {
  readonly trackingUri: string;
  readonly http: HttpSettings;
  protected readonly base: URL;
  protected readonly authHeader?: string;
  protected readonly transport: HttpTransport;
  protected readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  protected readonly onRetry?: (info: RetryInfo) => void;

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


  // ---------------------------------------------------------------- transport

  protected url(path: string, query?: Query): URL {
    const url = new URL(path.replace(/^\/+/, ''), this.base);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const item of v) url.searchParams.append(k, String(item));
      else url.searchParams.append(k, String(v));
    }
    return url;
  }

  protected async send(method: Method, url: URL, endpoint: string, body: Uint8Array | undefined, contentType: string | undefined, opts: CallOptions = {}): Promise<HttpResponse> {
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

  protected httpError(endpoint: string, res: HttpResponse, retryable: boolean): MlflowApiError {
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

  protected async callPath<T>(method: Method, path: string, endpoint: string, payload?: Query | object, opts?: CallOptions): Promise<T> {
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

}

export function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
