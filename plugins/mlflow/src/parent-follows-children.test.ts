// Against a REAL MLflow server (the pinned .mlflow-venv; see scripts/ensure-mlflow-venv.sh).
import test from 'ava';
import { rmSync } from 'node:fs';
import type { LocalRunStore } from '@anneal/core';
import { MlflowClient } from './client/mlflow-client.js';
import { createTrackerFromEnv } from './tracker/create-tracker.js';
import { MlflowTracker, type MlflowRunTracker } from './tracker/mlflow-tracker.js';
import { startMlflowServer, type MlflowTestServer } from './testing/mlflow-server.js';
import { tempStore } from './testing/fixtures.js';

let server: MlflowTestServer;
let client: MlflowClient;
let store: LocalRunStore;
const logs: string[] = [];

/** A fresh tracker over the same store: a new `anneal` process. */
function newTracker(): MlflowTracker {
  const tracker = createTrackerFromEnv({ env: { MLFLOW_TRACKING_URI: server.uri, MLFLOW_EXPERIMENT_NAME: 'parent-follows' }, store, log: (l) => logs.push(l), deliveryIntervalMs: 200, endTimeoutMs: 30_000 });
  if (!(tracker instanceof MlflowTracker)) throw new Error('expected an MlflowTracker');
  return tracker;
}

const info = (runName: string, extra: Record<string, unknown> = {}) => ({ runName, recipe: 'states', seed: 1, backend: 'cpu', ...extra });

async function mlflowStatus(run: MlflowRunTracker): Promise<string> {
  return (await client.getRun(run.mlflowRunId!)).info.status;
}

test.before(async () => {
  server = await startMlflowServer();
  client = new MlflowClient({ trackingUri: server.uri });
  store = tempStore();
});

test.after.always(async () => {
  await server?.dispose();
  if (store) rmSync(store.home, { recursive: true, force: true });
});

test.serial('a KILLED parent in MLflow follows its resumed child: RUNNING while it trains, FINISHED when it ends', async (t) => {
  // First process: two trials, the second interrupted, the parent ends KILLED.
  const first = newTracker();
  const parent = (await first.startRun(info('parent', { tags: { 'anneal.trials': '2' } }))) as MlflowRunTracker;
  const a = (await first.startRun(info('a', { parentRunId: parent.runId, tags: { 'anneal.trial_id': 'A' } }))) as MlflowRunTracker;
  await a.end('FINISHED');
  const b = (await first.startRun(info('b', { parentRunId: parent.runId, tags: { 'anneal.trial_id': 'B' } }))) as MlflowRunTracker;
  await b.end('KILLED');
  await parent.end('KILLED', 'interrupted');
  await first.close();
  t.is(await mlflowStatus(parent), 'KILLED');
  t.is(await mlflowStatus(b), 'KILLED');

  // Second process: `anneal run --resume <b>`.
  const second = newTracker();
  const resumed = (await second.startRun(info('b', { runId: b.runId, parentRunId: parent.runId, tags: { 'anneal.trial_id': 'B' } }))) as MlflowRunTracker;
  const deadline = Date.now() + 20_000;
  while ((await mlflowStatus(parent)) !== 'RUNNING' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  t.is(await mlflowStatus(parent), 'RUNNING', 'the resumed trial makes the parent RUNNING in MLflow too');
  await resumed.end('FINISHED');
  t.is(store.readMeta(parent.runId).status, 'FINISHED');
  const parentRun = await client.getRun(parent.mlflowRunId!);
  t.is(parentRun.info.status, 'FINISHED', 'MLflow hears of it when the child ends');
  t.is(Number(parentRun.info.end_time), store.readMeta(parent.runId).endTime ?? Number.NaN);
  await second.close();
  t.deepEqual(logs.filter((l) => /has not heard yet/.test(l)), [], 'no delivery complaint');
});
