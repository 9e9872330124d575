import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAnnealError } from '@anneal/core';
import type { Recipe } from '@anneal/core';
import { expandTrials, planTrials } from '@anneal/registry';
import { smokeRecipe, table1Recipes } from '@anneal/recipes';
import { tempStore, writeRun } from '../report/fake-store.js';

const exp3 = table1Recipes.find((r) => r.name === 'mlp-table1-exp3')!;

test('grid expansion: variants × grid × seeds in a stable order with stable, distinct ids', (t) => {
  const a = expandTrials(exp3);
  const b = expandTrials(exp3);
  t.is(a.length, 2 * 2 * 20, 'no-noise/noise × lr {0.1, 0.01} × 20 seeds');
  t.deepEqual(a.map((x) => x.id), b.map((x) => x.id));
  t.is(new Set(a.map((x) => x.id)).size, a.length, 'ids are distinct');
  t.deepEqual(a.slice(0, 3).map((x) => x.label), ['no-noise learningRate=0.1 seed=1', 'no-noise learningRate=0.1 seed=2', 'no-noise learningRate=0.1 seed=3']);
  t.deepEqual(a.map((x) => x.index), a.map((_, i) => i));
  const quick = expandTrials(exp3, { quick: true });
  t.is(quick.length, 2 * 1 * 3);
  t.false(quick.some((q) => a.some((x) => x.id === q.id)), 'quick trials are other trials');
  // The resolved recipe of a trial carries its setting and seed.
  const trial = a.find((x) => x.variant === 'noise' && x.setting['optimizer.config.learningRate'] === 0.01 && x.seed === 7)!;
  t.is(trial.recipe.optimizer.config?.learningRate, 0.01);
  t.deepEqual(trial.recipe.seeds, [7]);
  t.true(trial.recipe.plugins.some((p) => p.plugin === 'annealed-gaussian'));
});

test('trial identity: same trial → same id (golden), across --seed selections; --set changes it', (t) => {
  const all = expandTrials(smokeRecipe as Recipe, { seeds: [1, 2, 3] });
  const one = expandTrials(smokeRecipe as Recipe, { seeds: [2] });
  t.deepEqual(one.map((x) => x.id), all.filter((x) => x.seed === 2).map((x) => x.id), 'a trial keeps its id whatever else is swept');
  // Golden: recorded by earlier runs; changing it would orphan every stored sweep.
  t.is(all[0].id, '69743fb3743f');
  t.is(all[0].label, 'no-noise seed=1');
  const withSet = expandTrials(smokeRecipe as Recipe, { seeds: [1], sets: [{ path: 'training.epochs', value: 1 }] });
  t.not(withSet[0].id, all[0].id);
  t.deepEqual(expandTrials(smokeRecipe as Recipe, { seeds: [1], sets: [{ path: 'training.epochs', value: 1 }] }).map((x) => x.id), withSet.map((x) => x.id));
  // What the sweep manifest stores round-trips through JSON unchanged.
  const stored = JSON.parse(JSON.stringify(all));
  t.deepEqual(stored.map((x: { id: string }) => x.id), all.map((x) => x.id));
});

test('bad grid keys and values fail with a clear message before anything runs', (t) => {
  const withGrid = (grid: Record<string, unknown[]>): Recipe => ({ ...(smokeRecipe as Recipe), grid });
  const e1 = t.throws(() => expandTrials(withGrid({ 'optimizer.learningRate': [0.1] })));
  t.true(isAnnealError(e1, 'ANNEAL_ERR_CONFIG_KEY'));
  t.is(e1!.message, "ANNEAL_ERR_CONFIG_KEY: cannot set 'optimizer.learningRate': use optimizer.name or optimizer.config.<key>.");
  const e2 = t.throws(() => expandTrials(withGrid({ 'training.epoch': [1, 2] })));
  t.regex(e2!.message, /^ANNEAL_ERR_RECIPE_INVALID: recipe 'mlp-smoke': unknown training key 'epoch'\. Did you mean 'epochs'\?/);
  const e3 = t.throws(() => expandTrials(withGrid({ 'modle.config.width': [8] })));
  t.regex(e3!.message, /^ANNEAL_ERR_CONFIG_KEY: cannot set 'modle\.config\.width': the first part must be one of model, dataset, optimizer, training, plugins, seeds\. Did you mean 'model'\?/);
  const e4 = t.throws(() => expandTrials(withGrid({ 'plugins.clip-global-norm2.maxNorm': [1] })));
  t.regex(e4!.message, /no plugin instance 'clip-global-norm2'\. Did you mean 'clip-global-norm'\?/);
});

test('resume plan: finished trials are skipped, killed/stale runs with a checkpoint continue in place, the rest run afresh', async (t) => {
  const store = tempStore(t);
  const trials = expandTrials(smokeRecipe as Recipe, { seeds: [1, 2, 3] });
  const [a, b, c, d, e, f] = trials;
  const sweepId = 'f'.repeat(32);
  const run = (trial: (typeof trials)[number], status: 'FINISHED' | 'FAILED' | 'KILLED' | 'RUNNING', checkpoint: boolean) =>
    writeRun(store, { recipe: 'mlp-smoke', trialId: trial.id, variant: trial.variant!, seed: trial.seed, status, parentRunId: sweepId, final: { 'test/accuracy': 0.5 } }).then((runId) => {
      if (checkpoint) {
        mkdirSync(join(store.runDir(runId), 'checkpoint'), { recursive: true });
        writeFileSync(join(store.runDir(runId), 'checkpoint', 'checkpoint.json'), '{}');
        writeFileSync(join(store.runDir(runId), 'checkpoint', 'checkpoint.bin'), '');
      }
      return runId;
    });
  await run(a, 'FAILED', false);
  const aDone = await run(a, 'FINISHED', true);
  const bKilled = await run(b, 'KILLED', true);
  await run(c, 'KILLED', false);
  await run(d, 'FAILED', true);
  const eStale = await run(e, 'RUNNING', true);
  const fStale = await run(f, 'RUNNING', false);
  // A run of the same trial outside this sweep does not count.
  await writeRun(store, { recipe: 'mlp-smoke', trialId: c.id, variant: c.variant!, seed: c.seed, status: 'FINISHED' });
  const plan = planTrials({ store }, sweepId, trials);
  t.deepEqual(
    plan.map((p) => [p.trial.id, p.action, p.runId, p.stale]),
    [
      [a.id, 'skip', aDone, []],
      [b.id, 'resume', bKilled, []],
      [c.id, 'run', undefined, []],
      [d.id, 'run', undefined, []],
      [e.id, 'resume', eStale, []],
      [f.id, 'run', undefined, [fStale]],
    ],
  );
});
