// Against a REAL MLflow server (the pinned .mlflow-venv; see scripts/ensure-mlflow-venv.sh).
import test from 'ava';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { currentGitCommit, isAnnealError, type LocalRunStore } from '@anneal/core';
import { MlflowClient } from './client/mlflow-client.js';
import { createTrackerFromEnv } from './tracker/create-tracker.js';
import { MlflowTracker } from './tracker/mlflow-tracker.js';
import { installKillSignalHandlers, killableTracker } from './tracker/kill-signals.js';
import { syncRuns } from './sync/sync-runs.js';
import { listModels, registerModel } from './registry/register-model.js';
import { runMlflowCommand, runModelsCommand } from './cli/commands.js';
import { readSyncState } from './spool/sync-state.js';
import { startMlflowServer, type MlflowTestServer } from './testing/mlflow-server.js';
import { freePort } from './testing/mlflow-server.js';
import { STEP_KEYS, historyCounts, logSyntheticRun, paramMap, runsByLocalId, tagMap, tempStore, waitFor } from './testing/fixtures.js';

let server: MlflowTestServer;
let client: MlflowClient;
const homes: LocalRunStore[] = [];
const logs: string[] = [];
const log = (l: string) => logs.push(l);

function envFor(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { MLFLOW_TRACKING_URI: server.uri, MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '0.05', MLFLOW_HTTP_REQUEST_MAX_RETRIES: '2', MLFLOW_HTTP_REQUEST_TIMEOUT: '20', ...extra };
}

function newTracker(store: LocalRunStore, extra: Record<string, string> = {}): MlflowTracker {
  const tracker = createTrackerFromEnv({ env: envFor(extra), store, log, deliveryIntervalMs: 200, maxRetryIntervalMs: 1000, endTimeoutMs: 30_000 });
  if (!(tracker instanceof MlflowTracker)) throw new Error('expected an MlflowTracker');
  return tracker;
}

function store(): LocalRunStore {
  const s = tempStore();
  homes.push(s);
  return s;
}

async function experimentId(name: string): Promise<string> {
  const exp = await client.getExperimentByName(name);
  if (!exp) throw new Error(`no experiment ${name}`);
  return exp.experiment_id;
}

test.before(async () => {
  server = await startMlflowServer();
  client = new MlflowClient({ trackingUri: server.uri });
});

test.after.always(async () => {
  await server?.dispose();
  for (const s of homes) rmSync(s.home, { recursive: true, force: true });
});

