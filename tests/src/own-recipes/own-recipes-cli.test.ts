import test from 'ava';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRunStore } from '@anneal/core';
import { REPO_ROOT, runCli } from '../helpers/run-cli.js';

const FIXTURES = join(REPO_ROOT, 'tests', 'fixtures');

/** A user project in os.tmpdir(), outside the repository: nothing in it can see anneal's node_modules. */
function userProject(t: { teardown(fn: () => void): void }): { dir: string; home: string } {
  const dir = mkdtempSync(join(tmpdir(), 'anneal-own-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return { dir, home: join(dir, 'anneal-home') };
}

/** Copies (not links) a fixture package into `dest`, so it lives in a directory of its own. */
function copyPackage(fixture: string, dest: string): void {
  mkdirSync(dest, { recursive: true });
  for (const f of readdirSync(join(FIXTURES, fixture))) copyFileSync(join(FIXTURES, fixture, f), join(dest, f));
}

test('own recipes from a directory outside the repository: a plugin package that exports a recipe, a project file, and a recipe file made from `recipes show mlp-smoke --json`', async (t) => {
  const { dir, home } = userProject(t);
  const env = { ANNEAL_HOME: home };
  copyPackage('anneal-plugin-own-recipes', join(dir, 'node_modules', 'anneal-plugin-own-recipes'));

  // 1. The shape `recipes show --json` prints is the recipe-file shape: rename it and change it.
  const shown = await runCli(['recipes', 'show', 'mlp-smoke', '--json'], { cwd: dir, env });
  t.is(shown.code, 0, shown.stderr);
  const recipe = JSON.parse(shown.stdout) as Record<string, any>;
  recipe.name = 'my-smoke';
  recipe.training.epochs = 1;
  recipe.dataset.config.trainSize = 500;
  const warmup = { plugin: 'grad-warmup', config: { steps: 2 } };
  recipe.plugins = [...recipe.plugins, warmup];
  recipe.variants[1].patch.plugins = [...recipe.variants[1].patch.plugins, warmup];
  writeFileSync(join(dir, 'my-smoke.json'), JSON.stringify(recipe, null, 2));

  // 2. The project file loads the package (its plugin and its recipe), so no --plugin is needed.
  writeFileSync(join(dir, 'anneal.config.json'), JSON.stringify({ plugins: ['anneal-plugin-own-recipes'], recipes: ['./my-smoke.json'] }));
  const ls = await runCli(['recipes', 'ls', '--json'], { cwd: dir, env });
  t.is(ls.code, 0, ls.stderr);
  const listed = JSON.parse(ls.stdout) as { name: string; source: string }[];
  t.is(listed.find((r) => r.name === 'own-warmup-smoke')?.source, 'anneal-plugin-own-recipes');
  t.is(listed.find((r) => r.name === 'my-smoke')?.source, 'my-smoke.json');
  t.is(listed.find((r) => r.name === 'mlp-smoke')?.source, 'builtin');

  // 3. `anneal run ./file.json` trains the changed recipe; the package's plugin sees every step.
  const run = await runCli(['run', './my-smoke.json'], { cwd: dir, env });
  t.is(run.code, 0, run.stderr);
  const store = new LocalRunStore(home);
  const children = store.listRuns().filter((m) => m.parentRunId);
  t.is(children.length, 2, 'the no-noise and the noise arm');
  for (const child of children) {
    t.is(child.status, 'FINISHED');
    t.is(child.recipe, 'my-smoke');
    const scale = store.readMetrics(child.runId).filter((p) => p.key === 'plugin/grad-warmup/scale');
    // 500 images / batch 50 = 10 updates; scale = min(1, (t + 1) / 2).
    t.deepEqual(scale.map((p) => p.value), [0.5, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    t.is(store.readParams(child.runId)['plugins.grad-warmup.steps'], '2');
  }

  // 4. The recipe the package exports runs by name (its plugin imports anneal's own tfjs: one engine).
  const pkgRun = await runCli(['run', 'own-warmup-smoke'], { cwd: dir, env });
  t.is(pkgRun.code, 0, pkgRun.stderr);
  const pkgChild = store.listRuns().find((m) => m.recipe === 'own-warmup-smoke')!;
  t.is(pkgChild.status, 'FINISHED');
  t.deepEqual(store.readMetrics(pkgChild.runId).filter((p) => p.key === 'plugin/grad-warmup/scale').map((p) => p.value), [0.25, 0.5, 0.75, 1, 1, 1]);
});

test("the README's plugin, copied to a directory of its own (no node_modules), loads with --plugin", async (t) => {
  const { dir, home } = userProject(t);
  copyPackage('anneal-plugin-grad-scale', join(dir, 'my-plugin'));
  const r = await runCli(['plugins', 'show', 'grad-scale', '--plugin', './my-plugin/index.js', '--json'], { cwd: dir, env: { ANNEAL_HOME: home } });
  t.is(r.code, 0, r.stderr);
  const shown = JSON.parse(r.stdout) as { name: string; hookPoint: string };
  t.is(shown.name, 'grad-scale');
  t.is(shown.hookPoint, 'pre-update');
});

test('recipes show --json prints a recipe that loads as a file (JSON and YAML) and shows the same', async (t) => {
  const { dir, home } = userProject(t);
  const env = { ANNEAL_HOME: home };
  const shown = await runCli(['recipes', 'show', 'mlp-table1-exp3', '--quick', '--json'], { cwd: dir, env });
  t.is(shown.code, 0, shown.stderr);
  const recipe = JSON.parse(shown.stdout) as Record<string, unknown>;
  t.is(recipe.quick, undefined, 'the quick patch is applied, not left in the printed recipe');
  writeFileSync(join(dir, 'exp3-quick.json'), JSON.stringify({ ...recipe, name: 'exp3-quick' }));
  // The same recipe in YAML (JSON is YAML; the loader parses it as YAML by the extension).
  writeFileSync(join(dir, 'exp3-quick.yaml'), `# my copy\n${JSON.stringify({ ...recipe, name: 'exp3-quick' }, null, 2)}\n`);
  for (const file of ['./exp3-quick.json', './exp3-quick.yaml']) {
    const again = await runCli(['recipes', 'show', file, '--json'], { cwd: dir, env });
    t.is(again.code, 0, again.stderr);
    t.deepEqual(JSON.parse(again.stdout), { ...recipe, name: 'exp3-quick' }, file);
    const trials = await runCli(['recipes', 'show', file, '--json', '--trials'], { cwd: dir, env });
    const rows = JSON.parse(trials.stdout) as { variant: string }[];
    t.deepEqual([...new Set(rows.map((x) => x.variant))], ['no-noise', 'noise']);
    t.is(rows.length, 6, '2 arms × 3 seeds, as the quick variant of mlp-table1-exp3');
  }
});

test('a bad recipe file fails at start naming the file, the path inside it and the nearest names; nothing is written', async (t) => {
  const { dir, home } = userProject(t);
  const recipe = {
    name: 'bad-smoke',
    version: 1,
    description: 'x',
    model: { name: 'mlp', config: {} },
    dataset: { name: 'mnsit' },
    optimizer: { name: 'sgd', config: { learningRate: 0.1 } },
    plugins: [{ plugin: 'clip-global-norm' }, { plugin: 'annealed-gausian', config: { eta: 0.01 } }],
    training: { batchSize: '32', epochs: 1, evalSplit: ['test'] },
    seeds: [1],
  };
  writeFileSync(join(dir, 'bad.json'), JSON.stringify(recipe));
  const r = await runCli(['run', './bad.json'], { cwd: dir, env: { ANNEAL_HOME: home } });
  t.is(r.code, 1);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('anneal: ANNEAL_ERR') || l.startsWith('  bad.json'));
  t.deepEqual(lines, [
    'anneal: ANNEAL_ERR_RECIPE_INVALID: bad.json: training.batchSize: must be an integer ≥ 1, got string "32"',
    "  bad.json: training.evalSplit: unknown training key 'evalSplit'. Did you mean 'evalSplits'? Known: batchSize, epochs, phases, maxSteps, evalEveryEpochs, evalSplits, evalOnlyAtEnd, sampling, recordGradNorms, graphStep, tensorflowThreads, lrSchedule",
    "  bad.json: dataset.name: unknown dataset 'mnsit'. Did you mean 'mnist'? See 'anneal plugins ls --kind dataset'.",
    "  bad.json: plugins[1].plugin: unknown plugin 'annealed-gausian'. Did you mean 'annealed-gaussian'? See 'anneal plugins ls'.",
  ]);
  t.deepEqual(readdirSync(dir), ['bad.json'], 'no run store was created');
});

test('a bad project file entry fails with the file and the key named', async (t) => {
  const { dir, home } = userProject(t);
  const env = { ANNEAL_HOME: home };
  writeFileSync(join(dir, 'anneal.config.json'), JSON.stringify({ plugins: ['./missing-plugin.js'] }));
  const missing = await runCli(['recipes', 'ls'], { cwd: dir, env });
  t.is(missing.code, 1);
  t.true(missing.stderr.includes(`anneal: ANNEAL_ERR_PLUGIN_LOAD: anneal.config.json: plugins[0]: plugin module './missing-plugin.js' not found (looked at ${join(dir, 'missing-plugin.js')}).`), missing.stderr);

  writeFileSync(join(dir, 'anneal.config.json'), JSON.stringify({ recipe: ['./x.json'] }));
  const badKey = await runCli(['recipes', 'ls'], { cwd: dir, env });
  t.is(badKey.code, 1);
  t.true(badKey.stderr.includes("anneal: ANNEAL_ERR_CONFIG_KEY: anneal.config.json: recipe: unknown key 'recipe'. Did you mean 'recipes'? Known: plugins, recipes."), badKey.stderr);

  rmSync(join(dir, 'anneal.config.json'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'lab', anneal: { recipes: [42] } }));
  const badEntry = await runCli(['recipes', 'ls'], { cwd: dir, env });
  t.is(badEntry.code, 1);
  t.true(badEntry.stderr.includes('anneal: ANNEAL_ERR_CONFIG_VALUE: package.json: anneal.recipes[0]: must be a non-empty string (a path or a package name), got 42.'), badEntry.stderr);
});

test('anneal sweep ./file.json: a recipe file runs in worker processes, each trial once, with its report', async (t) => {
  const { dir, home } = userProject(t);
  const env = { ANNEAL_HOME: home };
  const shown = await runCli(['recipes', 'show', 'mlp-smoke', '--json'], { cwd: dir, env });
  const recipe = JSON.parse(shown.stdout) as Record<string, any>;
  recipe.name = 'my-sweep-smoke';
  recipe.training.epochs = 1;
  recipe.dataset.config.trainSize = 500;
  writeFileSync(join(dir, 'my-sweep.json'), JSON.stringify(recipe, null, 2));
  const r = await runCli(['sweep', './my-sweep.json', '--workers', '2', '--seed', '1'], { cwd: dir, env });
  t.is(r.code, 0, r.stderr);
  const store = new LocalRunStore(home);
  const sweep = store.listRuns().find((m) => !m.parentRunId)!;
  const trials = store.listRuns().filter((m) => m.parentRunId === sweep.runId);
  t.is(trials.length, 2, 'no-noise and noise, seed 1');
  t.true(trials.every((m) => m.status === 'FINISHED' && m.recipe === 'my-sweep-smoke'));
  t.true(store.listArtifacts(sweep.runId).includes('summary.md'));
});
