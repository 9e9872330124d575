import test from 'ava';
import { Trainer } from '@anneal/core';
import { recordingGradientTransform, recordingParamTransform } from '@anneal/core/testing';
import { planFor, testCatalog, tinyRecipe } from '../helpers/test-catalog.js';

/**
 * THE golden record of the step order. If this test changes, the documented order
 * (pre-clip → clip → post-clip → pre-update → update → post-update) changed.
 */
test.serial('golden: hook points and lifecycle events run in the documented order', async (t) => {
  const log: string[] = [];
  const catalog = testCatalog([
    recordingGradientTransform('rec-pre-clip', 'pre-clip', log),
    recordingGradientTransform('rec-clip', 'clip', log),
    recordingGradientTransform('rec-post-clip', 'post-clip', log),
    recordingGradientTransform('rec-pre-update', 'pre-update', log),
    recordingParamTransform('rec-post-update', log),
  ]);
  // Recipe lists them deliberately out of order: the hook point decides the stage, list order only orders within a stage.
  const recipe = tinyRecipe({
    plugins: [{ plugin: 'rec-post-update' }, { plugin: 'rec-pre-update' }, { plugin: 'rec-post-clip' }, { plugin: 'rec-clip' }, { plugin: 'rec-pre-clip' }],
    dataset: { name: 'synthetic-blobs', config: { trainSize: 32, testSize: 16 } },
    training: { batchSize: 16, epochs: 1 },
  });
  const plan = await planFor(catalog, recipe);
  const trainer = new Trainer(plan, { runId: 'golden', trace: (stage) => log.push(`stage:${stage}`) });
  trainer.events.tap((event, payload) => log.push(`event:${event}${event === 'step:end' ? `@${(payload as { step: number }).step}` : ''}`));
  await trainer.run();
  trainer.dispose();
  plan.model.instance.dispose();

  const step = (t: number) => [
    'stage:forward-backward',
    'stage:pre-clip',
    `rec-pre-clip@${t}`,
    'stage:clip',
    `rec-clip@${t}`,
    'stage:post-clip',
    `rec-post-clip@${t}`,
    'stage:pre-update',
    `rec-pre-update@${t}`,
    'stage:update',
    'stage:post-update',
    `rec-post-update@${t}`,
    `event:step:end@${t}`,
  ];
  t.deepEqual(log, ['event:run:start', 'event:epoch:start', ...step(0), ...step(1), 'event:epoch:end', 'event:eval:end', 'event:run:end']);
});

test.serial('golden: noise defaults to post-clip; `at` moves it to pre-clip or pre-update', async (t) => {
  const catalog = testCatalog();
  const withNoise = (at?: 'pre-clip' | 'pre-update') =>
    planFor(catalog, tinyRecipe({ plugins: [{ plugin: 'clip-global-norm', config: { maxNorm: 1 } }, { plugin: 'annealed-gaussian', config: { eta: 0.01 }, ...(at ? { at } : {}) }] }));
  const names = (plan: Awaited<ReturnType<typeof withNoise>>) => ({
    'pre-clip': plan.stages['pre-clip'].map((e) => e.name),
    clip: plan.stages.clip.map((e) => e.name),
    'post-clip': plan.stages['post-clip'].map((e) => e.name),
    'pre-update': plan.stages['pre-update'].map((e) => e.name),
  });
  for (const [at, expected] of [
    [undefined, { 'pre-clip': [], clip: ['clip-global-norm'], 'post-clip': ['annealed-gaussian'], 'pre-update': [] }],
    ['pre-clip', { 'pre-clip': ['annealed-gaussian'], clip: ['clip-global-norm'], 'post-clip': [], 'pre-update': [] }],
    ['pre-update', { 'pre-clip': [], clip: ['clip-global-norm'], 'post-clip': [], 'pre-update': ['annealed-gaussian'] }],
  ] as const) {
    const plan = await withNoise(at);
    t.deepEqual(names(plan), expected as unknown as ReturnType<typeof names>, `at=${at}`);
    plan.model.instance.dispose();
  }
});
