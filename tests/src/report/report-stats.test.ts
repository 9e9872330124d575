import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalRunStore } from '@anneal/core';
import { LocalRunSource, buildReport, collectRuns, formatCsv, formatMarkdown, latestPerTrial, readMetricCurves, type RecipeFacts, type ReportRun } from '@anneal/registry';
import { runCli } from '../helpers/run-cli.js';
import { tempStore, writeRun, writeSweep } from './fake-store.js';

const EXP3 = 'mlp-table1-exp3';
const LR = 'optimizer.config.learningRate';
const TABLE1_FACTS: RecipeFacts = {
  name: EXP3,
  version: 1,
  paper: { table: 'Table 1, Exp. 3', metric: 'test/accuracy', values: { 'no-noise': { best: 95.7, average: 51.6 }, noise: { best: 97.0, average: 53.6 } } },
};
const facts = (f: RecipeFacts) => (name: string) => (name === f.name ? f : undefined);

/**
 * Table 1 runs (quick, test accuracy in %):
 *   no-noise lr 0.1: 10, 90, 50   (seed 1 also has an earlier FAILED attempt)
 *   no-noise lr 0.01: 20, 30
 *   noise lr 0.1: 95, 85, 97      (seed 1 also has an earlier FINISHED run at 11: superseded)
 *   noise lr 0.01: 40, and seed 2 FAILED
 * plus one full-protocol run (not quick) and one run of another recipe version, both left out.
 */
async function table1Store(store: LocalRunStore): Promise<void> {
  const base = { recipe: EXP3, quick: true, epochs: 16, batchSize: 32, trainSize: 20000 };
  const run = (variant: string, lr: number, seed: number, acc: number | null, extra: Partial<Parameters<typeof writeRun>[1]> = {}) =>
    writeRun(store, { ...base, trialId: `${variant}-${lr}-${seed}`, variant, setting: { [LR]: lr }, seed, status: acc === null ? 'FAILED' : 'FINISHED', final: acc === null ? undefined : { 'test/accuracy': acc / 100, 'test/error': 1 - acc / 100 }, steps: 10000, ...extra });
  await run('no-noise', 0.1, 1, null);
  await run('no-noise', 0.1, 1, 10);
  await run('no-noise', 0.1, 2, 90, { stepsFromMetrics: true });
  await run('no-noise', 0.1, 3, 50);
  await run('no-noise', 0.01, 1, 20);
  await run('no-noise', 0.01, 2, 30);
  await run('noise', 0.1, 1, 11);
  await run('noise', 0.1, 1, 95);
  await run('noise', 0.1, 2, 85);
  await run('noise', 0.1, 3, 97);
  await run('noise', 0.01, 1, 40);
  await run('noise', 0.01, 2, null);
  await writeRun(store, { ...base, quick: false, trialId: 'full-1', variant: 'noise', setting: { [LR]: 0.1 }, seed: 1, status: 'FINISHED', final: { 'test/accuracy': 0.5 } });
  await writeRun(store, { ...base, recipeVersion: 7, trialId: 'v7-1', variant: 'noise', setting: { [LR]: 0.1 }, seed: 1, status: 'FINISHED', final: { 'test/accuracy': 0.99 } });
}

const close = (t: { true(v: boolean, m?: string): void }, a: number, b: number, what: string) => t.true(Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);

