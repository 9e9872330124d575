// Unit tests that need no server.
import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAnnealError, type RunMeta } from '@anneal/core';
import { classifyTrackingUri, mlflowConfigFromEnv, redact, sanitizeTrackingUri, trackingUriError } from './config/env-config.js';
import { LIMITS, prepareEntries, safeKey, splitBatches, toWireMetric, truncateValue } from './spool/limits.js';
import { readSyncState, readTargetState, writeTargetState, emptyTarget } from './spool/sync-state.js';
import { mlmodelYaml, validateAlias } from './registry/register-model.js';
import { runMlflowCommand, runModelsCommand } from './cli/commands.js';
import { INSTALL_HINT, PINNED_MLFLOW_VERSION, runMlflowUp } from './cli/mlflow-up.js';
import { createTrackerFromEnv } from './tracker/create-tracker.js';
import { MlflowTracker } from './tracker/mlflow-tracker.js';
import { tempStore } from './testing/fixtures.js';

test('tracking URI kinds, and the error for the ones anneal cannot speak to', (t) => {
  t.is(classifyTrackingUri(undefined), 'none');
  t.is(classifyTrackingUri('  '), 'none');
  t.is(classifyTrackingUri('http://127.0.0.1:5000'), 'http');
  t.is(classifyTrackingUri('HTTPS://mlflow.example.com'), 'http');
  t.is(classifyTrackingUri('sqlite:///mlflow.db'), 'database');
  t.is(classifyTrackingUri('postgresql+psycopg2://u@h/db'), 'database');
  t.is(classifyTrackingUri('file:///tmp/mlruns'), 'file');
  t.is(classifyTrackingUri('./mlruns'), 'file');
  t.is(classifyTrackingUri('/abs/mlruns'), 'file');
  t.is(classifyTrackingUri('databricks'), 'databricks');
  for (const uri of ['sqlite:///abs/path/mlflow.db', 'file:///tmp/mlruns', './mlruns']) {
    const error = t.throws(() => mlflowConfigFromEnv({ MLFLOW_TRACKING_URI: uri }));
    t.true(isAnnealError(error, 'ANNEAL_ERR_TRACKING_URI'));
    t.true(error!.message.includes('anneal speaks to MLflow over HTTP only'));
    t.true(error!.message.includes(`mlflow server --backend-store-uri ${uri} --host 127.0.0.1 --port 5000`));
    t.true(error!.message.includes('export MLFLOW_TRACKING_URI=http://127.0.0.1:5000'));
  }
  t.true(trackingUriError('file:///x').message.includes('MLFLOW_ALLOW_FILE_STORE'));
  t.false(trackingUriError('databricks').message.includes('--backend-store-uri'));
});

test('environment: defaults, overrides, credentials kept out of the URI', (t) => {
  t.is(mlflowConfigFromEnv({}), undefined);
  const c = mlflowConfigFromEnv({
    MLFLOW_TRACKING_URI: 'http://bob:pw1234@127.0.0.1:5000/',
    MLFLOW_EXPERIMENT_NAME: 'exp',
    MLFLOW_HTTP_REQUEST_MAX_RETRIES: '3',
    MLFLOW_HTTP_REQUEST_TIMEOUT: '7',
    MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '0.5',
    MLFLOW_TRACKING_INSECURE_TLS: 'true',
    HOME: '/nonexistent',
  })!;
  t.is(c.trackingUri, 'http://127.0.0.1:5000');
  t.is(c.experimentName, 'exp');
  t.deepEqual(c.http, { maxRetries: 3, backoffFactor: 0.5, backoffJitter: 1, timeoutSeconds: 7, respectRetryAfter: true });
  t.true(c.tls.insecure);
  t.deepEqual({ u: c.credentials.username, p: c.credentials.password }, { u: 'bob', p: 'pw1234' });
  const d = mlflowConfigFromEnv({ MLFLOW_TRACKING_URI: 'https://x.example', HOME: '/nonexistent' })!;
  t.deepEqual(d.http, { maxRetries: 7, backoffFactor: 2, backoffJitter: 1, timeoutSeconds: 120, respectRetryAfter: true });
  t.throws(() => mlflowConfigFromEnv({ MLFLOW_TRACKING_URI: 'http://x', MLFLOW_HTTP_REQUEST_MAX_RETRIES: '12' }), { message: /MLFLOW_HTTP_REQUEST_MAX_RETRIES/ });
  t.is(sanitizeTrackingUri('https://u:p@host:1/base/?q=1#h'), 'https://host:1/base');
  t.is(redact('a tok-123 b tok-123', ['tok-123']), 'a *** b ***');
});

