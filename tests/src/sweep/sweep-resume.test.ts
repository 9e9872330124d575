import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalRunStore } from '@anneal/core';
import type { Recipe } from '@anneal/core';
import { expandTrials, readSweepManifest } from '@anneal/registry';
import { smokeRecipe } from '@anneal/recipes';
import { TINY, runToEnd, startCli, sweepChildren, tempHome } from './sweep-cli.js';

const SEEDS = ['--seed', '1', '--seed', '2', '--seed', '3'];

test('sweep killed (SIGKILL) after its first trial, then --resume: every trial finishes exactly once, killed runs continue in place', async (t) => {
  const home = tempHome(t);
  const first = startCli(['sweep', 'mlp-smoke', '--workers', '2', ...SEEDS, ...TINY, '--set', 'training.epochs=3'], { ANNEAL_HOME: home });
  const [, sweepId] = await first.waitFor(/^sweep ([0-9a-f]{32}): mlp-smoke, 6 trials, 2 worker processes/m);
  await first.waitFor(/\] FINISHED /);
  // Let the workers get into their next trials (each takes well over a second), then kill the sweep.
  await new Promise((r) => setTimeout(r, 300));
  first.child.kill('SIGKILL');
  const { signal } = await first.exited;
  t.is(signal, 'SIGKILL');

  const store = new LocalRunStore(home);
  t.is(store.readMeta(sweepId).status, 'RUNNING', 'a killed sweep process cannot end its run');
  const manifest = readSweepManifest(store.artifactsDir(sweepId), sweepId);
  const expected = expandTrials(smokeRecipe as Recipe, { seeds: [1, 2, 3], sets: manifest.sets as { path: string; value: unknown }[] }).map((x) => x.id);
  t.deepEqual(manifest.trials.map((x) => x.id), expected, 'the manifest lists the trials with their stable ids');

  // The resume waits for the orphaned workers to end their runs (they see the IPC channel close).
  const second = await runToEnd(['sweep', '--resume', sweepId.slice(0, 10), '--workers', '2', '--json'], { ANNEAL_HOME: home });
  t.is(second.code, 0, second.stderr);
  const m = second.stderr.match(/6 trials \((\d+) already finished, (\d+) to resume from a checkpoint\)/);
  t.truthy(m, second.stderr);
  const alreadyFinished = Number(m![1]);
  t.true(alreadyFinished >= 1 && alreadyFinished < 6, `killed mid-way: ${alreadyFinished} of 6 finished before the kill`);

  const resumedLines = second.stderr.match(/sweep: resume \[/g)?.length ?? 0;
  t.is(resumedLines, Number(m![2]), 'every checkpointed trial is continued, not restarted');
  const result = JSON.parse(second.stdout) as { counts: { resumed: number; skipped: number }; trials: { id: string; status: string; runId: string; resumed?: boolean }[]; summary: { table: string } };
  t.true(result.counts.resumed >= 1, 'the workers of the killed sweep left checkpointed KILLED runs');
  t.is(result.counts.skipped, alreadyFinished);

  const children = sweepChildren(home, sweepId);
  for (const r of result.trials.filter((x) => x.resumed)) {
    const attempts = children.filter((c) => c.trialId === r.id);
    t.deepEqual(attempts.map((c) => [c.runId, c.status]), [[r.runId, 'FINISHED']], 'a resumed trial continued its own run: no second run');
    t.regex(readFileSync(join(store.artifactsDir(r.runId), 'run.log'), 'utf8'), /resumed at step \d+/);
  }
  const finished = children.filter((c) => c.status === 'FINISHED');
  t.deepEqual(finished.map((c) => c.trialId).sort(), [...expected].sort(), 'each planned trial has exactly one FINISHED run');
  t.is(children.filter((c) => c.status === 'RUNNING').length, 0);
  for (const c of children.filter((x) => x.status !== 'FINISHED')) {
    t.true(finished.some((f) => f.trialId === c.trialId), `unfinished attempt ${c.runId} (${c.status}) belongs to a trial that finished`);
  }
  // A resumed run logged each step once more only after its checkpoint: steps stay 0..29, and the final
  // accuracy equals the one an uninterrupted run of the same trial gets (checked by the core resume test).
  for (const f of finished) {
    const steps = new Set(store.readMetrics(f.runId).filter((p) => p.key === 'train/loss').map((p) => p.step));
    t.is(steps.size, 30, `run ${f.runId} has steps 0..29`);
  }
  t.is(store.readMeta(sweepId).status, 'FINISHED');

  // The summary counts each trial once: 3 runs per variant.
  t.regex(result.summary.table, /\| no-noise +\| [\d.]+% +\| – +\| [\d.]+% +\| – +\| 3 +\| 30 +\|/);
  t.regex(result.summary.table, /\| noise +\| [\d.]+% +\| – +\| [\d.]+% +\| – +\| 3 +\| 30 +\|/);
  const artifacts = store.artifactsDir(sweepId);
  for (const f of ['summary.md', 'summary.json', 'summary.csv', 'plots/curves.svg', 'plots/final-test-accuracy.svg']) t.true(existsSync(join(artifacts, f)), f);
  const summary = JSON.parse(readFileSync(join(artifacts, 'summary.json'), 'utf8')) as { counts: { finished: number; planned: number; superseded: number } };
  t.is(summary.counts.finished, 6);
  t.is(summary.counts.planned, 6);

  // anneal report on the sweep id agrees; resuming a finished sweep runs nothing.
  const report = await runToEnd(['report', sweepId, '--format', 'json', '--no-plots', '--out', join(home, 'rep')], { ANNEAL_HOME: home });
  t.is(report.code, 0, report.stderr);
  const json = JSON.parse(report.stdout) as { counts: { finished: number }; summary: { rows: { variant: string; runs: number }[] } };
  t.is(json.counts.finished, 6);
  t.deepEqual(json.summary.rows.map((r) => [r.variant, r.runs]), [['no-noise', 3], ['noise', 3]]);
  const third = await runToEnd(['sweep', '--resume', sweepId, '--json', '--no-plots'], { ANNEAL_HOME: home });
  t.is(third.code, 0, third.stderr);
  t.deepEqual((JSON.parse(third.stdout) as { counts: { skipped: number; finished: number } }).counts.skipped, 6);
  t.is(sweepChildren(home, sweepId).length, children.length, 'no new runs');
});

test('Ctrl-C (SIGINT) stops the workers, ends their runs as KILLED and prints how to resume', async (t) => {
  const home = tempHome(t);
  const run = startCli(['sweep', 'mlp-smoke', '--workers', '2', ...SEEDS, ...TINY, '--set', 'training.epochs=3'], { ANNEAL_HOME: home });
  const [, sweepId] = await run.waitFor(/^sweep ([0-9a-f]{32}):/m);
  await run.waitFor(/\] FINISHED /);
  run.child.kill('SIGINT');
  const { code } = await run.exited;
  t.is(code, 130, run.stderr);
  t.regex(run.stderr, new RegExp(`resume with: anneal sweep --resume ${sweepId}`));
  const store = new LocalRunStore(home);
  t.is(store.readMeta(sweepId).status, 'KILLED');
  const children = sweepChildren(home, sweepId);
  t.is(children.filter((c) => c.status === 'RUNNING').length, 0, 'no run left RUNNING');
  t.true(children.some((c) => c.status === 'FINISHED'));
});
