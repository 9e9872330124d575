// Fault tests against a REAL MLflow server that is killed (SIGKILL, like a crash) and restarted on
// the same port with the same database.
import test from 'ava';
import { rmSync } from 'node:fs';
import type { LocalRunStore } from '@anneal/core';
import { MlflowClient } from './client/mlflow-client.js';
import { createTrackerFromEnv } from './tracker/create-tracker.js';
import { MlflowTracker, type MlflowRunTracker } from './tracker/mlflow-tracker.js';
import { syncRuns } from './sync/sync-runs.js';
import { startMlflowServer, type MlflowTestServer } from './testing/mlflow-server.js';
import { STEP_KEYS, historyCounts, logSyntheticRun, runsByLocalId, tempStore, waitFor } from './testing/fixtures.js';

let server: MlflowTestServer;
let client: MlflowClient;
const stores: LocalRunStore[] = [];
const logs: string[] = [];

function newTracker(store: LocalRunStore): MlflowTracker {
  const tracker = createTrackerFromEnv({
    env: { MLFLOW_TRACKING_URI: server.uri, MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '0.05', MLFLOW_HTTP_REQUEST_MAX_RETRIES: '2', MLFLOW_HTTP_REQUEST_TIMEOUT: '5' },
    store,
    log: (l) => logs.push(l),
    deliveryIntervalMs: 100,
    maxRetryIntervalMs: 500,
    endTimeoutMs: 20_000,
    unreachableEndTimeoutMs: 1_000,
  });
  if (!(tracker instanceof MlflowTracker)) throw new Error('expected an MlflowTracker');
  return tracker;
}

/** Logs `steps` steps in chunks, yielding between chunks like a training loop does; returns the slowest call in ms. */
async function train(run: MlflowRunTracker, tracker: MlflowTracker, from: number, steps: number, counts: Record<string, number>): Promise<number> {
  let slowest = 0;
  for (let s = from; s < from + steps; s += 25) {
    const t0 = performance.now();
    await logSyntheticRun(tracker, { runName: 'unused' }, { run, steps: 25, startStep: s, epochEvery: 100 }).then((r) => {
      for (const [k, n] of Object.entries(r.counts)) counts[k] = (counts[k] ?? 0) + n;
    });
    await run.flush();
    slowest = Math.max(slowest, performance.now() - t0);
    await new Promise((r) => setTimeout(r, 5));
  }
  return slowest;
}

test.before(async () => {
  server = await startMlflowServer();
  client = new MlflowClient({ trackingUri: server.uri });
});

test.after.always(async () => {
  await server?.dispose();
  for (const s of stores) rmSync(s.home, { recursive: true, force: true });
});

test.serial('server killed mid-run and restarted: training does not wait, delivery catches up, every metric exactly once', async (t) => {
  const store = tempStore();
  stores.push(store);
  const tracker = newTracker(store);
  const run = await tracker.startRun({ runName: 'fault-mid-run', recipe: 'fault-recipe', seed: 3, backend: 'cpu' });
  await run.logParams({ 'optimizer.lr': '0.01' });
  const counts: Record<string, number> = {};
  await train(run, tracker, 0, 300, counts);
  await waitFor(() => run.deliverer.target.metricLinesDelivered > 0, 20_000, 'a first delivery');

  await server.stop({ hard: true });
  const slowestWhileDown = await train(run, tracker, 300, 600, counts);
  await waitFor(() => tracker.isFailing, 10_000, 'the deliverer to notice the server is gone');
  t.true(slowestWhileDown < 250, `a 25-step chunk took ${slowestWhileDown.toFixed(1)} ms while the server was down`);
  t.true(logs.some((l) => l.includes('is unreachable')));

  await server.start();
  await train(run, tracker, 900, 300, counts);
  // Delivery catches up during the run, before end().
  await waitFor(() => run.deliverer.pending().metricLines === 0, 30_000, 'the spool to drain after the restart');
  t.true(logs.some((l) => l.includes('reachable again')));
  await run.end('FINISHED');
  await tracker.close();

  const [found] = await runsByLocalId(client, [run.deliverer.experimentId!], run.runId);
  t.is(found.info.status, 'FINISHED');
  t.deepEqual(await historyCounts(client, found.info.run_id, [...STEP_KEYS, 'test/accuracy']), counts);
  t.is(counts['train/loss'], 1200);
  t.is((await runsByLocalId(client, [run.deliverer.experimentId!], run.runId)).length, 1);
});

test.serial('server down at end(): end() is bounded, the rest stays spooled, sync after the restart delivers it exactly once', async (t) => {
  const store = tempStore();
  stores.push(store);
  const tracker = newTracker(store);
  const run = await tracker.startRun({ runName: 'fault-at-end', recipe: 'fault-recipe', seed: 4, backend: 'cpu' });
  await run.logParams({ 'optimizer.lr': '0.02' });
  const counts: Record<string, number> = {};
  await train(run, tracker, 0, 200, counts);
  await waitFor(() => run.deliverer.target.metricLinesDelivered > 0, 20_000, 'a first delivery');
  await server.stop({ hard: true });
  await train(run, tracker, 200, 400, counts);
  await run.logArtifact('model/weights.bin', new Uint8Array(1024));
  const t0 = Date.now();
  await run.end('FINISHED');
  await tracker.close();
  t.true(Date.now() - t0 < 8_000, `end() took ${Date.now() - t0} ms with the server down`);
  t.true(logs.some((l) => l.includes(`anneal mlflow sync ${run.runId}`)));
  t.false(run.deliverer.isComplete());
  t.is(store.readMeta(run.runId).status, 'FINISHED', 'the local run is complete');

  await server.start();
  const env = { MLFLOW_TRACKING_URI: server.uri };
  const first = await syncRuns({ env, store, log: (l) => logs.push(l) });
  t.true(first.ok);
  t.is(first.runs.length, 1);
  t.true(first.runs[0].complete);
  const check = async () => {
    const found = await runsByLocalId(client, [run.deliverer.experimentId!], run.runId);
    t.is(found.length, 1);
    t.is(found[0].info.status, 'FINISHED');
    t.deepEqual(await historyCounts(client, found[0].info.run_id, [...STEP_KEYS, 'test/accuracy']), counts);
    t.deepEqual((await client.listArtifactsRecursive(found[0].info.run_id)).map((f) => f.path), ['model/weights.bin']);
  };
  await check();
  const second = await syncRuns({ env, store, log: (l) => logs.push(l) });
  t.deepEqual(second.runs, [], 'nothing left to sync');
  await check();
});