test('~/.mlflow/credentials is read when the environment has no credentials', (t) => {
  const home = mkdtempSync(join(tmpdir(), 'anneal-cred-'));
  mkdirSync(join(home, '.mlflow'));
  writeFileSync(join(home, '.mlflow', 'credentials'), '[mlflow]\nmlflow_tracking_username = carol\nmlflow_tracking_password = pw-from-file\n');
  const c = mlflowConfigFromEnv({ MLFLOW_TRACKING_URI: 'http://h', HOME: home })!;
  t.is(c.credentials.username, 'carol');
  t.is(c.credentials.password, 'pw-from-file');
  const e = mlflowConfigFromEnv({ MLFLOW_TRACKING_URI: 'http://h', HOME: home, MLFLOW_TRACKING_USERNAME: 'dave', MLFLOW_TRACKING_PASSWORD: 'pw-env' })!;
  t.is(e.credentials.username, 'dave');
  t.is(e.credentials.password, 'pw-env');
  rmSync(home, { recursive: true, force: true });
});

test('keys: sanitized deterministically within 250 characters', (t) => {
  t.is(safeKey('train/loss'), 'train/loss');
  t.is(safeKey('a:b*c'), 'a_b_c');
  t.is(safeKey('/lead//x/../y/'), '_/lead/_/x/_/y/_');
  const long = 'k'.repeat(300);
  t.is(safeKey(long).length, LIMITS.maxKeyLength);
  t.is(safeKey(long), safeKey(long));
  t.not(safeKey(long), safeKey(`${'k'.repeat(299)}j`));
});

test('values: truncated to the limit with a marker, never splitting a surrogate pair', (t) => {
  const v = truncateValue('x'.repeat(7000), 6000);
  t.true(v.truncated);
  t.is(v.value.length, 6000);
  t.true(v.value.endsWith('...[truncated, 7000 chars]'));
  t.deepEqual(truncateValue('short', 6000), { value: 'short', truncated: false });
  const emoji = '😀'.repeat(4000);
  const e = truncateValue(emoji, 6000);
  t.false(/[\ud800-\udbff]\.\.\./.test(e.value));
  const p = prepareEntries({ b: 'x'.repeat(6001), a: 'ok', 'c:d': '1' }, 6000);
  t.deepEqual(Object.keys(p.entries), ['a', 'b', 'c_d']);
  t.deepEqual(p.truncated, ['b']);
  t.deepEqual(p.renamed, { 'c:d': 'c_d' });
});

test('metric lines to the wire: NaN/±Infinity as strings, integer steps and timestamps', (t) => {
  t.deepEqual(toWireMetric({ key: 'a', value: 'NaN', step: 1, timestamp: 2 }), { key: 'a', value: 'NaN', step: 1, timestamp: 2 });
  t.deepEqual(toWireMetric({ key: 'a', value: 'Infinity', step: 1.7, timestamp: 2.9 }), { key: 'a', value: 'Infinity', step: 1, timestamp: 2 });
  t.deepEqual(toWireMetric({ key: 'a', value: null, step: 0, timestamp: 0 }), { key: 'a', value: 'NaN', step: 0, timestamp: 0 });
  t.is(toWireMetric({ key: 'a', value: 'oops' }), undefined);
  t.is(toWireMetric('junk'), undefined);
});

test('log-batch splitting respects 1000 metrics and 100 params+tags per request', (t) => {
  const metrics = Array.from({ length: 2500 }, (_, i) => ({ key: 'm', value: i, step: i, timestamp: 0 }));
  const params = Array.from({ length: 150 }, (_, i) => ({ key: `p${i}`, value: 'v' }));
  const tags = Array.from({ length: 30 }, (_, i) => ({ key: `t${i}`, value: 'v' }));
  const batches = splitBatches({ params, tags, metrics });
  for (const b of batches) {
    t.true(b.metrics.length <= 1000);
    t.true(b.params.length + b.tags.length <= 100);
    t.true(b.metrics.length + b.params.length + b.tags.length <= 1000);
  }
  t.is(batches.reduce((s, b) => s + b.metrics.length, 0), 2500);
  t.is(batches.reduce((s, b) => s + b.params.length, 0), 150);
  t.is(batches.reduce((s, b) => s + b.tags.length, 0), 30);
});