test.serial('a finished run: status, params (truncated deterministically), tags, exact metric histories, artifacts', async (t) => {
  const st = store();
  const tracker = newTracker(st);
  const longValue = 'x'.repeat(7000);
  const { run, counts } = await logSyntheticRun(tracker, { runName: 'finished-run', recipe: 'mlp-quick' }, { steps: 1500, epochEvery: 500, params: { 'model.layers': longValue, 'weird key:with*chars': 'v' } });
  await run.logMetrics([
    { key: 'special', value: Number.NaN, step: 0, timestamp: 1 },
    { key: 'special', value: Number.POSITIVE_INFINITY, step: 1, timestamp: 1 },
    { key: 'special', value: Number.NEGATIVE_INFINITY, step: 2, timestamp: 1 },
  ]);
  const weights = new Uint8Array(40_000).map((_, i) => (i * 7) % 256);
  await run.logArtifact('config.json', JSON.stringify({ recipe: 'mlp-quick', plan: ['clip', 'noise'] }));
  await run.logArtifact('model/weights.bin', weights);
  await run.logArtifact('model/weights.json', JSON.stringify([{ name: 'dense/kernel', shape: [784, 100], offset: 0 }]));
  await run.logArtifact('model/model-card.md', '# model card\n');
  await run.logArtifact('plots/training-curves.svg', '<svg xmlns="http://www.w3.org/2000/svg"></svg>');
  await run.logArtifact('run.log', 'step 1 loss 2.3\n');
  await run.end('FINISHED');
  await tracker.close();

  const exp = await experimentId('mlp-quick');
  const found = await runsByLocalId(client, [exp], run.runId);
  t.is(found.length, 1, 'exactly one MLflow run');
  const mlRun = await client.getRun(found[0].info.run_id);
  t.is(mlRun.info.status, 'FINISHED');
  t.truthy(mlRun.info.end_time);
  t.is(mlRun.info.run_name, 'finished-run');

  const params = paramMap(mlRun);
  t.is(params['optimizer.lr'], '0.01');
  t.is(params['plugin.noise.eta'], '0.3');
  t.true(params['model.layers'].length <= 6000);
  t.true(params['model.layers'].endsWith('...[truncated, 7000 chars]'));
  t.is(params['weird key_with_chars'], 'v');
  const tags = tagMap(mlRun);
  t.is(tags['mlflow.runName'], 'finished-run');
  t.is(tags['mlflow.source.type'], 'LOCAL');
  t.is(tags['mlflow.source.name'], 'anneal run mlp-quick');
  t.truthy(tags['mlflow.user']);
  t.is(tags.recipe, 'mlp-quick');
  t.is(tags.backend, 'cpu');
  t.is(tags['anneal.version'], '0.1.0');
  t.is(tags['anneal.run_id'], run.runId);
  t.is(tags['anneal.truncated_params'], 'model.layers');
  t.is(tags.variant, 'noise');
  const commit = currentGitCommit();
  if (commit) t.is(tags['mlflow.source.git.commit'], commit);

  const server_counts = await historyCounts(client, mlRun.info.run_id, [...STEP_KEYS, 'test/accuracy']);
  t.deepEqual(server_counts, counts);
  const special = await client.getMetricHistory(mlRun.info.run_id, 'special');
  t.deepEqual(
    special.sort((a, b) => (a.step ?? 0) - (b.step ?? 0)).map((m) => m.value),
    ['NaN', 1.7976931348623157e308, -1.7976931348623157e308],
  );

  const files = (await client.listArtifactsRecursive(mlRun.info.run_id)).map((f) => f.path);
  t.deepEqual(files, st.listArtifacts(run.runId));
  const downloaded = await client.downloadArtifact(mlRun.info.artifact_uri!, 'model/weights.bin');
  t.deepEqual(new Uint8Array(downloaded), weights);

  const state = readSyncState(st.runDir(run.runId)).targets[server.uri];
  t.is(state.mlflowRunId, mlRun.info.run_id);
  t.is(state.metricLinesDelivered, readFileSync(join(st.runDir(run.runId), 'metrics.jsonl'), 'utf8').trim().split('\n').length);
  t.is(state.statusDelivered, 'FINISHED');
});

test.serial('FAILED and KILLED runs, and SIGTERM ends active runs as KILLED', async (t) => {
  const st = store();
  const tracker = newTracker(st);
  const failed = await logSyntheticRun(tracker, { runName: 'failing', recipe: 'status-recipe' }, { steps: 20 });
  await failed.run.end('FAILED', 'Error: loss became NaN at step 20');
  const killed = await logSyntheticRun(tracker, { runName: 'killed', recipe: 'status-recipe' }, { steps: 20 });
  await killed.run.end('KILLED', 'interrupted');

  // The signal path: a killable tracker ends whatever is active when SIGTERM arrives.
  const killable = killableTracker(tracker);
  const signalled = await logSyntheticRun(killable, { runName: 'signalled', recipe: 'status-recipe' }, { steps: 20 });
  const done = new Promise<string>((resolvePromise) => {
    const remove = installKillSignalHandlers(killable, { onKilled: (sig) => (remove(), resolvePromise(sig)), log });
  });
  process.emit('SIGTERM' as never);
  t.is(await done, 'SIGTERM');
  t.is(killable.activeRuns().length, 0);

  const exp = await experimentId('status-recipe');
  const statusOf = async (localId: string) => (await runsByLocalId(client, [exp], localId))[0];
  const f = await statusOf(failed.run.runId);
  t.is(f.info.status, 'FAILED');
  t.is(tagMap(f)['anneal.error'], 'Error: loss became NaN at step 20');
  t.is((await statusOf(killed.run.runId)).info.status, 'KILLED');
  const s = await statusOf(signalled.run.runId);
  t.is(s.info.status, 'KILLED');
  t.truthy(s.info.end_time);
  t.is(st.readMeta(signalled.run.runId).status, 'KILLED');
});

