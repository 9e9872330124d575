import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Recipe } from '@anneal/core';
import { bootAnneal } from '@anneal/registry';
import { smokeRecipe } from '@anneal/recipes';
import { REPO_ROOT, runCli } from '../helpers/run-cli.js';

// The README's "Writing a model family" example, as a package of its own outside the workspaces.
const FIXTURE = join(REPO_ROOT, 'tests', 'fixtures', 'anneal-model-one-hidden-layer');
const quiet = { backend: 'cpu', log: () => undefined, tty: false, progressStream: { write: () => true } as unknown as NodeJS.WriteStream };

function tempHome(t: { teardown(fn: () => void): void }): string {
  const home = mkdtempSync(join(tmpdir(), 'anneal-family-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  return home;
}

/** mlp-smoke's data and budget (2,000 MNIST images, 2 epochs of batch 50 = 80 updates) with the template family. */
function templateRecipe(plugins: Recipe['plugins']): Recipe {
  const { variants: _variants, ...base } = smokeRecipe;
  return { ...base, name: 'family-template-test', model: { name: 'one-hidden-layer', config: { hidden: 32 } }, plugins };
}

test('the README shows the fixture family verbatim', (t) => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const source = readFileSync(join(FIXTURE, 'index.js'), 'utf8');
  t.true(readme.includes(source.trimEnd()), 'README.md "Writing a model family" must contain tests/fixtures/anneal-model-one-hidden-layer/index.js as it is');
});

test('the template family, loaded as a --plugin module, trains through the real registry and trainer (clip + annealed noise + dropout at its site)', async (t) => {
  const home = tempHome(t);
  const booted = await bootAnneal({ pluginModules: [join(FIXTURE, 'index.js')], env: { ...process.env, ANNEAL_HOME: home, MLFLOW_TRACKING_URI: '' } });
  t.is(booted.plugins.get('one-hidden-layer', 'model-family').manifest.version, '1.0.0');
  const recipe = templateRecipe([
    { plugin: 'dropout', config: { rate: 0.1, sites: ['hidden/*'] } },
    { plugin: 'clip-global-norm', config: { maxNorm: 10 } },
    { plugin: 'annealed-gaussian', config: { eta: 0.01 } },
  ]);
  const result = await booted.launcher.launch(recipe, quiet);
  const outcome = result.outcomes[0];
  t.is(outcome.status, 'FINISHED');
  t.is(outcome.steps, 80);
  // 10 classes: chance is ~10%; 80 noisy SGD updates on 2,000 images reach 82% (measured, seed 1).
  t.log(`test/accuracy ${outcome.final['test/accuracy']}`);
  t.true(outcome.final['test/accuracy'] > 0.7, `test/accuracy ${outcome.final['test/accuracy']}`);
  const losses = booted.store.readMetrics(outcome.runId).filter((p) => p.key === 'train/loss').map((p) => p.value);
  t.is(losses.length, 80);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  t.true(mean(losses.slice(-10)) < 0.5 * mean(losses.slice(0, 10)), `loss ${mean(losses.slice(0, 10))} → ${mean(losses.slice(-10))}`);
  const noise = booted.store.readMetrics(outcome.runId).filter((p) => p.key === 'noise/std');
  t.is(noise.length, 80, 'the noise std of every step reaches the StepRecord');
  t.true(booted.store.listArtifacts(outcome.runId).includes('model/weights.bin'));
  await booted.tracker.close();
});

test('anneal plugins show lists the template family loaded from its file', async (t) => {
  const home = tempHome(t);
  const r = await runCli(['plugins', 'show', 'one-hidden-layer', '--plugin', join(FIXTURE, 'index.js'), '--json'], { env: { ANNEAL_HOME: home } });
  t.is(r.code, 0, r.stderr);
  const shown = JSON.parse(r.stdout) as { name: string; kind: string };
  t.is(shown.name, 'one-hidden-layer');
  t.is(shown.kind, 'model-family');
});
