import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMlflowServer, type MlflowTestServer } from '@anneal/tracker-mlflow/testing';
import { TINY, runToEnd, tempHome } from '../sweep/sweep-cli.js';

let server: MlflowTestServer | undefined;

test.before(async () => {
  server = await startMlflowServer();
});

test.after.always(async () => {
  await server?.dispose();
});

interface JsonReport {
  target: { kind: string; id: string; source: string };
  counts: { finished: number; planned?: number };
  summary: { rows: { variant: string; runs: number; ours: Record<string, number>; steps: number }[] };
  runs: { runId: string; mlflowRunId?: string; trialId: string; budget: { epochs?: number; steps?: number } }[];
}

test('a sweep tracked in MLflow: anneal report reads it back through runs/search (sweep id and recipe) and agrees with the local store', async (t) => {
  const home = tempHome(t);
  const env = { ANNEAL_HOME: home, MLFLOW_TRACKING_URI: server!.uri, MLFLOW_EXPERIMENT_NAME: `sweep-report-${Date.now()}` };
  const sweep = await runToEnd(['sweep', 'mlp-smoke', '--workers', '2', '--seed', '1', '--seed', '2', ...TINY, '--json', '--no-plots'], env);
  t.is(sweep.code, 0, sweep.stderr);
  const { sweepId } = JSON.parse(sweep.stdout) as { sweepId: string };

  const fromMlflow = await runToEnd(['report', sweepId, '--source', 'mlflow', '--format', 'json', '--out', join(home, 'rep-mlflow')], env);
  t.is(fromMlflow.code, 0, fromMlflow.stderr);
  const m = JSON.parse(fromMlflow.stdout) as JsonReport;
  t.is(m.target.source, 'mlflow');
  t.is(m.target.id, sweepId, 'the sweep is found by its anneal.run_id tag');
  t.is(m.counts.planned, 4, 'the trial list comes from the sweep.json artifact in MLflow');
  t.is(m.counts.finished, 4);
  t.true(m.runs.every((r) => r.mlflowRunId && r.mlflowRunId !== r.runId), 'runs carry their MLflow ids');
  t.true(m.runs.every((r) => r.budget.steps === 10 && r.budget.epochs === 1), JSON.stringify(m.runs.map((r) => r.budget)));
  const curves = readFileSync(join(home, 'rep-mlflow', 'curves.svg'), 'utf8');
  t.true(curves.startsWith('<svg') && curves.length > 5000, 'curves from MLflow metric histories');

  const fromLocal = await runToEnd(['report', sweepId, '--source', 'local', '--format', 'json', '--no-plots', '--out', join(home, 'rep-local')], env);
  t.is(fromLocal.code, 0, fromLocal.stderr);
  const l = JSON.parse(fromLocal.stdout) as JsonReport;
  t.deepEqual(m.summary.rows, l.summary.rows, 'MLflow and the local store give the same table');
  t.deepEqual(m.runs.map((r) => r.runId).sort(), l.runs.map((r) => r.runId).sort());

  const byRecipe = await runToEnd(['report', 'mlp-smoke', '--source', 'mlflow', '--format', 'json', '--no-plots', '--out', join(home, 'rep-recipe')], env);
  t.is(byRecipe.code, 0, byRecipe.stderr);
  const r = JSON.parse(byRecipe.stdout) as JsonReport;
  t.is(r.target.kind, 'recipe');
  t.deepEqual(r.summary.rows, l.summary.rows);
});