test.serial('a resumed run continues the same MLflow run: KILLED → RUNNING → FINISHED, both parts of the history', async (t) => {
  const st = store();
  const first = newTracker(st);
  const a = await logSyntheticRun(first, { runName: 'resumable', recipe: 'resume-recipe' }, { steps: 100 });
  await a.run.end('KILLED', 'interrupted by SIGINT');
  await first.close();
  const second = newTracker(st);
  const resumed = await second.startRun({ runId: a.run.runId, runName: 'resumable', recipe: 'resume-recipe', seed: 1, backend: 'cpu' });
  await resumed.logParams({ 'optimizer.name': 'sgd', 'optimizer.lr': '0.01' });
  await waitFor(async () => (await client.getRun(resumed.deliverer.mlflowRunId ?? a.run.runId).catch(() => undefined))?.info.status === 'RUNNING', 15_000, 'the MLflow run to be RUNNING again');
  const b = await logSyntheticRun(second, { runName: 'unused' }, { run: resumed, steps: 50, startStep: 100 });
  await resumed.end('FINISHED');
  await second.close();
  const exp = await experimentId('resume-recipe');
  const found = await runsByLocalId(client, [exp], a.run.runId);
  t.is(found.length, 1);
  t.is(found[0].info.status, 'FINISHED');
  const counts = await historyCounts(client, found[0].info.run_id, STEP_KEYS);
  for (const k of STEP_KEYS) t.is(counts[k], a.counts[k] + b.counts[k]);
});

test.serial('nested runs: children carry mlflow.parentRunId of the parent MLflow run, in the same experiment', async (t) => {
  const st = store();
  const tracker = newTracker(st);
  const parent = await tracker.startRun({ runName: 'sweep', recipe: 'table1-quick', seed: 0, backend: 'cpu' });
  await parent.logParams({ 'sweep.seeds': '[1,2,3]' });
  const children = [];
  for (const seed of [1, 2, 3]) {
    const c = await logSyntheticRun(tracker, { runName: `seed-${seed}`, recipe: 'table1-quick', seed, parentRunId: parent.runId, variant: 'noise' }, { steps: 50 });
    await c.run.end('FINISHED');
    children.push(c.run);
  }
  await parent.logArtifact('summary.csv', 'variant,seed,test_error\nnoise,1,0.1\n');
  await parent.end('FINISHED');
  await tracker.close();

  const exp = await experimentId('table1-quick');
  const [p] = await runsByLocalId(client, [exp], parent.runId);
  t.truthy(p);
  for (const c of children) {
    const found = await runsByLocalId(client, [exp], c.runId);
    t.is(found.length, 1);
    t.is(tagMap(found[0])['mlflow.parentRunId'], p.info.run_id);
    t.is(found[0].info.experiment_id, p.info.experiment_id);
    t.is(found[0].info.status, 'FINISHED');
  }
  const { runs } = await client.searchRuns({ experimentIds: [exp], filter: `tags.\`mlflow.parentRunId\` = '${p.info.run_id}'` });
  t.is(runs.length, 3);
  t.deepEqual((await client.listArtifacts(p.info.run_id)).map((f) => f.path), ['summary.csv']);
});