test('Table 1 statistics by hand: best/average per variant (settings pooled), per setting, each trial once', async (t) => {
  const store = tempStore(t);
  await table1Store(store);
  const collected = await collectRuns(new LocalRunSource(store), EXP3, { quick: true, recipeFacts: facts(TABLE1_FACTS) });
  const report = buildReport(collected);
  t.is(report.layout, 'best-average');
  t.true(report.quick);
  const row = (v: string) => report.summary.rows.find((r) => r.variant === v)!;
  close(t, row('no-noise').ours.best, 90, 'no-noise best');
  close(t, row('no-noise').ours.average, (10 + 90 + 50 + 20 + 30) / 5, 'no-noise average');
  t.is(row('no-noise').runs, 5);
  close(t, row('noise').ours.best, 97, 'noise best');
  close(t, row('noise').ours.average, (95 + 85 + 97 + 40) / 4, 'noise average');
  t.is(row('noise').runs, 4);
  t.deepEqual(row('noise').paper, { best: 97.0, average: 53.6 });
  t.is(row('no-noise').steps, 10000);

  const cell = (v: string, lr: number) => report.settings.find((s) => s.variant === v && s.setting[LR] === lr)!;
  close(t, cell('no-noise', 0.1).average, 50, 'no-noise lr 0.1 average');
  close(t, cell('no-noise', 0.01).best, 30, 'no-noise lr 0.01 best');
  close(t, cell('noise', 0.1).average, (95 + 85 + 97) / 3, 'noise lr 0.1 average');
  close(t, cell('noise', 0.1).std, Math.sqrt(((95 - 92.3333333333) ** 2 + (85 - 92.3333333333) ** 2 + (97 - 92.3333333333) ** 2) / 2), 'noise lr 0.1 std');
  t.is(cell('noise', 0.01).runs, 1);
  t.is(cell('noise', 0.01).unfinished, 1);
  t.is(cell('no-noise', 0.1).unfinished, 0, 'the earlier failed attempt of a finished trial does not count');
  t.deepEqual(report.settings.map((s) => s.label), ['learningRate=0.01', 'learningRate=0.1', 'learningRate=0.01', 'learningRate=0.1']);
  t.is(cell('no-noise', 0.1).steps, 10000, 'steps from the epoch metric when there is no anneal.steps tag');

  t.is(report.counts.finished, 9);
  t.is(report.counts.failed, 1);
  t.is(report.counts.superseded, 2);
  t.true(report.notes.some((n) => /1 run\(s\) of other versions/.test(n)), report.notes.join('\n'));
  t.deepEqual(report.budget.map((b) => b.label), ['16 epochs, 10,000 updates/run, batch 32, 20,000 training examples', '16 epochs, 10,000 updates/run, batch 32, 20,000 training examples']);

  const md = formatMarkdown(report);
  t.regex(md, /\| no-noise +\| 90\.0% +\| 95\.7% +\| 40\.0% +\| 51\.6% +\| 5 +\| 10000 +\|/);
  t.regex(md, /\| noise +\| 97\.0% +\| 97\.0% +\| 79\.3% +\| 53\.6% +\| 4 +\| 10000 +\|/);
  const csv = formatCsv(report).trim().split('\n');
  t.is(csv[0], 'section,variant,setting,column,ours,paper,runs,epochs,steps');
  t.true(csv.includes('summary,noise,all,average test/accuracy,79.25,53.6,4,16,10000'), csv.join('\n'));
  t.true(csv.includes('setting,no-noise,learningRate=0.01,best test/accuracy,30,,2,16,10000'), csv.join('\n'));
});

test('recipe reports default to the full-protocol runs and fall back to quick ones', async (t) => {
  const store = tempStore(t);
  await table1Store(store);
  const source = new LocalRunSource(store);
  const full = buildReport(await collectRuns(source, EXP3, { recipeFacts: facts(TABLE1_FACTS) }));
  t.false(full.quick);
  t.is(full.counts.finished, 1);
  t.true(full.notes.some((n) => /12 quick run\(s\) left out/.test(n)), full.notes.join('\n'));
  const other = tempStore(t);
  await writeRun(other, { recipe: EXP3, quick: true, trialId: 'q', variant: 'noise', seed: 1, status: 'FINISHED', final: { 'test/accuracy': 0.9 } });
  const fallback = buildReport(await collectRuns(new LocalRunSource(other), EXP3, { recipeFacts: facts(TABLE1_FACTS) }));
  t.true(fallback.quick);
  t.true(fallback.notes.some((n) => /reporting its quick runs/.test(n)));
});

const TABLE2_FACTS: RecipeFacts = {
  name: 'memn2n-fake',
  version: 1,
  restarts: { count: 2, selectBy: 'train/error', mode: 'min' },
  paper: { table: 'Table 2, one-stage', metric: 'train/error', values: { 'no-noise': { 'train/error': 10.5, 'validation/error': 19.5 }, noise: { 'train/error': 9.6, 'validation/error': 16.6 } } },
};

