import { createHash } from 'node:crypto';
import type { KeyValue, MetricIn } from '../client/types.js';

/** MLflow server limits (mlflow/utils/validation.py). */
export const LIMITS = {
  maxMetricsPerBatch: 1000,
  maxParamsTagsPerBatch: 100,
  maxEntitiesPerBatch: 1000,
  /** Keep each request well under the documented 1 MB. */
  maxBatchBytes: 900_000,
  maxKeyLength: 250,
  maxParamValueLength: 6000,
  /** 8000 on current servers, 5000 on older ones: use the smaller for portability. */
  maxTagValueLength: 5000,
  maxExperimentNameLength: 500,
} as const;

const KEY_CHAR = /[^\w\-. /]/g;

/**
 * A key the server accepts: characters `\w - . space /` (':' is avoided, older servers reject it),
 * a normalized relative path, ≤ 250 characters. Deterministic; over-long keys keep a prefix and an
 * 8-hex hash of the original, so distinct keys stay distinct.
 */
export function safeKey(key: string): string {
  const cached = safeKeyCache.get(key);
  if (cached !== undefined) return cached;
  const k = computeSafeKey(key);
  if (safeKeyCache.size > 10_000) safeKeyCache.clear();
  safeKeyCache.set(key, k);
  return k;
}

const safeKeyCache = new Map<string, string>();

function computeSafeKey(key: string): string {
  let k = key.replace(KEY_CHAR, '_');
  k = k
    .split('/')
    .map((seg) => (seg === '' || seg === '.' || seg === '..' ? '_' : seg))
    .join('/');
  if (k === '') k = '_';
  if (k.length > LIMITS.maxKeyLength) {
    const hash = createHash('sha256').update(key).digest('hex').slice(0, 8);
    k = `${k.slice(0, LIMITS.maxKeyLength - 9)}-${hash}`;
  }
  return k;
}

/** Truncates `value` to `max` UTF-16 units (never splitting a surrogate pair), ending in a marker. */
export function truncateValue(value: string, max: number): { value: string; truncated: boolean } {
  if (value.length <= max) return { value, truncated: false };
  const marker = `...[truncated, ${value.length} chars]`;
  let cut = max - marker.length;
  const code = value.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return { value: value.slice(0, cut) + marker, truncated: true };
}

export interface PreparedEntries {
  readonly entries: Record<string, string>;
  /** Original keys whose value was truncated. */
  readonly truncated: string[];
  /** Original keys renamed to fit the key rules: original → sent. */
  readonly renamed: Record<string, string>;
}

/** Applies key and value limits to params (value ≤ 6000) or tags (value ≤ 5000). Deterministic. */
export function prepareEntries(input: Readonly<Record<string, string>>, maxValue: number, redactFn: (s: string) => string = (s) => s): PreparedEntries {
  const entries: Record<string, string> = {};
  const truncated: string[] = [];
  const renamed: Record<string, string> = {};
  for (const key of Object.keys(input).sort()) {
    const k = safeKey(key);
    if (k !== key) renamed[key] = k;
    const raw = redactFn(String(input[key]));
    const t = truncateValue(raw, maxValue);
    if (t.truncated) truncated.push(key);
    entries[k] = t.value;
  }
  return { entries, truncated, renamed };
}

/** A metric line of metrics.jsonl converted to the wire form; undefined if it is not a metric. */
export function toWireMetric(raw: unknown): MetricIn | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const p = raw as { key?: unknown; value?: unknown; step?: unknown; timestamp?: unknown };
  if (typeof p.key !== 'string') return undefined;
  let value: MetricIn['value'];
  if (typeof p.value === 'number') {
    value = Number.isNaN(p.value) ? 'NaN' : p.value === Infinity ? 'Infinity' : p.value === -Infinity ? '-Infinity' : p.value;
  } else if (p.value === 'NaN' || p.value === 'Infinity' || p.value === '-Infinity') {
    value = p.value;
  } else if (p.value === null) {
    value = 'NaN'; // JSON.stringify(NaN) === 'null' in writers that did not stringify non-finite values
  } else {
    return undefined;
  }
  const timestamp = typeof p.timestamp === 'number' && Number.isFinite(p.timestamp) ? Math.max(0, Math.trunc(p.timestamp)) : 0;
  const step = typeof p.step === 'number' && Number.isFinite(p.step) ? Math.trunc(p.step) : 0;
  return { key: safeKey(p.key), value, timestamp, step };
}

/**
 * Splits params+tags and metrics into log-batch payloads within the server's limits: params and tags
 * together in chunks of ≤ 100 (params first), then metrics in chunks of ≤ 1000 and under ~1 MB.
 * (Unlike the Python client, metrics never share a request with params, so a rejected param cannot
 * hold back metrics.)
 */
export function splitBatches(input: { params?: readonly KeyValue[]; tags?: readonly KeyValue[]; metrics?: readonly MetricIn[] }): { params: KeyValue[]; tags: KeyValue[]; metrics: MetricIn[] }[] {
  const params = [...(input.params ?? [])];
  const tags = [...(input.tags ?? [])];
  const metrics = [...(input.metrics ?? [])];
  const batches: { params: KeyValue[]; tags: KeyValue[]; metrics: MetricIn[] }[] = [];
  while (params.length || tags.length) {
    const p = params.splice(0, LIMITS.maxParamsTagsPerBatch);
    const t = tags.splice(0, LIMITS.maxParamsTagsPerBatch - p.length);
    batches.push({ params: p, tags: t, metrics: [] });
  }
  let current: MetricIn[] = [];
  let bytes = 0;
  for (const m of metrics) {
    // A generous estimate of the JSON size: {"key":"…","value":…,"timestamp":…,"step":…},
    const size = m.key.length * 6 + 80;
    if (current.length >= LIMITS.maxMetricsPerBatch || bytes + size > LIMITS.maxBatchBytes) {
      batches.push({ params: [], tags: [], metrics: current });
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += size;
  }
  if (current.length) batches.push({ params: [], tags: [], metrics: current });
  return batches;
}
