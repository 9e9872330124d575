import test from 'ava';
import { Trainer } from '@anneal/core';
import { planFor, testCatalog, tinyRecipe } from '../helpers/test-catalog.js';

async function lossCurve(seed: number): Promise<number[]> {
  const recipe = tinyRecipe({
    seeds: [seed],
    plugins: [
      { plugin: 'dropout', config: { rate: 0.2, sites: ['hidden/*'] } },
      { plugin: 'clip-global-norm', config: { maxNorm: 5 } },
      { plugin: 'annealed-gaussian', config: { eta: 0.01 } },
    ],
    training: { batchSize: 16, epochs: 2 },
  });
  const plan = await planFor(testCatalog(), recipe);
  const trainer = new Trainer(plan, { runId: `det-${seed}` });
  const losses: number[] = [];
  trainer.events.tap((event, payload) => {
    if (event === 'step:end') losses.push((payload as { loss: number }).loss);
  });
  await trainer.run();
  trainer.dispose();
  plan.model.instance.dispose();
  return losses;
}

test.serial('same seed + same backend → identical metrics; another seed → different', async (t) => {
  const a = await lossCurve(7);
  const b = await lossCurve(7);
  const c = await lossCurve(8);
  t.is(a.length, 8);
  t.deepEqual(a, b);
  t.notDeepEqual(a, c);
});
