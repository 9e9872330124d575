import test from 'ava';
import { buildReport, collectOutcomes, formatConsole, type RecipeFacts, type TrialOutcome } from '@anneal/registry';

/** The report `anneal run` builds from the outcomes of the trials it just ran (no store). */
const reportOf = (outcomes: readonly TrialOutcome[], facts: RecipeFacts) => buildReport(collectOutcomes(outcomes, { facts, quick: false, target: { kind: 'run', id: 'parent', source: 'memory', location: 'memory' } }));

const run = (variant: string, task: number, restart: number, trainErr: number, valErr: number): TrialOutcome => ({
  trialId: `${variant}-${task}-${restart}`,
  runId: `r-${variant}-${task}-${restart}`,
  variant,
  setting: { 'dataset.config.task': task },
  seed: 1,
  restart,
  status: 'FINISHED',
  final: { 'train/error': trainErr, 'validation/error': valErr },
  steps: 100,
});

const paper = { table: 'Table 2', metric: 'validation/error', values: { 'no-noise': { 'train/error': 10.5, 'validation/error': 19.5 }, noise: { 'train/error': 9.6, 'validation/error': 16.6 } } };
const restarts = { count: 2, selectBy: 'train/error', mode: 'min' as const };
const TABLE2: RecipeFacts = { name: 'memn2n-fake', paper, restarts };
// Per task, the restart with the lower TRAIN error is kept even when its validation error is worse.
const outcomes = [
  run('no-noise', 1, 0, 0.1, 0.2),
  run('no-noise', 1, 1, 0.05, 0.3), // kept
  run('no-noise', 2, 0, 0.2, 0.4), // kept
  run('no-noise', 2, 1, 0.25, 0.1),
  run('noise', 1, 0, 0.0, 0.1), // kept
  run('noise', 1, 1, 0.01, 0.0),
  run('noise', 2, 0, 0.3, 0.5),
  run('noise', 2, 1, 0.1, 0.2), // kept
  { ...run('noise', 3, 0, 0, 0), status: 'FAILED' },
];

test('Table 2 summary by hand: best restart by train error per task, mean over tasks', (t) => {
  const s = reportOf(outcomes, TABLE2).summary;
  const rows = Object.fromEntries(s.rows.map((r) => [r.variant, r]));
  t.is(rows['no-noise'].runs, 2);
  t.true(Math.abs(rows['no-noise'].ours['train/error'] - 12.5) < 1e-9); // (5 + 20) / 2
  t.true(Math.abs(rows['no-noise'].ours['validation/error'] - 35) < 1e-9); // (30 + 40) / 2
  t.true(Math.abs(rows.noise.ours['train/error'] - 5) < 1e-9); // (0 + 10) / 2
  t.true(Math.abs(rows.noise.ours['validation/error'] - 15) < 1e-9); // (10 + 20) / 2
  t.regex(s.table, /\| noise\s+\| 5\.0%\s+\| 9\.6%\s+\| 15\.0%\s+\| 16\.6%\s+\| 2\s+\| 100\s+\|/);
});

test('per-setting table: one row per task with the selected restart per variant', (t) => {
  const report = reportOf(outcomes, TABLE2);
  const table = formatConsole(report);
  t.regex(table, /restart with the lowest train\/error/);
  t.regex(table, /\| task=1\s+\| 5\.0%\s+\| 30\.0%\s+\| 0\.0%\s+\| 10\.0%\s+\| 2\s+\| 2\s+\|/);
  t.regex(table, /\| task=2\s+\| 20\.0%\s+\| 40\.0%\s+\| 10\.0%\s+\| 20\.0%\s+\| 2\s+\| 2\s+\|/);
  t.is(report.counts.failed, 1);
});

test('Table 1 summary by hand: best and average test accuracy per arm', (t) => {
  const acc = (variant: string, seed: number, a: number): TrialOutcome => ({ trialId: `${variant}${seed}`, runId: `${variant}${seed}`, variant, setting: {}, seed, status: 'FINISHED', final: { 'test/accuracy': a }, steps: 10 });
  const s = reportOf([acc('no-noise', 1, 0.1135), acc('no-noise', 2, 0.5), acc('noise', 1, 0.9), acc('noise', 2, 0.8)], {
    name: 'mlp-fake',
    paper: { table: 'Table 1', metric: 'test/accuracy', values: { 'no-noise': { best: 95.7, average: 51.6 }, noise: { best: 97.0, average: 53.6 } } },
  }).summary;
  const rows = Object.fromEntries(s.rows.map((r) => [r.variant, r.ours]));
  t.true(Math.abs(rows['no-noise'].best - 50) < 1e-9);
  t.true(Math.abs(rows['no-noise'].average - 30.675) < 1e-9);
  t.true(Math.abs(rows.noise.best - 90) < 1e-9);
  t.true(Math.abs(rows.noise.average - 85) < 1e-9);
});