test('Table 2 by hand: per task the restart with the lowest training error, mean over tasks, from a sweep id', async (t) => {
  const store = tempStore(t);
  // [variant, task, restart, train error %, validation error %]
  const rows: [string, number, number, number, number][] = [
    ['no-noise', 1, 0, 10, 20],
    ['no-noise', 1, 1, 5, 30],
    ['no-noise', 2, 0, 40, 50],
    ['no-noise', 2, 1, 60, 10],
    ['noise', 1, 0, 2, 12],
    ['noise', 1, 1, 3, 1],
    ['noise', 2, 0, 30, 35],
    ['noise', 2, 1, 20, 25],
  ];
  const ids = rows.map(([v, task, r]) => `${v}-${task}-${r}`);
  const sweepId = await writeSweep(store, { recipe: 'memn2n-fake', trialIds: [...ids, 'never-started'], quick: true, recipeFacts: TABLE2_FACTS as unknown as Record<string, unknown> });
  for (const [v, task, r, tr, va] of rows) {
    await writeRun(store, {
      recipe: 'memn2n-fake',
      quick: true,
      parentRunId: sweepId,
      trialId: `${v}-${task}-${r}`,
      variant: v,
      setting: { 'dataset.config.task': task },
      seed: 1,
      runSeed: 1000 + r,
      restart: r,
      status: 'FINISHED',
      final: { 'train/error': tr / 100, 'validation/error': va / 100 },
      steps: 1680,
      epochs: 60,
    });
  }
  // A run of the same recipe outside the sweep: not in a sweep report.
  await writeRun(store, { recipe: 'memn2n-fake', quick: true, trialId: 'outside', variant: 'noise', setting: { 'dataset.config.task': 1 }, seed: 1, status: 'FINISHED', final: { 'train/error': 0, 'validation/error': 0 } });

  const report = buildReport(await collectRuns(new LocalRunSource(store), sweepId.slice(0, 8), { recipeFacts: () => undefined }));
  t.is(report.layout, 'restart-selection');
  t.is(report.target.kind, 'sweep');
  t.is(report.target.id, sweepId);
  t.is(report.counts.planned, 9);
  t.is(report.counts.notRun, 1);
  t.is(report.counts.finished, 8);
  const task = (n: number) => report.tasks.find((x) => x.setting['dataset.config.task'] === n)!;
  t.deepEqual(task(1).variants['no-noise'].values, { 'train/error': 5, 'validation/error': 30 });
  t.deepEqual(task(2).variants['no-noise'].values, { 'train/error': 40, 'validation/error': 50 });
  t.deepEqual(task(1).variants.noise.values, { 'train/error': 2, 'validation/error': 12 });
  t.deepEqual(task(2).variants.noise.values, { 'train/error': 20, 'validation/error': 25 });
  t.is(task(1).variants.noise.restarts, 2);
  const row = (v: string) => report.summary.rows.find((r) => r.variant === v)!;
  close(t, row('no-noise').ours['train/error'], 22.5, 'no-noise mean train error');
  close(t, row('no-noise').ours['validation/error'], 40, 'no-noise mean validation error');
  close(t, row('noise').ours['train/error'], 11, 'noise mean train error');
  close(t, row('noise').ours['validation/error'], 18.5, 'noise mean validation error');
  t.is(row('noise').runs, 2, 'one selected restart per task');
  const md = formatMarkdown(report);
  t.regex(md, /\| mean \(ours\) +\| 22\.5% +\| 40\.0% +\| 11\.0% +\| 18\.5% +\|/);
  t.regex(md, /\| paper +\| 10\.5% +\| 19\.5% +\| 9\.6% +\| 16\.6% +\|/);
  t.regex(md, /60 epochs, 1,680 updates\/run/);
});

