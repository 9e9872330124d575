import test from 'ava';
import { join } from 'node:path';
import { Trainer } from '@anneal/core';
import { bootAnneal, buildPlan } from '@anneal/registry';
import { singleTaskMemn2nRecipe } from '../helpers/memn2n-recipe.js';
import { SHARED_DATA } from '../helpers/run-cli.js';

/** Task 1 is easy for MemN2N: a short one-stage run through the real trainer solves it. */
test.serial('MemN2N on bAbI task 1 through the trainer: high validation accuracy, reproducible with a seed', async (t) => {
  const booted = await bootAnneal({ env: { ANNEAL_HOME: join(SHARED_DATA, 'unused-home') } });
  const recipe = singleTaskMemn2nRecipe(1, 15, ['train', 'validation']);
  const finals: Record<string, number>[] = [];
  for (let i = 0; i < 2; i++) {
    const plan = await buildPlan(booted.plugins, { recipe, seed: 1, runName: 'task1', backend: 'cpu' });
    t.is(plan.training.sampling, 'with-replacement');
    t.deepEqual(plan.stages.clip.map((e) => e.plugin), ['clip-tensor-norm']);
    t.deepEqual(plan.stages['post-clip'].map((e) => e.plugin), ['annealed-gaussian']);
    const trainer = new Trainer(plan, { runId: `task1-${i}` });
    const result = await trainer.run();
    trainer.dispose();
    plan.model.instance.dispose();
    t.is(result.steps, 15 * 28);
    finals.push({ ...result.final });
  }
  t.true(finals[0]['validation/accuracy'] >= 0.9, `validation accuracy ${finals[0]['validation/accuracy']}`);
  t.deepEqual(finals[0], finals[1], 'same seed, same backend → identical results');
});
