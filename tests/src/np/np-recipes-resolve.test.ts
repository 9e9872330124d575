import test from 'ava';
import { join } from 'node:path';
import { bootAnneal, resolveTrials } from '@anneal/registry';
import { SHARED_DATA } from '../helpers/run-cli.js';

test('Neural Programmer recipes resolve: full protocol = arms × 72 settings × 3 seeds; quick = one setting', async (t) => {
  const booted = await bootAnneal({ env: { ANNEAL_HOME: join(SHARED_DATA, 'unused-home') } });
  const expected: Record<string, [number, number]> = {
    'np-single-column': [3 * 216, 3 * 3],
    'np-table3-five-columns': [4 * 216, 4 * 2],
    'np-table3-text-entries': [4 * 216, 4 * 2],
    'np-ablation-fixed-noise': [5 * 216, 2 * 3],
    'np-ablation-batch-size': [4 * 216, 2 * 3],
    'np-ablation-weight-noise': [4 * 216, 2 * 3],
  };
  for (const [name, [full, quick]] of Object.entries(expected)) {
    const recipe = booted.recipes.get(name);
    const specs = resolveTrials(booted.plugins, recipe);
    t.is(specs.length, full, `${name} full`);
    const q = resolveTrials(booted.plugins, recipe, { quick: true });
    t.is(q.length, quick, `${name} quick`);
    t.true(q.every((s) => s.plan.metrics.some((m) => m.key === 'solved')), `${name}: the model declares 'solved'`);
  }
  // Table 3's paper numbers sit under the report's task label.
  t.deepEqual(booted.recipes.get('np-table3-five-columns').paper!.values.noise, { 'mode=multi-column': 98.7 });
  t.deepEqual(booted.recipes.get('np-table3-text-entries').paper!.values['noise+dropout'], { 'mode=text-entries': 97.3 });
  const grid = resolveTrials(booted.plugins, booted.recipes.get('np-single-column'));
  const settings = new Set(grid.map((s) => JSON.stringify(s.setting)));
  t.is(settings.size, 72);
  const weight = resolveTrials(booted.plugins, booted.recipes.get('np-ablation-weight-noise'), { quick: true });
  t.deepEqual([...new Set(weight.map((s) => s.variant))], ['annealed', 'weight-noise-1e-6']);
  const batch = resolveTrials(booted.plugins, booted.recipes.get('np-ablation-batch-size'), { quick: true });
  t.deepEqual([...new Set(batch.map((s) => s.recipe.training.batchSize))], [50, 10]);
});
