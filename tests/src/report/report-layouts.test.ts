import test from 'ava';
import { join } from 'node:path';
import { buildReport, collectOutcomes, formatCsv, formatMarkdown, type RecipeFacts, type TrialOutcome } from '@anneal/registry';
import { runCli } from '../helpers/run-cli.js';
import { tempStore, writeRun, writeSweep } from './fake-store.js';

const LR = 'optimizer.config.learningRate';
const TASK = 'dataset.config.task';
const near = (t: { true(v: boolean, m?: string): void }, a: number, b: number, what: string, tol = 1e-9) => t.true(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

let next = 0;
const o = (variant: string, setting: Record<string, unknown>, seed: number, final: Record<string, number> | null): TrialOutcome => ({
  trialId: `t${next++}`,
  runId: `r${next}`,
  variant,
  setting,
  seed,
  status: final ? 'FINISHED' : 'FAILED',
  final: final ?? {},
  steps: 100,
});
const report = (facts: RecipeFacts, outcomes: readonly TrialOutcome[]) => buildReport(collectOutcomes(outcomes, { facts, quick: false, target: { kind: 'run', id: 'p', source: 'memory', location: 'memory' } }));

test('Table 3 (grid-best) by hand: per task the best over the rest of the grid and the seeds', (t) => {
  const acc = (v: string, task: string, lr: number, seed: number, a: number) => o(v, { [TASK]: task, [LR]: lr }, seed, { 'test/accuracy': a });
  const r = report({ name: 'np-fake', report: { layout: 'grid-best', metric: 'test/accuracy', taskKeys: [TASK] }, paper: { table: 'Table 3', metric: 'test/accuracy', values: { noise: { 'task=a': 96.5 } } } }, [
    acc('no-noise', 'a', 0.1, 1, 0.6), acc('no-noise', 'a', 0.1, 2, 0.7), acc('no-noise', 'a', 0.01, 1, 0.65), acc('no-noise', 'a', 0.01, 2, 0.66),
    acc('noise', 'a', 0.1, 1, 0.8), acc('noise', 'a', 0.1, 2, 0.9), acc('noise', 'a', 0.01, 1, 0.95), acc('noise', 'a', 0.01, 2, 0.5),
    acc('no-noise', 'b', 0.1, 1, 0.3), acc('noise', 'b', 0.1, 1, 0.4),
  ]);
  t.is(r.layout, 'grid-best');
  t.deepEqual(r.summary.columns, ['task=a', 'task=b']);
  const row = (v: string) => r.summary.rows.find((x) => x.variant === v)!;
  near(t, row('no-noise').ours['task=a'], 70, 'no-noise best on a');
  near(t, row('noise').ours['task=a'], 95, 'noise best on a (lr 0.01, seed 1)');
  near(t, row('noise').ours['task=b'], 40, 'noise best on b');
  t.is(row('noise').paper['task=a'], 96.5);
  const md = formatMarkdown(r);
  // noise on a: best 95 at lr 0.01; by mean over seeds lr 0.1 (85) beats lr 0.01 (72.5).
  t.regex(md, /\| task=a +\| noise +\| 95\.0% +\| learningRate=0\.01 +\| 85\.0% +\| learningRate=0\.1 +\| 4 +\|/);
  // no-noise on a: by mean over seeds lr 0.01 (65.5) beats lr 0.1 (65).
  t.regex(md, /\| task=a +\| no-noise +\| 70\.0% +\| learningRate=0\.1 +\| 65\.5% +\| learningRate=0\.01 +\| 4 +\|/);
  t.regex(md, /task=a: test\/accuracy over seeds at each arm's best setting .*too few runs to tell \(n < 3 per arm\)/);
});

test('Table 4 (success-rate) by hand: share of the same seeds reaching the threshold, Wilson intervals, Fisher test', (t) => {
  const err = (v: string, lr: number, seed: number, e: number | null) => o(v, { [LR]: lr }, seed, e === null ? null : { 'test/error': e });
  const r = report({ name: 'nram-fake', report: { layout: 'success-rate', metric: 'test/error', threshold: 0.01, reach: 'at-most' }, paper: { table: 'Table 4', metric: 'test/error', values: { 'no-noise': {}, noise: { 'learningRate=0.1': 90 } } } }, [
    err('no-noise', 0.1, 1, 0.005), err('no-noise', 0.1, 2, 0.2), err('no-noise', 0.1, 3, 0.3), err('no-noise', 0.1, 4, 0.008),
    err('noise', 0.1, 1, 0.001), err('noise', 0.1, 2, 0.004), err('noise', 0.1, 3, 0.009), err('noise', 0.1, 4, null),
    ...[1, 2, 3, 4].flatMap((s) => [err('no-noise', 0.01, s, 0.5), err('noise', 0.01, s, s === 2 ? 0.01 : 0.4)]),
  ]);
  const row = (v: string) => r.summary.rows.find((x) => x.variant === v)!;
  t.deepEqual(r.summary.columns, ['learningRate=0.01', 'learningRate=0.1']);
  // lr 0.1: noise seed 4 failed, so seed 4 is left out of both arms: no-noise 1/3, noise 3/3.
  near(t, row('no-noise').ours['learningRate=0.1'], 100 / 3, 'no-noise lr 0.1');
  near(t, row('noise').ours['learningRate=0.1'], 100, 'noise lr 0.1');
  // lr 0.01: 0.01 ≤ 0.01 reaches (at-most): noise 1/4, no-noise 0/4.
  near(t, row('noise').ours['learningRate=0.01'], 25, 'noise lr 0.01');
  near(t, row('no-noise').ours['learningRate=0.01'], 0, 'no-noise lr 0.01');
  t.true(r.notes.some((n) => n === 'learningRate=0.1: 1 run(s) left out of the success rates (their seed did not finish in every arm).'), r.notes.join('\n'));
  // Fisher 1/3 vs 3/3: margins 3,3 | 4,2; P(a) = C(3,a)·C(3,4−a)/C(6,4) = 3, 9, 3 (/15) for a = 1, 2, 3 → p = 6/15.
  const c = r.comparisons.find((x) => x.what.startsWith('learningRate=0.1'))!;
  near(t, c.p, 0.4, 'Fisher p');
  t.is(c.verdict, 'too few runs to tell apart (Fisher p = 0.400)');
  const md = formatMarkdown(r);
  // Wilson 1/3: centre (1/3 + 0.640243)/2.280487 = 0.426891, half 0.859448 · √(0.074074 + 0.106707) = 0.365442 → [6.1%, 79.2%].
  t.regex(md, /\| learningRate=0\.1 +\| no-noise +\| 1\/3 +\| 33\.3% +\| 6\.1%–79\.2% +\| – +\|/);
  t.regex(md, /\| learningRate=0\.1 +\| noise +\| 3\/3 +\| 100\.0% +\| 43\.9%–100\.0% +\| 90\.0% +\|/);
  t.true(formatCsv(r).includes('comparison,no-noise vs noise,learningRate=0.1: share with test/error ≤ 1%,fisher-exact p,0.4,,6,,'));
});

test('Table 5 (threshold-counts) by hand: runs under each error threshold beside the paper counts', (t) => {
  const err = (v: string, seed: number, e: number) => o(v, {}, seed, { 'test/error': e });
  const r = report({ name: 'gpu-fake', report: { layout: 'threshold-counts', metric: 'test/error', thresholds: [0.01, 0.1] }, paper: { table: 'Table 5', metric: 'test/error', values: { 'no-noise': { '< 1%': 1 }, noise: { '< 1%': 5 } }, runs: { 'no-noise': 10, noise: 10 } } }, [
    err('no-noise', 1, 0.005), err('no-noise', 2, 0.05), err('no-noise', 3, 0.2), err('no-noise', 4, 0.5),
    err('noise', 1, 0.001), err('noise', 2, 0.002), err('noise', 3, 0.05), err('noise', 4, 0.3),
  ]);
  t.deepEqual(r.summary.columns, ['< 1%', '< 10%']);
  t.deepEqual(r.summary.rows.map((x) => [x.variant, x.ours['< 1%'], x.ours['< 10%'], x.runs]), [['no-noise', 1, 2, 4], ['noise', 2, 3, 4]]);
  t.regex(r.summary.table, /\| noise +\| 2 +\| 5 +\| 3 +\| – +\| 4 +\| 100 +\|/);
  t.regex(formatMarkdown(r), /\| < 1% +\| noise +\| 2 +\| 4 +\| 50\.0% +\| 15\.0%–85\.0% +\| 5 of 10 +\|/);
  t.is(r.comparisons.length, 2);
});

test('threshold-counts with means: the mean ± std over seeds of each named metric, beside the counts, Welch test', (t) => {
  const metrics = [{ key: 'accuracy', direction: 'max' as const, combine: 'mean' as const, percent: true }, { key: 'error', direction: 'min' as const, combine: 'mean' as const, percent: true }];
  const run = (v: string, seed: number, a: number) => o(v, {}, seed, { 'test/accuracy': a, 'test/error': 1 - a });
  const r = report({ name: 'np-fake', metrics, report: { layout: 'threshold-counts', metric: 'test/error', thresholds: [0.0001], means: ['test/accuracy'] } }, [
    run('no-noise', 1, 0.5), run('no-noise', 2, 0.6), run('no-noise', 3, 0.7), run('noise', 1, 1), run('noise', 2, 0.9), run('noise', 3, 0.8),
  ]);
  t.deepEqual(r.summary.rows.map((x) => [x.variant, x.ours['< 0.01%']]), [['no-noise', 0], ['noise', 1]]);
  const md = formatMarkdown(r);
  t.regex(md, /## Mean ± std over seeds \(final values\)/);
  t.regex(md, /\| test\/accuracy +\| no-noise +\| 60\.0% ± 10\.0% +\| 50\.0%–70\.0% +\| 3 +\|/);
  t.regex(md, /\| test\/accuracy +\| noise +\| 90\.0% ± 10\.0% +\| 80\.0%–100\.0% +\| 3 +\|/);
  t.deepEqual(r.comparisons.map((c) => c.what), ['share with test/error < 0.01%', 'test/accuracy']);
});

test('PTB (mean-std) by hand: mean ± std per metric, lower perplexity is better from the declared MetricSpec, Welch test', (t) => {
  const metrics = [{ key: 'perplexity', direction: 'min' as const, combine: 'exp-mean' as const }];
  const ppl = (v: string, seed: number, test: number) => o(v, {}, seed, { 'test/perplexity': test, 'validation/perplexity': test + 5 });
  const runs = [ppl('no-noise', 1, 100), ppl('no-noise', 2, 110), ppl('no-noise', 3, 120), ppl('noise', 1, 95), ppl('noise', 2, 97), ppl('noise', 3, 99)];
  const r = report({ name: 'ptb-fake', metrics, report: { layout: 'mean-std', metric: 'test/perplexity', metrics: ['validation/perplexity'] }, paper: { table: 'PTB', metric: 'test/perplexity', values: { noise: { 'test/perplexity': 96.2 } } } }, runs);
  t.regex(r.summary.table, /\| no-noise +\| 110 ± 10 +\| – +\| 115 ± 10 +\| – +\| 3 +\| 100 +\|/);
  t.regex(r.summary.table, /\| noise +\| 97 ± 2 +\| 96\.2 +\| 102 ± 2 +\| – +\| 3 +\| 100 +\|/);
  // Welch: s²/n = 100/3 and 4/3; t = 13/√34.667 = 2.20794; df = 34.667² / ((100/3)²/2 + (4/3)²/2) = 2.15980.
  const c = r.comparisons.find((x) => x.what === 'test/perplexity')!;
  near(t, (c as unknown as { p: number }).p > 0.05 ? 1 : 0, 1, 'p above 0.05 at df ≈ 2.16');
  t.regex(c.verdict, /^too few runs to tell apart \(Welch p = 0\.1\d\d ≥ 0\.05\)$/);
  t.false(r.notes.some((n) => /not declared/.test(n)), r.notes.join('\n'));
  // The same runs as best/average: the best perplexity is the lowest (declared direction min).
  const best = report({ name: 'ptb-fake', metrics, report: { layout: 'best-average', metric: 'test/perplexity' } }, runs);
  t.deepEqual(best.summary.rows.map((x) => [x.variant, x.ours.best, x.ours.average]), [['no-noise', 100, 110], ['noise', 95, 97]]);
  // Without the declaration the report says how it read the metric.
  const undeclared = report({ name: 'ptb-fake', report: { layout: 'best-average', metric: 'test/perplexity' } }, runs);
  t.true(undeclared.notes.some((n) => /test\/perplexity not declared by the model family: taken as higher-is-better/.test(n)));
});

test('anneal report renders a sweep in the layout its manifest records (success-rate), from the local store', async (t) => {
  const store = tempStore(t);
  const facts = { name: 'nram-fake', version: 1, report: { layout: 'success-rate', metric: 'test/error', threshold: 0.05, reach: 'at-most' }, paper: { table: 'Table 4 (fake)', metric: 'test/error', values: { noise: { all: 80 } } } };
  const ids = [1, 2, 3].flatMap((s) => [`no-noise-${s}`, `noise-${s}`]);
  const sweepId = await writeSweep(store, { recipe: 'nram-fake', trialIds: ids, recipeFacts: facts });
  for (const s of [1, 2, 3]) {
    await writeRun(store, { recipe: 'nram-fake', parentRunId: sweepId, trialId: `no-noise-${s}`, variant: 'no-noise', seed: s, status: 'FINISHED', final: { 'test/error': s === 1 ? 0.01 : 0.3 }, steps: 50 });
    await writeRun(store, { recipe: 'nram-fake', parentRunId: sweepId, trialId: `noise-${s}`, variant: 'noise', seed: s, status: 'FINISHED', final: { 'test/error': 0.02 }, steps: 50 });
  }
  const out = await runCli(['report', sweepId, '--no-plots', '--out', join(store.home, 'rep')], { env: { ANNEAL_HOME: store.home, MLFLOW_TRACKING_URI: '' } });
  t.is(out.code, 0, out.stderr);
  t.regex(out.stdout, /^# Table 4 \(fake\)/m);
  t.regex(out.stdout, /share of seeds with test\/error ≤ 5% \(percent\)/);
  t.regex(out.stdout, /\| no-noise +\| 33\.3% +\| – +\| 3 +\| 50 +\|/);
  t.regex(out.stdout, /\| noise +\| 100\.0% +\| 80\.0% +\| 3 +\| 50 +\|/);
  t.regex(out.stdout, /fisher-exact \| 0\.400 \| too few runs to tell apart/);
});