test('mlflow-sync.json: per-target entries, and an unreadable file counts as empty', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'anneal-sync-'));
  const a = { ...emptyTarget('http://a'), mlflowRunId: 'r1', metricLinesDelivered: 10 };
  writeTargetState(dir, a);
  writeTargetState(dir, { ...emptyTarget('http://b'), mlflowRunId: 'r2' });
  t.is(readTargetState(dir, 'http://a').metricLinesDelivered, 10);
  t.is(readTargetState(dir, 'http://b').mlflowRunId, 'r2');
  t.is(readTargetState(dir, 'http://c').mlflowRunId, undefined);
  writeFileSync(join(dir, 'mlflow-sync.json'), '{"version":1,"tar');
  t.deepEqual(readSyncState(dir).targets, {});
  rmSync(dir, { recursive: true, force: true });
});

test('MLmodel YAML and alias rules', (t) => {
  const meta = { runId: 'l1', recipe: 'mlp', backend: 'cpu', annealVersion: '0.1.0' } as RunMeta;
  const { yaml, json } = mlmodelYaml({ mlflowRunId: 'abc', meta, files: ['model/weights.bin', 'model/weights.json'], created: new Date('2026-11-20T10:00:00.123Z') });
  t.regex(yaml, /^artifact_path: model\nflavors:\n {2}anneal:\n/);
  t.true(yaml.includes('    weights: "weights.bin"'));
  t.true(yaml.includes('run_id: "abc"'));
  t.true(yaml.includes('utc_time_created: "2026-11-20 10:00:00.123000"'));
  t.is(json.run_id, 'abc');
  t.notThrows(() => validateAlias('champion'));
  for (const bad of ['latest', 'v3', 'has space', '']) t.throws(() => validateAlias(bad), { message: /invalid model alias/ });
});

test('createTrackerFromEnv: the local store without a URI, the MLflow tracker with one (no network at construction)', async (t) => {
  const store = tempStore();
  t.is(createTrackerFromEnv({ env: {}, store }), store);
  t.is(createTrackerFromEnv({ env: { MLFLOW_TRACKING_URI: '' }, store }), store);
  const tracker = createTrackerFromEnv({ env: { MLFLOW_TRACKING_URI: 'http://127.0.0.1:9/' }, store });
  t.true(tracker instanceof MlflowTracker);
  t.is(tracker.location, 'http://127.0.0.1:9');
  t.is(tracker.kind, 'mlflow');
  await tracker.close();
  rmSync(store.home, { recursive: true, force: true });
});

test('CLI: usage errors exit 2, unknown subcommands are named', async (t) => {
  const err: string[] = [];
  const out: string[] = [];
  const io = { env: {}, out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
  t.is(await runMlflowCommand(['frobnicate'], io), 2);
  t.true(err.join('\n').includes("unknown command 'anneal mlflow frobnicate'"));
  t.is(await runMlflowCommand(['up', '--port', 'eighty'], io), 2);
  t.is(await runMlflowCommand(['sync', '--bogus'], io), 2);
  t.is(await runModelsCommand(['register', 'only-one-arg'], io), 2);
  t.is(await runModelsCommand(['register', 'r', 'm', '--alias', 'latest'], io), 2);
  t.is(await runMlflowCommand(['--help'], io), 0);
  t.true(out.join('\n').includes('anneal mlflow sync [run-id ...]'));
  err.length = 0;
  t.is(await runMlflowCommand(['sync'], io), 1, 'no MLFLOW_TRACKING_URI');
  t.true(err.join('\n').includes('MLFLOW_TRACKING_URI is not set'));
});

test('`anneal mlflow up` without mlflow installed says exactly how to install it', async (t) => {
  const cwd = mkdtempSync(join(tmpdir(), 'anneal-up-'));
  const err: string[] = [];
  const code = await runMlflowUp({ env: { PATH: '/nonexistent' }, cwd, out: () => {}, err: (l) => err.push(l) });
  t.is(code, 1);
  t.is(err.join('\n'), INSTALL_HINT);
  t.true(INSTALL_HINT.includes(`python3 -m venv .mlflow-venv && .mlflow-venv/bin/pip install mlflow==${PINNED_MLFLOW_VERSION}`));
  rmSync(cwd, { recursive: true, force: true });
});