test.serial('offline run: spooled while the server is unreachable, then `sync` delivers it exactly once (twice = no duplicates)', async (t) => {
  const st = store();
  const deadPort = await freePort();
  const offline = createTrackerFromEnv({
    env: { MLFLOW_TRACKING_URI: `http://127.0.0.1:${deadPort}`, MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '0.01', MLFLOW_HTTP_REQUEST_MAX_RETRIES: '1' },
    store: st,
    log,
    deliveryIntervalMs: 100,
    maxRetryIntervalMs: 300,
    unreachableEndTimeoutMs: 500,
  });
  const parent = await offline.startRun({ runName: 'offline-parent', recipe: 'offline-recipe', seed: 0, backend: 'cpu' });
  const child = await logSyntheticRun(offline, { runName: 'offline-child', recipe: 'offline-recipe', parentRunId: parent.runId }, { steps: 1200, epochEvery: 400 });
  await child.run.logArtifact('model/weights.bin', new Uint8Array([1, 2, 3]));
  await child.run.logArtifact('model/weights.json', '[]');
  const t0 = Date.now();
  await child.run.end('FINISHED');
  await parent.end('FINISHED');
  await offline.close();
  t.true(Date.now() - t0 < 10_000, 'end() is bounded when the server is down');
  t.true(logs.some((l) => l.includes(`anneal mlflow sync ${child.run.runId}`)), 'end() says how to sync');

  const env = envFor();
  const first = await syncRuns({ env, store: st, log });
  t.true(first.ok);
  t.deepEqual(first.runs.map((r) => r.runId), [parent.runId, child.run.runId], 'parents first');
  t.true(first.runs.every((r) => r.complete));
  const exp = await experimentId('offline-recipe');
  const check = async () => {
    const found = await runsByLocalId(client, [exp], child.run.runId);
    t.is(found.length, 1, 'one MLflow run for the child');
    t.is(found[0].info.status, 'FINISHED');
    t.deepEqual(await historyCounts(client, found[0].info.run_id, [...STEP_KEYS, 'test/accuracy']), child.counts);
    const params = (await client.getRun(found[0].info.run_id)).data?.params ?? [];
    t.is(params.length, 5);
    const [p] = await runsByLocalId(client, [exp], parent.runId);
    t.is(tagMap(found[0])['mlflow.parentRunId'], p.info.run_id);
  };
  await check();

  // Nothing left: a second sync of everything does nothing; an explicit re-sync re-sends nothing new.
  const second = await syncRuns({ env, store: st, log });
  t.deepEqual(second.runs, []);
  const third = await syncRuns({ env, store: st, log, runIds: [child.run.runId, parent.runId] });
  t.true(third.runs.every((r) => r.complete && r.sent.metrics === 0 && r.sent.params === 0));
  await check();

  // Lost progress (e.g. the run create timed out, or mlflow-sync.json was lost): sync finds the run by
  // its anneal.run_id tag and re-sends everything, and the server keeps one row per metric point.
  rmSync(join(st.runDir(child.run.runId), 'mlflow-sync.json'));
  const out: string[] = [];
  const code = await runMlflowCommand(['sync', child.run.runId, '--json'], { env: { ...env, ANNEAL_HOME: st.home }, out: (l) => out.push(l), err: log });
  t.is(code, 0);
  const report = JSON.parse(out.join('\n'));
  t.true(report.runs[0].complete);
  t.is(report.runs[0].sent.metrics, 1200 * STEP_KEYS.length + 3);
  await check();
});

