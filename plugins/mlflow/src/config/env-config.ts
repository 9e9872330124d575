import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { AnnealError } from '@anneal/core';

/** HTTP behaviour, from MLflow's own environment variables (same defaults as the Python client). */
export interface HttpSettings {
  /** MLFLOW_HTTP_REQUEST_MAX_RETRIES (default 7). */
  readonly maxRetries: number;
  /** MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR in seconds (default 2): sleeps factor·2^(n-1), none before the first retry. */
  readonly backoffFactor: number;
  /** MLFLOW_HTTP_REQUEST_BACKOFF_JITTER in seconds (default 1). */
  readonly backoffJitter: number;
  /** MLFLOW_HTTP_REQUEST_TIMEOUT in seconds (default 120), per attempt. */
  readonly timeoutSeconds: number;
  /** MLFLOW_HTTP_RESPECT_RETRY_AFTER_HEADER (default true). */
  readonly respectRetryAfter: boolean;
}

export interface Credentials {
  readonly token?: string;
  readonly username?: string;
  readonly password?: string;
}

export interface TlsSettings {
  /** MLFLOW_TRACKING_INSECURE_TLS. */
  readonly insecure: boolean;
  /** MLFLOW_TRACKING_SERVER_CERT_PATH. */
  readonly caPath?: string;
  /** MLFLOW_TRACKING_CLIENT_CERT_PATH. */
  readonly clientCertPath?: string;
}

/** Everything the MLflow tracker reads from the environment. */
export interface MlflowEnvConfig {
  /** http(s) tracking URI without credentials and without a trailing slash. */
  readonly trackingUri: string;
  readonly experimentName?: string;
  readonly experimentId?: string;
  /** MLFLOW_RUN_ID: attach the first top-level run to this existing MLflow run. */
  readonly runId?: string;
  readonly credentials: Credentials;
  readonly tls: TlsSettings;
  readonly http: HttpSettings;
}

export const DEFAULT_HTTP: HttpSettings = { maxRetries: 7, backoffFactor: 2, backoffJitter: 1, timeoutSeconds: 120, respectRetryAfter: true };

export type TrackingUriKind = 'none' | 'http' | 'database' | 'file' | 'databricks' | 'unsupported';

/** Classifies MLFLOW_TRACKING_URI. Plain paths (relative or absolute) count as 'file', as in MLflow. */
export function classifyTrackingUri(uri: string | undefined): TrackingUriKind {
  const u = (uri ?? '').trim();
  if (u === '') return 'none';
  if (/^https?:\/\//i.test(u)) return 'http';
  if (/^(sqlite|postgresql|postgres|mysql|mssql)(\+[a-z0-9_]+)?:/i.test(u)) return 'database';
  if (/^file:/i.test(u)) return 'file';
  if (/^databricks(-uc)?(:|$)/i.test(u)) return 'databricks';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(u)) return 'unsupported';
  return 'file';
}

/**
 * The error for a tracking URI anneal cannot speak to directly: it explains that anneal talks to an
 * MLflow *server* over HTTP and prints the exact command that serves that store.
 */
export function trackingUriError(uri: string): AnnealError {
  const kind = classifyTrackingUri(uri);
  const serve = `mlflow server --backend-store-uri ${uri} --host 127.0.0.1 --port 5000`;
  const lines = [
    `MLFLOW_TRACKING_URI=${uri} is a ${kind === 'database' ? 'database' : kind === 'file' ? 'file-store' : kind} URI, but anneal speaks to MLflow over HTTP only (it has no database or file-store writer).`,
    'Serve that store with an MLflow tracking server and point anneal at it:',
    '',
    `  ${serve}`,
    '  export MLFLOW_TRACKING_URI=http://127.0.0.1:5000',
    '',
  ];
  if (kind === 'file') {
    lines.push('(MLflow >= 3.13 refuses file stores unless MLFLOW_ALLOW_FILE_STORE=true; `mlflow migrate-filestore` converts one to SQLite.)');
  }
  if (kind === 'databricks' || kind === 'unsupported') {
    lines.splice(1, 5, 'Use the http(s) URL of an MLflow tracking server, e.g. export MLFLOW_TRACKING_URI=http://127.0.0.1:5000');
  }
  lines.push("Or run 'anneal mlflow up' to start a local server, or unset MLFLOW_TRACKING_URI to keep runs in the local store only.");
  return new AnnealError('ANNEAL_ERR_TRACKING_URI', lines.join('\n'), { uri, kind });
}

/** Removes user:password@ from a URL and any trailing slash; the result is safe to print and store. */
export function sanitizeTrackingUri(uri: string): string {
  const url = new URL(uri.trim());
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/+$/, '');
}

function num(env: NodeJS.ProcessEnv, name: string, fallback: number, { min = 0, max = Number.POSITIVE_INFINITY } = {}): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < min || v > max) {
    throw new AnnealError('ANNEAL_ERR_TRACKING', `${name}=${raw} is not a number in [${min}, ${max}]`, { name });
  }
  return v;
}

