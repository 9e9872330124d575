import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalRunStore } from '@anneal/core';
import { FAIL_FIXTURE, TINY, runToEnd, sweepChildren, tempHome } from './sweep-cli.js';

test('a trial that throws and a trial whose worker process dies are recorded as FAILED; the other trials complete', async (t) => {
  const home = tempHome(t);
  const env = { ANNEAL_HOME: home, ANNEAL_FIXTURE_THROW_SEEDS: '2', ANNEAL_FIXTURE_CRASH_SEEDS: '3' };
  const r = await runToEnd(['sweep', 'mlp-smoke', '--workers', '2', '--seed', '1', '--seed', '2', '--seed', '3', ...TINY, '--plugin', FAIL_FIXTURE, '--json', '--no-plots'], env);
  t.is(r.code, 1, r.stderr);
  const out = JSON.parse(r.stdout) as { sweepId: string; status: string; counts: Record<string, number>; trials: { seed: number; variant: string; status: string; runId?: string; message?: string }[] };
  t.is(out.status, 'FAILED');
  t.like(out.counts, { total: 6, finished: 2, failed: 4, killed: 0, notRun: 0 });
  for (const trial of out.trials) {
    t.is(trial.status, trial.seed === 1 ? 'FINISHED' : 'FAILED', `${trial.variant} seed ${trial.seed}`);
    if (trial.seed === 2) t.regex(trial.message ?? '', /fixture: failing on purpose at step 3/);
    if (trial.seed === 3) t.regex(trial.message ?? '', /worker process \d+ died \(signal SIGKILL\) while running the trial/);
    t.truthy(trial.runId, 'every started trial has a run');
  }
  const store = new LocalRunStore(home);
  const children = sweepChildren(home, out.sweepId);
  t.is(children.length, 6);
  for (const c of children) {
    const seed = out.trials.find((x) => x.runId === c.runId)!.seed;
    t.is(c.status, seed === 1 ? 'FINISHED' : 'FAILED', `run of seed ${seed} is ${c.status}`);
    if (seed === 3) t.regex(store.readMeta(c.runId).error ?? '', /died \(signal SIGKILL\)/, 'the crashed run is closed as FAILED by the sweep');
  }
  t.is(store.readMeta(out.sweepId).status, 'FAILED');
  t.regex(r.stderr, /resume with: anneal sweep --resume/);
  const summary = readFileSync(join(store.artifactsDir(out.sweepId), 'summary.md'), 'utf8');
  t.regex(summary, /\| no-noise +\| [\d.]+% +\| – +\| [\d.]+% +\| – +\| 1 +\| 10 +\|/);
  t.regex(summary, /4 failed, 0 killed and 0 running trial\(s\) are not in the statistics/);

  // Resume re-runs only the failed trials (the fixture is now off): each trial ends with one FINISHED run.
  const again = await runToEnd(['sweep', '--resume', out.sweepId, '--json', '--no-plots'], { ANNEAL_HOME: home });
  t.is(again.code, 0, again.stderr);
  t.like((JSON.parse(again.stdout) as { counts: Record<string, number> }).counts, { skipped: 2, finished: 4, failed: 0 });
  const after = sweepChildren(home, out.sweepId);
  t.is(after.length, 10, 'failed attempts stay as history');
  t.is(new Set(after.filter((c) => c.status === 'FINISHED').map((c) => c.trialId)).size, 6);
  t.is(after.filter((c) => c.status === 'FINISHED').length, 6);
});
