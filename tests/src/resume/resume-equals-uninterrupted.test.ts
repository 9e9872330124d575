import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Recipe } from '@anneal/core';
import { syntheticBlobsDataset, tinyClassifierFamily } from '@anneal/core/testing';
import { launcherIn, tinyRecipe } from '../helpers/test-catalog.js';

const launcherFor = (home: string) => launcherIn(home, [tinyClassifierFamily, syntheticBlobsDataset]);

// Stateful everywhere: momentum state, noise RNG, dropout RNG, weight-noise RNG, 3 epochs of data order.
const recipe: Recipe = tinyRecipe({
  name: 'resume-test',
  optimizer: { name: 'momentum', config: { learningRate: 0.05, momentum: 0.9 } },
  plugins: [
    { plugin: 'dropout', config: { rate: 0.3, sites: ['hidden/*'] } },
    { plugin: 'clip-global-norm', config: { maxNorm: 2 } },
    { plugin: 'annealed-gaussian', config: { eta: 0.01 } },
    { plugin: 'weight-noise', config: { eta: 1e-5 } },
  ],
  training: { batchSize: 16, epochs: 3 },
});

test.serial('a run stopped mid-epoch and resumed ends with the same weights and metrics as an uninterrupted run', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'anneal-resume-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  const quiet = { backend: 'cpu', log: () => undefined, tty: false, progressStream: { write: () => true } as unknown as NodeJS.WriteStream };
  const { launcher, store } = launcherFor(home);

  const full = await launcher.launch(recipe, quiet);
  t.is(full.outcomes[0].status, 'FINISHED');
  t.is(full.outcomes[0].steps, 12);

  const stopped = await launcher.launch(recipe, { ...quiet, stopAfterSteps: 6 }); // mid-epoch 2 (4 steps/epoch)
  t.is(stopped.outcomes[0].status, 'STOPPED');
  const runId = stopped.outcomes[0].runId;
  t.is(store.readMeta(runId).status, 'KILLED');

  const resumed = await launcher.resume(runId, quiet, store);
  t.is(resumed.status, 'FINISHED');
  t.is(resumed.steps, 12);
  t.is(store.readMeta(runId).status, 'FINISHED');

  const weights = (id: string) => readFileSync(join(store.artifactsDir(id), 'model', 'weights.bin'));
  t.true(weights(full.outcomes[0].runId).equals(weights(runId)), 'final weights are bit-identical');
  t.deepEqual(resumed.final, full.outcomes[0].final);
  const lossCurve = (id: string) => store.readMetrics(id).filter((p) => p.key === 'train/loss').map((p) => [p.step, p.value]);
  t.deepEqual(lossCurve(runId), lossCurve(full.outcomes[0].runId), 'the step-loss curve is identical, each step exactly once');
});
