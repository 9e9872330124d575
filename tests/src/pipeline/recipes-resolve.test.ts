import test from 'ava';
import { join } from 'node:path';
import { bootAnneal, resolveTrials } from '@anneal/registry';
import { SHARED_DATA } from '../helpers/run-cli.js';

test('every registered recipe resolves, full protocol and quick, to fully validated trial specs', async (t) => {
  const booted = await bootAnneal({ env: { ANNEAL_HOME: join(SHARED_DATA, 'unused-home') } });
  const names = booted.recipes.list().map((r) => r.name);
  t.true(names.length >= 9);
  for (const recipe of booted.recipes.list()) {
    for (const quick of recipe.quick ? [false, true] : [false]) {
      const specs = resolveTrials(booted.plugins, recipe, { quick });
      t.true(specs.length > 0, recipe.name);
      t.is(new Set(specs.map((s) => s.id)).size, specs.length, `${recipe.name}: distinct trial ids`);
      for (const s of specs) {
        t.is(s.format, 1);
        t.true(s.plan.metrics.length > 0, `${recipe.name}: the model declares its metrics`);
        t.deepEqual(JSON.parse(JSON.stringify(s)), s, `${recipe.name}: a spec is plain JSON`);
      }
    }
  }
  // The Table 2 full protocol: 20 tasks × 10 restarts × 2 arms.
  t.is(resolveTrials(booted.plugins, booted.recipes.get('memn2n-table2-one-stage')).length, 400);
  // Table 5: 729 grid settings × 10 seeds = 7,290 runs per arm, 2 arms; quick: 3 seeds per arm.
  t.is(resolveTrials(booted.plugins, booted.recipes.get('ngpu-table5')).length, 14580);
  t.is(resolveTrials(booted.plugins, booted.recipes.get('ngpu-table5'), { quick: true }).length, 6);
});
