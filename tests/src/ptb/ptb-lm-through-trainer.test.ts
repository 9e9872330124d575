import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRunStore, Rng, type Recipe } from '@anneal/core';
import { RunLauncher, builtinPlugins, createAnnealContainer } from '@anneal/registry';

/**
 * The PTB dataset and the LSTM LM through the real trainer on a short generated text in PTB's file
 * layout (so the test needs no data download): lines drawn from three fixed sentences, so a small LSTM can
 * learn far better than the uniform perplexity.
 */
function textDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'anneal-ptb-text-'));
  const sentences = ['the cat sat on the mat', 'a dog ran in the park', 'we saw the cat and a dog'];
  const rng = new Rng(4);
  const lines = (n: number) => Array.from({ length: n }, () => sentences[rng.nextInt(3)]).join('\n') + '\n';
  writeFileSync(join(dir, 'ptb.train.txt'), lines(80));
  writeFileSync(join(dir, 'ptb.valid.txt'), lines(20));
  writeFileSync(join(dir, 'ptb.test.txt'), lines(20));
  return dir;
}

function launcherIn(home: string): { launcher: RunLauncher; store: LocalRunStore } {
  const store = new LocalRunStore(home);
  const container = createAnnealContainer({ plugins: builtinPlugins(), recipes: [], tracker: store });
  return { launcher: container.get(RunLauncher), store };
}

const quiet = { backend: 'cpu', log: () => undefined, tty: false, progressStream: { write: () => true } as unknown as NodeJS.WriteStream };

const base = (dataDir: string): Recipe => ({
  name: 'ptb-tiny',
  version: 1,
  description: 'tiny LSTM LM on a generated text through the trainer',
  model: { name: 'lstm-lm', config: { layers: 2, hiddenSize: 16, initScale: 0.1 } },
  dataset: { name: 'ptb', config: { dataDir, batchSize: 4, numSteps: 5, verifyChecksums: false } },
  optimizer: { name: 'adam', config: { learningRate: 0.02 } },
  plugins: [{ plugin: 'clip-global-norm', config: { maxNorm: 5 } }],
  training: { batchSize: 1, epochs: 6, sampling: 'sequential', evalSplits: ['validation', 'test'], evalEveryEpochs: 6 },
  seeds: [1],
});

test.serial('a tiny LSTM LM lowers validation and test perplexity far below uniform on a short text', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'anneal-ptb-'));
  const dir = textDir();
  t.teardown(() => [home, dir].forEach((d) => rmSync(d, { recursive: true, force: true })));
  const { launcher, store } = launcherIn(home);
  const run = await launcher.launch(base(dir), quiet);
  const o = run.outcomes[0];
  t.is(o.status, 'FINISHED');
  // 80 lines of 6–7 words + <eos> ≈ 570 tokens → 4 rows of ~142 → 28 windows per epoch.
  t.true(o.steps >= 6 * 25 && o.steps <= 6 * 30, `steps ${o.steps}`);
  const vocab = 15; // 13 words + <eos> + <unk> (always in the vocabulary)
  const val = o.final['validation/perplexity'];
  const tst = o.final['test/perplexity'];
  t.log(`validation perplexity ${val.toFixed(2)}, test ${tst.toFixed(2)} (uniform = ${vocab})`);
  t.true(val < 4 && tst < 4, 'far below the uniform perplexity (≈15): the model learned the sentences');
  const loss = store.readMetrics(o.runId).filter((p) => p.key === 'train/loss').map((p) => p.value);
  t.true(loss[loss.length - 1] < loss[0] / 2, 'the training loss halves');
});

test.serial('a PTB run stopped mid-epoch and resumed ends bit-identical (carried LSTM state, dropout, noise)', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'anneal-ptb-'));
  const dir = textDir();
  t.teardown(() => [home, dir].forEach((d) => rmSync(d, { recursive: true, force: true })));
  const { launcher, store } = launcherIn(home);
  const b = base(dir);
  const recipe: Recipe = {
    ...b,
    name: 'ptb-resume',
    model: { name: 'lstm-lm', config: { layers: 2, hiddenSize: 8, initScale: 0.1 } },
    optimizer: { name: 'sgd', config: { learningRate: 1 } },
    plugins: [
      { plugin: 'dropout', config: { rate: 0.3, sites: ['embedding', 'lstm/*'] } },
      { plugin: 'clip-global-norm', config: { maxNorm: 5 } },
      { plugin: 'annealed-gaussian', config: { eta: 0.01, gamma: 0.55 }, at: 'post-clip' },
    ],
    training: {
      batchSize: 1,
      sampling: 'sequential',
      phases: [
        { name: 'constant', epochs: 1, learningRate: 1, lrSchedule: { kind: 'constant' } },
        { name: 'decay', epochs: 2, learningRate: 0.5, lrSchedule: { kind: 'step', everyEpochs: 1, factor: 0.5 } },
      ],
      evalSplits: ['validation', 'test'],
      evalEveryEpochs: 1,
    },
  };
  const full = await launcher.launch(recipe, quiet);
  t.is(full.outcomes[0].status, 'FINISHED');
  const steps = full.outcomes[0].steps;
  const stopAt = Math.floor(steps / 2) + 3; // inside epoch 2 (of 3): the carried state is mid-stream
  const stopped = await launcher.launch(recipe, { ...quiet, stopAfterSteps: stopAt });
  t.is(stopped.outcomes[0].status, 'STOPPED');
  const runId = stopped.outcomes[0].runId;
  const resumed = await launcher.resume(runId, quiet, store);
  t.is(resumed.status, 'FINISHED');
  const weights = (id: string) => readFileSync(join(store.artifactsDir(id), 'model', 'weights.bin'));
  t.true(weights(full.outcomes[0].runId).equals(weights(runId)), 'final weights are bit-identical');
  t.deepEqual(resumed.final, full.outcomes[0].final);
  const curve = (id: string, key: string) => store.readMetrics(id).filter((p) => p.key === key).map((p) => [p.step, p.value]);
  t.deepEqual(curve(runId, 'train/loss'), curve(full.outcomes[0].runId, 'train/loss'));
  t.deepEqual(curve(runId, 'validation/perplexity'), curve(full.outcomes[0].runId, 'validation/perplexity'));
  t.true(Number.isFinite(full.outcomes[0].final['test/perplexity']));
});