function bool(raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw.trim() === '') return fallback;
  return ['1', 'true', 'yes', 'on'].includes(raw.trim().toLowerCase());
}

export function httpSettingsFromEnv(env: NodeJS.ProcessEnv): HttpSettings {
  return {
    // Python requires < 10 retries and a backoff factor < 120; same limits here.
    maxRetries: Math.floor(num(env, 'MLFLOW_HTTP_REQUEST_MAX_RETRIES', DEFAULT_HTTP.maxRetries, { max: 9 })),
    backoffFactor: num(env, 'MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR', DEFAULT_HTTP.backoffFactor, { max: 119 }),
    backoffJitter: num(env, 'MLFLOW_HTTP_REQUEST_BACKOFF_JITTER', DEFAULT_HTTP.backoffJitter),
    timeoutSeconds: num(env, 'MLFLOW_HTTP_REQUEST_TIMEOUT', DEFAULT_HTTP.timeoutSeconds, { min: 0.001 }),
    respectRetryAfter: bool(env.MLFLOW_HTTP_RESPECT_RETRY_AFTER_HEADER, true),
  };
}

/** ~/.mlflow/credentials, section [mlflow] (the Python client's fallback; the environment wins). */
function readCredentialsFile(env: NodeJS.ProcessEnv): { username?: string; password?: string } {
  const path = join(env.HOME && env.HOME !== '' ? env.HOME : homedir(), '.mlflow', 'credentials');
  if (!existsSync(path)) return {};
  try {
    let section = '';
    const out: { username?: string; password?: string } = {};
    for (const raw of readFileSync(path, 'utf8').split(/\r?\n/)) {
      const line = raw.trim();
      const header = /^\[(.+)\]$/.exec(line);
      if (header) {
        section = header[1].trim();
        continue;
      }
      if (section !== 'mlflow') continue;
      const kv = /^([^=:]+)[=:](.*)$/.exec(line);
      if (!kv) continue;
      const key = kv[1].trim();
      if (key === 'mlflow_tracking_username') out.username = kv[2].trim();
      if (key === 'mlflow_tracking_password') out.password = kv[2].trim();
    }
    return out;
  } catch {
    return {};
  }
}

export function credentialsFromEnv(env: NodeJS.ProcessEnv, uri?: string): Credentials {
  const file = readCredentialsFile(env);
  let fromUrl: { username?: string; password?: string } = {};
  if (uri) {
    try {
      const url = new URL(uri);
      if (url.username) fromUrl = { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
    } catch {
      // not a URL
    }
  }
  const token = env.MLFLOW_TRACKING_TOKEN?.trim() || undefined;
  const username = env.MLFLOW_TRACKING_USERNAME || fromUrl.username || file.username || undefined;
  const password = env.MLFLOW_TRACKING_PASSWORD || fromUrl.password || file.password || undefined;
  return { token, username, password };
}

/**
 * Reads the MLflow environment. Returns undefined when MLFLOW_TRACKING_URI is unset or empty; throws
 * ANNEAL_ERR_TRACKING_URI for database / file / other non-HTTP URIs.
 */
export function mlflowConfigFromEnv(env: NodeJS.ProcessEnv = process.env): MlflowEnvConfig | undefined {
  const raw = env.MLFLOW_TRACKING_URI?.trim() ?? '';
  const kind = classifyTrackingUri(raw);
  if (kind === 'none') return undefined;
  if (kind !== 'http') throw trackingUriError(raw);
  const insecure = bool(env.MLFLOW_TRACKING_INSECURE_TLS, false);
  const caPath = env.MLFLOW_TRACKING_SERVER_CERT_PATH?.trim() || undefined;
  if (insecure && caPath) {
    throw new AnnealError('ANNEAL_ERR_TRACKING', 'MLFLOW_TRACKING_INSECURE_TLS and MLFLOW_TRACKING_SERVER_CERT_PATH cannot both be set (as in MLflow).');
  }
  return {
    trackingUri: sanitizeTrackingUri(raw),
    experimentName: env.MLFLOW_EXPERIMENT_NAME?.trim() || undefined,
    experimentId: env.MLFLOW_EXPERIMENT_ID?.trim() || undefined,
    runId: env.MLFLOW_RUN_ID?.trim() || undefined,
    credentials: credentialsFromEnv(env, raw),
    tls: { insecure, caPath: caPath ? resolve(caPath) : undefined, clientCertPath: env.MLFLOW_TRACKING_CLIENT_CERT_PATH?.trim() || undefined },
    http: httpSettingsFromEnv(env),
  };
}

/** The credentials in a config, for redaction (values shorter than 4 characters are not treated as secrets). */
export function secretsOf(credentials: Credentials): string[] {
  return [credentials.token, credentials.password, credentials.username].filter((s): s is string => typeof s === 'string' && s.length >= 4);
}

/** Replaces every occurrence of a secret in `text` with '***'. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join('***');
  return out;
}