test.serial('model registry: register with an alias, MLmodel uploaded, idempotent re-register, models ls', async (t) => {
  const st = store();
  const tracker = newTracker(st);
  const { run } = await logSyntheticRun(tracker, { runName: 'to-register', recipe: 'registry-recipe' }, { steps: 10 });
  await run.logArtifact('model/weights.bin', new Uint8Array(64));
  await run.logArtifact('model/weights.json', JSON.stringify([{ name: 'w', shape: [4, 4], offset: 0 }]));
  await run.end('FINISHED');
  const name = `anneal-mlp-${Date.now()}`;
  const reg = await registerModel({ tracker, runId: run.runId, name, alias: 'champion' });
  t.is(reg.version, '1');
  t.false(reg.reused);
  t.is(reg.status, 'READY');
  const byAlias = await client.getModelVersionByAlias(name, 'champion');
  t.is(byAlias.version, '1');
  t.is(byAlias.run_id, reg.mlflowRunId);
  t.true(byAlias.source!.endsWith(`/${reg.mlflowRunId}/artifacts/model`));
  const files = (await client.listArtifactsRecursive(reg.mlflowRunId)).map((f) => f.path);
  t.true(files.includes('model/MLmodel'));
  const mlmodel = (await client.downloadArtifact((await client.getRun(reg.mlflowRunId)).info.artifact_uri!, 'model/MLmodel')).toString('utf8');
  t.regex(mlmodel, /^artifact_path: model$/m);
  t.regex(mlmodel, /^ {2}anneal:$/m);
  t.true(mlmodel.includes(`run_id: "${reg.mlflowRunId}"`));
  t.true(st.listArtifacts(run.runId).includes('model/MLmodel'), 'MLmodel is also in the local run');

  const again = await registerModel({ tracker, runId: run.runId, name, alias: 'candidate' });
  t.true(again.reused);
  t.is(again.version, '1');
  await tracker.close();

  const models = await listModels({ env: envFor(), store: st });
  const m = models.find((x) => x.name === name);
  t.truthy(m);
  t.deepEqual(m!.aliases, { champion: '1', candidate: '1' });
  t.is(m!.versions.length, 1);
  t.deepEqual(m!.versions[0].aliases.sort(), ['candidate', 'champion']);

  const out: string[] = [];
  t.is(await runModelsCommand(['ls'], { env: envFor({ ANNEAL_HOME: st.home }), out: (l) => out.push(l), err: log }), 0);
  t.true(out.some((l) => l.startsWith(name) && l.includes('@champion→v1')));
  // A run without model artifacts cannot be registered.
  const bare = await logSyntheticRun(newTracker(st), { runName: 'bare', recipe: 'registry-recipe' }, { steps: 1 });
  await bare.run.end('FINISHED');
  const err: string[] = [];
  t.is(await runModelsCommand(['register', bare.run.runId, name], { env: envFor({ ANNEAL_HOME: st.home }), out: log, err: (l) => err.push(l) }), 1);
  t.true(err.join('\n').includes('has no model artifacts'));
});

test.serial('registering while the run is still open (the runner\'s afterTrial) reuses the live delivery: one run, every metric once', async (t) => {
  const st = store();
  const tracker = newTracker(st);
  const { run, counts } = await logSyntheticRun(tracker, { runName: 'register-open', recipe: 'registry-open' }, { steps: 400, epochEvery: 100 });
  await run.logArtifact('model/weights.bin', new Uint8Array(16));
  await run.logArtifact('model/weights.json', '[]');
  await run.flush();
  const name = `open-run-model-${Date.now()}`;
  // As run-command does: env + store, no tracker handle.
  const reg = await registerModel({ env: envFor(), store: st, runId: run.runId, name, alias: 'candidate', log });
  t.is(reg.version, '1');
  await run.logArtifact('run.log', 'done\n');
  await run.end('FINISHED');
  await tracker.close();
  const exp = await experimentId('registry-open');
  const found = await runsByLocalId(client, [exp], run.runId);
  t.is(found.length, 1);
  t.is(found[0].info.run_id, reg.mlflowRunId);
  t.is(found[0].info.status, 'FINISHED');
  t.deepEqual(await historyCounts(client, reg.mlflowRunId, [...STEP_KEYS, 'test/accuracy']), counts);
  t.deepEqual((await client.listArtifactsRecursive(reg.mlflowRunId)).map((f) => f.path), ['model/MLmodel', 'model/weights.bin', 'model/weights.json', 'run.log']);
});

