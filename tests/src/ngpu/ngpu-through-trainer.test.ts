import test from 'ava';
import { Trainer, type Recipe, type StepRecord, type EvalEvent } from '@anneal/core';
import { PluginCatalog, buildPlan, builtinPlugins, selectBackend } from '@anneal/registry';

/**
 * The Neural GPU through the real pipeline (buildPlan → Trainer, wasm): the binary-arith dataset, the
 * ngpu-curriculum, the ngpu-average-copies plugin and training.evalOnlyAtEnd.
 * Claim of this test-sized budget: 2-bit badd (length 5: a₀a₁ + b₀b₁, a 3-bit sum) is learned to 0 test
 * sequence error on 64 fresh test examples within 400 updates (m 8, batch 16, Adam 0.01). It does not claim
 * any length generalisation (README, Neural GPU section: in the quick variant's 1k steps nothing generalises);
 * without a curriculum it is trained at length 5 only, and the validation split (lengths 3–5) shows that it
 * has not learned the 1-bit sums it never saw (its validation/seq_error stays high; logged, not asserted).
 */
const catalog = new PluginCatalog();
for (const { definition, source } of builtinPlugins()) catalog.register(definition, source);

test.before(async () => {
  await selectBackend('wasm');
});

function baddRecipe(patch: { copies?: number; steps: number; plugins?: Recipe['plugins'] }): Recipe {
  return {
    name: 'ngpu-tiny',
    version: 1,
    description: 'tiny Neural GPU on 2-bit badd',
    model: { name: 'neural-gpu', config: { m: 8, copies: patch.copies ?? 1 } },
    dataset: { name: 'binary-arith', config: { task: 'badd', trainMaxLength: 5, testLength: 5, trainSize: 16 * 25, validationSize: 32, testSize: 64 } },
    optimizer: { name: 'adam', config: { learningRate: 0.01, epsilon: 1e-4 } },
    plugins: patch.plugins ?? [{ plugin: 'clip-global-norm', config: { maxNorm: 1 } }],
    training: { batchSize: 16, epochs: Math.ceil(patch.steps / 25), maxSteps: patch.steps, evalSplits: ['validation', 'test'], evalEveryEpochs: 1, evalOnlyAtEnd: ['test'] },
    seeds: [1],
  };
}

async function train(recipe: Recipe) {
  const plan = await buildPlan(catalog, { recipe, seed: 1, runName: 'ngpu-test', backend: 'wasm' });
  const trainer = new Trainer(plan, { runId: 'ngpu-test' });
  const evals: EvalEvent[] = [];
  const steps: StepRecord[] = [];
  trainer.events.tap((event, payload) => {
    if (event === 'eval:end') evals.push(payload as EvalEvent);
    if (event === 'step:end') steps.push(payload as StepRecord);
  });
  const result = await trainer.run();
  trainer.dispose();
  return { plan, result, evals, steps };
}

test.serial('2-bit badd through the trainer: 0 test sequence error within 400 updates; the test split is evaluated once, after the last step', async (t) => {
  const { plan, result, evals } = await train(baddRecipe({ steps: 400 }));
  t.log(`test/seq_error ${result.final['test/seq_error']}, test/bit_error ${result.final['test/bit_error']}, validation/seq_error ${result.final['validation/seq_error']}`);
  t.is(result.status, 'FINISHED');
  t.is(result.final['test/seq_error'], 0);
  const tests = evals.filter((e) => e.split === 'test');
  t.is(tests.length, 1, 'evalOnlyAtEnd: one test evaluation');
  t.is(tests[0].step, result.steps);
  t.is(evals.filter((e) => e.split === 'validation').length, 16, 'validation every epoch (16 epochs of 25 steps)');
  plan.model.instance.dispose();
});

test.serial('relaxation through the trainer: 2 copies end equal (averaged at the end); the step learning rate is the base rate × the curriculum lrScale', async (t) => {
  const plugins: Recipe['plugins'] = [
    // pullMax 0: every passed checkpoint is an averaging point (and lr × 0.5 there when error < threshold / 3).
    { plugin: 'ngpu-curriculum', config: { start: 5, min: 3, max: 5, minSteps: 25, threshold: 1.01, pullMax: 0, lrDecay: 0.5 } },
    { plugin: 'clip-global-norm', config: { maxNorm: 1 } },
    { plugin: 'ngpu-average-copies' },
  ];
  const { plan, steps } = await train(baddRecipe({ copies: 2, steps: 60, plugins }));
  const model = plan.model.instance as unknown as { pullTerm(): { dataSync(): Float32Array; dispose(): void } };
  const term = model.pullTerm();
  t.true(term.dataSync()[0] < 1e-10, `pull term after the run: ${term.dataSync()[0]}`);
  term.dispose();
  // Checkpoints at steps 25 and 50 pass (threshold 1.01): averagings 1 → 2.
  t.is(steps[24].metrics['curriculum/averagings'], 0);
  t.is(steps[25].metrics['curriculum/averagings'], 1);
  t.is(steps[50].metrics['curriculum/averagings'], 2);
  t.is(steps[25].metrics['plugin/ngpu-average-copies/averaged'], 1);
  t.false('plugin/ngpu-average-copies/averaged' in steps[26].metrics);
  for (const s of steps) t.true(Math.abs(s.learningRate - 0.01 * s.metrics['curriculum/lrScale']) < 1e-12);
  plan.model.instance.dispose();
});