test('latestPerTrial: a finished run beats later failed/killed attempts; otherwise the latest attempt counts', (t) => {
  const r = (runId: string, trialId: string, status: ReportRun['status'], startTime: number): ReportRun => ({ runId, trialId, status, startTime, endTime: startTime + 1, recipe: 'x', setting: {}, seed: 1, quick: false, final: {}, budget: {} });
  const { counted, superseded } = latestPerTrial([r('a1', 'a', 'FINISHED', 1), r('a2', 'a', 'FAILED', 5), r('b1', 'b', 'KILLED', 1), r('b2', 'b', 'FAILED', 3), r('c1', 'c', 'FINISHED', 1), r('c2', 'c', 'FINISHED', 2)]);
  t.deepEqual(counted.map((x) => x.runId).sort(), ['a1', 'b2', 'c2']);
  t.deepEqual(superseded.map((x) => x.runId).sort(), ['a2', 'b1', 'c1']);
});

test('metrics reader: selected keys only, last value per step wins, non-finite and torn lines skipped', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'anneal-metrics-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'metrics.jsonl');
  const line = (key: string, value: unknown, step: number) => `${JSON.stringify({ key, value, step, timestamp: 1 })}\n`;
  writeFileSync(path, line('train/loss', 2, 0) + line('train/lr', 0.1, 0) + line('train/loss', 1.5, 1) + line('train/loss', 'NaN', 2) + line('train/loss', 1.4, 1) + line('train/loss_other', 9, 3) + line('test/accuracy', 0.5, 1) + '{"key":"train/loss","value":1,"st');
  const curves = readMetricCurves(path, ['train/loss', 'test/accuracy']);
  t.deepEqual([...curves.get('train/loss')!.entries()], [[0, 2], [1, 1.4]]);
  t.deepEqual([...curves.get('test/accuracy')!.entries()], [[1, 0.5]]);
  t.deepEqual([...readMetricCurves(join(dir, 'missing.jsonl'), ['x']).get('x')!.entries()], []);
  t.is(readFileSync(path, 'utf8').length > 0, true);
});

test('anneal report CLI: a recipe\'s runs as Table 1 beside the paper; md/csv/json and plots written to --out; a bad name suggests recipes', async (t) => {
  const store = tempStore(t);
  await table1Store(store);
  const out = join(store.home, 'out');
  const md = await runCli(['report', EXP3, '--quick', '--out', out], { env: { ANNEAL_HOME: store.home, MLFLOW_TRACKING_URI: '' } });
  t.is(md.code, 0, md.stderr);
  t.regex(md.stdout, /^# Table 1, Exp\. 3 \(Simple Init, gradient clip 10\)/m);
  t.regex(md.stdout, /\| no-noise +\| 90\.0% +\| 95\.7% +\| 40\.0% +\| 51\.6% +\| 5 +\| 10000 +\|/);
  t.regex(md.stdout, /16 epochs, 10,000 updates\/run, batch 32, 20,000 training examples/);
  t.regex(md.stderr, /9 finished, 1 failed/);
  const json = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { summary: { rows: { variant: string; runs: number }[] }; runs: unknown[]; plots: string[] };
  t.deepEqual(json.summary.rows.map((r) => [r.variant, r.runs]), [['no-noise', 5], ['noise', 4]]);
  t.is(json.runs.length, 10);
  t.deepEqual(json.plots, ['curves.svg', 'final-test-accuracy.svg']);
  t.true(readFileSync(join(out, 'report.csv'), 'utf8').startsWith('section,variant,setting'));
  t.true(readFileSync(join(out, 'curves.svg'), 'utf8').startsWith('<svg'));
  const csv = await runCli(['report', EXP3, '--quick', '--format', 'csv', '--no-plots', '--out', join(store.home, 'out2')], { env: { ANNEAL_HOME: store.home, MLFLOW_TRACKING_URI: '' } });
  t.is(csv.code, 0, csv.stderr);
  t.true(csv.stdout.includes('summary,no-noise,all,best test/accuracy,90,95.7,5,16,10000'), csv.stdout);
  const bad = await runCli(['report', 'mlp-table1-exp33'], { env: { ANNEAL_HOME: store.home, MLFLOW_TRACKING_URI: '' } });
  t.is(bad.code, 1);
  t.regex(bad.stderr, /'mlp-table1-exp33' is neither a registered recipe nor a sweep run in .*\. Did you mean 'mlp-table1-exp3'/);
});
