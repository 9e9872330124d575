import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MlflowClient } from '@anneal/tracker-mlflow';
import { startMlflowServer, type MlflowTestServer } from '@anneal/tracker-mlflow/testing';
import { runCli } from '../helpers/run-cli.js';

let server: MlflowTestServer;
test.before(async () => {
  server = await startMlflowServer();
});
test.after.always(async () => {
  await server?.stop();
});

const tags = (run: { data?: { tags?: { key: string; value: string }[] } }) => Object.fromEntries((run.data?.tags ?? []).map((t) => [t.key, t.value]));
const params = (run: { data?: { params?: { key: string; value: string }[] } }) => Object.fromEntries((run.data?.params ?? []).map((t) => [t.key, t.value]));

test.serial('anneal run against a real MLflow server: parent + nested runs, params, tags, metric histories, artifacts, a registered model with an alias', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'anneal-mlflow-cli-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  const env = { ANNEAL_HOME: home, MLFLOW_TRACKING_URI: server.uri, MLFLOW_TRACKING_TOKEN: 'secret-token-123' };
  const r = await runCli(['run', 'mlp-smoke', '--set', 'training.epochs=1', '--set', 'dataset.config.trainSize=500', '--register-model', 'anneal-smoke', '--alias', 'candidate'], { env });
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /registered model 'anneal-smoke' version \d+ \(alias 'candidate'\)/);

  const client = new MlflowClient({ trackingUri: server.uri });
  const experiment = await client.getExperimentByName('mlp-smoke');
  t.truthy(experiment, 'experiment named after the recipe');
  const { runs } = await client.searchRuns({ experimentIds: [experiment!.experiment_id] });
  t.is(runs.length, 3);
  const parent = runs.find((x) => !tags(x)['mlflow.parentRunId'])!;
  const children = runs.filter((x) => tags(x)['mlflow.parentRunId'] === parent.info.run_id);
  t.is(children.length, 2);
  for (const run of runs) t.is(run.info.status, 'FINISHED');

  for (const child of children) {
    const tg = tags(child);
    t.is(tg.recipe, 'mlp-smoke');
    t.is(tg.backend, 'cpu');
    t.truthy(tg['mlflow.runName']);
    t.truthy(tg['mlflow.user']);
    t.truthy(tg['anneal.version']);
    const p = params(child);
    t.is(p['optimizer.config.learningRate'], '0.1');
    t.is(p['plugin_versions.clip-global-norm'], 'clip-global-norm@0.1.0');
    t.false(JSON.stringify({ p, tg }).includes('secret-token-123'), 'credentials never stored');
    for (const [key, count] of [['train/loss', 10], ['grad/norm_pre_clip', 10], ['train/lr', 10], ['test/accuracy', 1]] as const) {
      t.is((await client.getMetricHistory(child.info.run_id, key)).length, count, `${key} history`);
    }
    const files = (await client.listArtifactsRecursive(child.info.run_id)).map((f) => f.path);
    for (const f of ['config.json', 'model/weights.bin', 'model/weights.json', 'model/model-card.md', 'model/MLmodel', 'plots/training-curves.svg', 'run.log']) t.true(files.includes(f), `${f} in ${files.join(', ')}`);
  }
  const noisy = children.find((c) => tags(c)['anneal.variant'] === 'noise')!;
  t.is((await client.getMetricHistory(noisy.info.run_id, 'noise/std')).length, 10);
  const parentFiles = (await client.listArtifactsRecursive(parent.info.run_id)).map((f) => f.path);
  // The parent's report: the same files as a sweep's (one report pipeline); curves.svg holds test/accuracy by variant.
  for (const f of ['summary.md', 'summary.json', 'summary.csv', 'plots/curves.svg', 'plots/final-test-accuracy.svg']) t.true(parentFiles.includes(f), f);

  const aliased = await client.getModelVersionByAlias('anneal-smoke', 'candidate');
  t.true(children.some((c) => c.info.run_id === aliased.run_id), 'the alias points at a version made from one of the runs');
  const ls = await runCli(['models', 'ls', '--json'], { env });
  t.is(ls.code, 0, ls.stderr);
  t.regex(ls.stdout, /anneal-smoke/);
});
