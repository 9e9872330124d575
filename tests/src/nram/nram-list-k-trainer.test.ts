import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRunStore, type PluginUse, type Recipe } from '@anneal/core';
import { RunLauncher, builtinPlugins, createAnnealContainer } from '@anneal/registry';

/**
 * A tiny NRAM (R = 2, T = 3, LSTM 10) learns pointer following on ListK through the real trainer (wasm).
 * M = 8: the single node sits at slot 3 or 5, so the program must read the head pointer (cell 0) and read
 * the cell after it: a fixed address is right on about half of the lists, which is where runs without
 * noise stop (≈ 42–49 % test error; README, NRAM section). With the paper's annealed gradient noise
 * (η = 0.01 after clipping, Adam lr 0.01) seed 2 reaches 0 test error within 400 updates (seed 3 too; seed 1
 * ends at 37.5 %: not every seed, so the seed is fixed; NRAM_TINY_SEED overrides it).
 * Two-node lists (k ∈ {0, 1}) are learned at M = 11, R = 4, T = 7, LSTM 50: nram-list-k-length-2.test.ts.
 */
function launcherIn(home: string): { launcher: RunLauncher; store: LocalRunStore } {
  const store = new LocalRunStore(home);
  const container = createAnnealContainer({ plugins: builtinPlugins(), recipes: [], tracker: store });
  return { launcher: container.get(RunLauncher), store };
}

const quiet = { backend: 'wasm', log: () => undefined, tty: false, progressStream: { write: () => true } as unknown as NodeJS.WriteStream };

const NOISE: PluginUse = { plugin: 'annealed-gaussian', config: { eta: 0.01, gamma: 0.55 }, at: 'post-clip' };

function tinyPointerRecipe(seed: number, noise: boolean): Recipe {
  return {
    name: 'nram-tiny-pointer',
    version: 1,
    description: 'tiny NRAM on one-node ListK lists at M = 8 (the head at one of two slots)',
    model: { name: 'nram', config: { registers: 2, timesteps: 3, hidden: 10 } },
    dataset: { name: 'list-k', config: { memorySize: 8, length: 1, trainSize: 3200, testSize: 200 } },
    optimizer: { name: 'adam', config: { learningRate: 0.01 } },
    plugins: [{ plugin: 'clip-global-norm', config: { maxNorm: 10 } }, ...(noise ? [NOISE] : [])],
    training: { batchSize: 32, epochs: 4, maxSteps: 400, evalEveryEpochs: 1, evalSplits: ['test'] },
    seeds: [seed],
  };
}

const SEED = Number(process.env.NRAM_TINY_SEED ?? 2);

test.serial('pointer following on one-node lists at M = 8: 0 test error within 400 updates with annealed gradient noise', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'anneal-nram-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  const { launcher, store } = launcherIn(home);
  const started = Date.now();
  const run = await launcher.launch(tinyPointerRecipe(SEED, true), quiet);
  const o = run.outcomes[0];
  t.is(o.status, 'FINISHED');
  const curve = store.readMetrics(o.runId).filter((p) => p.key === 'test/error').map((p) => `${p.step}:${p.value.toFixed(3)}`);
  t.log(`seed ${SEED}: test/error ${curve.join(' ')} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  t.is(o.final['test/error'], 0);
  t.is(o.final['test/solved'], 1);
});
