import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalRunStore } from '@anneal/core';
import { TINY, runToEnd, tempHome } from '../sweep/sweep-cli.js';

interface JsonReport {
  layout: string;
  summary: { rows: { variant: string; runs: number; ours: Record<string, number> }[]; table: string };
  comparisons: { what: string; test: string; verdict: string }[];
}

test("one pipeline: anneal run's parent summary and anneal report on the parent id give the same table", async (t) => {
  const home = tempHome(t);
  const env = { ANNEAL_HOME: home, MLFLOW_TRACKING_URI: '' };
  const run = await runToEnd(['run', 'mlp-smoke', '--seed', '1', '--seed', '2', '--seed', '3', ...TINY, '--json'], env);
  t.is(run.code, 0, run.stderr);
  const { parentRunId } = JSON.parse(run.stdout.slice(run.stdout.indexOf('{\n  "recipe"'))) as { parentRunId: string };
  const store = new LocalRunStore(home);
  const parent = JSON.parse(readFileSync(join(store.artifactsDir(parentRunId), 'summary.json'), 'utf8')) as JsonReport;
  t.is(parent.layout, 'best-average');
  t.deepEqual(parent.summary.rows.map((r) => [r.variant, r.runs]), [['no-noise', 3], ['noise', 3]]);
  t.true(parent.comparisons.some((c) => c.test === 'welch-t' && /^test\/accuracy, all settings$/.test(c.what)), JSON.stringify(parent.comparisons));
  const report = await runToEnd(['report', parentRunId, '--format', 'json', '--no-plots', '--out', join(home, 'rep')], env);
  t.is(report.code, 0, report.stderr);
  const again = JSON.parse(report.stdout) as JsonReport;
  t.deepEqual(again.summary.rows, parent.summary.rows, 'the same rows, from the store instead of the process');
  t.deepEqual(again.comparisons, parent.comparisons);
});
