import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Recipe } from '@anneal/core';
import { carryRnnFamily, streamBlobsDataset } from '../helpers/carry-kit.js';
import { launcherIn } from '../helpers/test-catalog.js';

const launcherFor = (home: string) => launcherIn(home, [carryRnnFamily, streamBlobsDataset]);

// 12 windows per epoch fed in order (one window per step), 3 epochs; the level rises every 5 steps.
const recipe: Recipe = {
  name: 'carry-test',
  version: 1,
  description: 'carried state and a curriculum through the trainer',
  model: { name: 'carry-rnn' },
  dataset: { name: 'stream-blobs' },
  optimizer: { name: 'adam', config: { learningRate: 0.01 } },
  plugins: [
    { plugin: 'threshold-curriculum', config: { key: 'level', start: 0, max: 4, metric: 'loss', threshold: 1e9, minSteps: 5 } },
    { plugin: 'clip-global-norm', config: { maxNorm: 1 } },
    { plugin: 'annealed-gaussian', config: { eta: 0.01 } },
  ],
  training: { batchSize: 1, epochs: 3, sampling: 'sequential' },
  seeds: [3],
};

const quiet = { backend: 'cpu', log: () => undefined, tty: false, progressStream: { write: () => true } as unknown as NodeJS.WriteStream };

test.serial('the curriculum level reaches the batches, is tracked per step, and advances as configured', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'anneal-carry-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  const { launcher, store } = launcherFor(home);
  await launcher.launch(recipe, quiet); // warm-up: backend and kernel set-up tensors
  const before = tf.memory().numTensors;
  const run = await launcher.launch(recipe, quiet);
  t.is(run.outcomes[0].status, 'FINISHED');
  t.is(run.outcomes[0].steps, 36);
  t.is(tf.memory().numTensors, before, 'no tensor is left behind: carried state released at the end');
  const levels = store.readMetrics(run.outcomes[0].runId).filter((p) => p.key === 'curriculum/level');
  // Raised at steps 5, 10, 15, 20 (then capped at max 4).
  t.deepEqual(levels.map((p) => p.value), Array.from({ length: 36 }, (_, s) => Math.min(4, Math.floor(s / 5))));
  t.true(Number.isFinite(run.outcomes[0].final['test/accuracy']), 'evaluation with carried state, window by window');
});

test.serial('a run stopped mid-epoch and resumed ends bit-identical: carried state, curriculum state and latest evaluation restored', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'anneal-carry-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  const { launcher, store } = launcherFor(home);
  const full = await launcher.launch(recipe, quiet);
  const stopped = await launcher.launch(recipe, { ...quiet, stopAfterSteps: 17 }); // mid-epoch 2, level 3, h carried
  t.is(stopped.outcomes[0].status, 'STOPPED');
  const runId = stopped.outcomes[0].runId;
  const resumed = await launcher.resume(runId, quiet, store);
  t.is(resumed.status, 'FINISHED');
  const weights = (id: string) => readFileSync(join(store.artifactsDir(id), 'model', 'weights.bin'));
  t.true(weights(full.outcomes[0].runId).equals(weights(runId)), 'final weights are bit-identical');
  t.deepEqual(resumed.final, full.outcomes[0].final);
  const curve = (id: string, key: string) => store.readMetrics(id).filter((p) => p.key === key).map((p) => [p.step, p.value]);
  t.deepEqual(curve(runId, 'train/loss'), curve(full.outcomes[0].runId, 'train/loss'));
  t.deepEqual(curve(runId, 'curriculum/level'), curve(full.outcomes[0].runId, 'curriculum/level'));
});