test.serial('credentials never reach params, tags, artifacts, the spool state or the log', async (t) => {
  const st = store();
  const secret = 'tok-3f9a1c2e-very-secret';
  const password = 'pw-81d0c6-hunter2';
  const tracker = newTracker(st, { MLFLOW_TRACKING_TOKEN: secret, MLFLOW_TRACKING_PASSWORD: password });
  const { run } = await logSyntheticRun(tracker, { runName: 'secretive', recipe: 'secret-recipe' }, { steps: 5, params: { 'env.token': secret, 'env.url': `https://user:${password}@example.com` } });
  await run.setTags({ note: `token=${secret}` });
  await run.logArtifact('run.log', `started with MLFLOW_TRACKING_TOKEN=${secret}\n`);
  await run.end('FINISHED');
  await tracker.close();
  const exp = await experimentId('secret-recipe');
  const [found] = await runsByLocalId(client, [exp], run.runId);
  const full = await client.getRun(found.info.run_id);
  const dump = JSON.stringify(full);
  t.false(dump.includes(secret));
  t.false(dump.includes(password));
  t.is(paramMap(full)['env.token'], '***');
  const logText = (await client.downloadArtifact(full.info.artifact_uri!, 'run.log')).toString('utf8');
  t.is(logText, 'started with MLFLOW_TRACKING_TOKEN=***\n');
  t.false(readFileSync(join(st.runDir(run.runId), 'mlflow-sync.json'), 'utf8').includes(secret));
  t.false(logs.join('\n').includes(secret));
});

test.serial('MLFLOW_EXPERIMENT_NAME and MLFLOW_RUN_ID: log into a named experiment, attach to an existing run', async (t) => {
  const st = store();
  const expName = `attach-exp-${Date.now()}`;
  const ids = await Promise.all([1, 2, 3, 4].map(() => client.getOrCreateExperiment(expName)));
  t.is(new Set(ids.map((r) => r.experiment.experiment_id)).size, 1, 'concurrent get-or-create gives one experiment');
  const existing = await client.createRun({ experimentId: ids[0].experiment.experiment_id, runName: 'made-elsewhere' });
  const tracker = newTracker(st, { MLFLOW_EXPERIMENT_NAME: expName, MLFLOW_RUN_ID: existing.info.run_id });
  const { run, counts } = await logSyntheticRun(tracker, { runName: 'attached', recipe: 'ignored-recipe' }, { steps: 30 });
  await run.end('FINISHED');
  const other = await logSyntheticRun(tracker, { runName: 'second', recipe: 'ignored-recipe' }, { steps: 3 });
  await other.run.end('FINISHED');
  await tracker.close();
  const attached = await client.getRun(existing.info.run_id);
  t.is(attached.info.status, 'FINISHED');
  t.is(attached.info.run_name, 'made-elsewhere', 'an attached run keeps its name');
  t.is(tagMap(attached)['anneal.run_id'], run.runId);
  t.deepEqual(await historyCounts(client, existing.info.run_id, STEP_KEYS), Object.fromEntries(STEP_KEYS.map((k) => [k, counts[k]])));
  const second = await runsByLocalId(client, [ids[0].experiment.experiment_id], other.run.runId);
  t.is(second.length, 1, 'only the first run attaches; later runs are new runs in MLFLOW_EXPERIMENT_NAME');
  t.not(second[0].info.run_id, existing.info.run_id);
  t.is(await client.getExperimentByName('ignored-recipe'), undefined);
});

test.serial('a sqlite: tracking URI is refused with the command that serves it', (t) => {
  const error = t.throws(() => createTrackerFromEnv({ env: { MLFLOW_TRACKING_URI: 'sqlite:///tmp/mlflow.db' }, store: store() }));
  t.true(isAnnealError(error, 'ANNEAL_ERR_TRACKING_URI'));
  t.true(error!.message.includes('mlflow server --backend-store-uri sqlite:///tmp/mlflow.db --host 127.0.0.1 --port 5000'));
  t.true(error!.message.includes('export MLFLOW_TRACKING_URI=http://127.0.0.1:5000'));
  t.true(createTrackerFromEnv({ env: {}, store: homes[0] }) === homes[0], 'no URI: the local store itself');
  writeFileSync(join(homes[0].home, 'touched'), '');
});
