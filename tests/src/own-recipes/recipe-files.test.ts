import test from 'ava';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnnealError, LocalRunStore } from '@anneal/core';
import { bootAnneal, builtinRecipes, expandTrials, resolveRecipeArg, validateRecipeShape, type Booted } from '@anneal/registry';
import { REPO_ROOT } from '../helpers/run-cli.js';

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'anneal-recipe-files-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function boot(cwd: string): Promise<Booted> {
  return bootAnneal({ cwd, env: { ANNEAL_HOME: join(cwd, 'home') }, tracker: new LocalRunStore(join(cwd, 'home')) });
}

const smoke = () => JSON.parse(JSON.stringify(builtinRecipes().find((r) => r.name === 'mlp-smoke'))) as Record<string, any>;

test('every registered recipe survives JSON: it validates and expands to the same trials (ids included)', (t) => {
  for (const recipe of builtinRecipes()) {
    const copy = JSON.parse(JSON.stringify(recipe));
    t.notThrows(() => validateRecipeShape(copy, `${recipe.name}.json`), recipe.name);
    for (const quick of recipe.quick ? [false, true] : [false]) {
      t.deepEqual(expandTrials(copy, { quick }).map((x) => x.id), expandTrials(recipe, { quick }).map((x) => x.id), `${recipe.name} quick=${quick}`);
    }
  }
});

test('a .mjs module exporting recipes: file#name picks one; without it the names are listed', async (t) => {
  const dir = tempDir(t);
  const a = { ...smoke(), name: 'mod-a' };
  const b = { ...smoke(), name: 'mod-b' };
  writeFileSync(join(dir, 'recipes.mjs'), `export const recipes = ${JSON.stringify([a, b])};\n`);
  const booted = await boot(dir);
  t.is((await resolveRecipeArg('./recipes.mjs#mod-b', booted)).name, 'mod-b');
  t.is(booted.recipes.source('mod-a'), 'recipes.mjs', 'all recipes of the file are registered');
  const e = (await t.throwsAsync(() => resolveRecipeArg('./recipes.mjs', booted))) as AnnealError;
  t.is(e.message, "ANNEAL_ERR_CLI_USAGE: ./recipes.mjs holds 2 recipes (mod-a, mod-b); choose one with './recipes.mjs#mod-a'.");
  const unknown = (await t.throwsAsync(() => resolveRecipeArg('./recipes.mjs#mod-c', booted))) as AnnealError;
  t.is(unknown.message, "ANNEAL_ERR_RECIPE_UNKNOWN: ./recipes.mjs has no recipe 'mod-c'. Did you mean 'mod-a' or 'mod-b'? It holds: mod-a, mod-b.");
});

test('a default-exported recipe module and a YAML list; paths inside a list are [i]…', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'one.js'), `export default ${JSON.stringify({ ...smoke(), name: 'js-one' })};\n`);
  const bad = { ...smoke(), name: 'yaml-two', optimizer: { name: 'adamm' } };
  writeFileSync(join(dir, 'two.yml'), `- ${JSON.stringify({ ...smoke(), name: 'yaml-one' })}\n- ${JSON.stringify(bad)}\n`);
  const booted = await boot(dir);
  t.is((await resolveRecipeArg('one.js', booted)).name, 'js-one');
  const e = (await t.throwsAsync(() => resolveRecipeArg('./two.yml', booted))) as AnnealError;
  t.is(e.message, "ANNEAL_ERR_RECIPE_INVALID: two.yml: [1].optimizer.name: unknown optimizer 'adamm'. Did you mean 'adam'? See 'anneal plugins ls --kind optimizer'.");
});

test('names are checked inside variants and quick, kinds are checked, and YAML syntax errors name the file', async (t) => {
  const dir = tempDir(t);
  const r = smoke();
  r.name = 'nested-names';
  r.variants[1].patch.plugins[1].plugin = 'annealed-gausian';
  r.quick = { model: { name: 'mnist' }, plugins: [{ plugin: 'mlp' }] };
  writeFileSync(join(dir, 'nested.json'), JSON.stringify(r));
  writeFileSync(join(dir, 'broken.yaml'), 'name: x\n  version: 1\n');
  const booted = await boot(dir);
  const e = (await t.throwsAsync(() => resolveRecipeArg('./nested.json', booted))) as AnnealError;
  t.deepEqual(e.message.split('\n'), [
    "ANNEAL_ERR_RECIPE_INVALID: nested.json: variants[1].patch.plugins[1].plugin: unknown plugin 'annealed-gausian'. Did you mean 'annealed-gaussian'? See 'anneal plugins ls'.",
    "  nested.json: quick.model.name: 'mnist' is a dataset, but this needs a model-family. See 'anneal plugins ls --kind model-family'.",
    "  nested.json: quick.plugins[0].plugin: 'mlp' is a model-family; it belongs in 'model.name', not in a plugins list.",
  ]);
  const y = (await t.throwsAsync(() => resolveRecipeArg('./broken.yaml', booted))) as AnnealError;
  t.is(y.message, 'ANNEAL_ERR_RECIPE_INVALID: broken.yaml: not valid YAML: Nested mappings are not allowed in compact mappings at line 1, column 7');
  const missing = (await t.throwsAsync(() => resolveRecipeArg('./nope.json', booted))) as AnnealError;
  t.is(missing.code, 'ANNEAL_ERR_RECIPE_UNKNOWN');
  t.regex(missing.message, /recipe file '\.\/nope\.json' not found/);
});

test('a file recipe may not take a registered name; the same file loaded twice is fine', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'same-name.json'), JSON.stringify(smoke()));
  writeFileSync(join(dir, 'mine.json'), JSON.stringify({ ...smoke(), name: 'mine' }));
  writeFileSync(join(dir, 'anneal.config.json'), JSON.stringify({ recipes: ['./mine.json'] }));
  const booted = await boot(dir);
  t.is(booted.recipes.source('mine'), 'mine.json');
  t.is((await resolveRecipeArg('./mine.json', booted)).name, 'mine', 'listed in the project file and given to run');
  const e = (await t.throwsAsync(() => resolveRecipeArg('./same-name.json', booted))) as AnnealError;
  t.is(e.message, "ANNEAL_ERR_RECIPE_INVALID: recipe 'mlp-smoke' from same-name.json is already registered (from builtin). Give your recipe another name (its 'name' key).");
});

test("a recipe's `load` list loads plugin modules relative to the recipe file (outside the repository)", async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'lab', 'plugin'), { recursive: true });
  const fixture = join(REPO_ROOT, 'tests', 'fixtures', 'anneal-plugin-grad-scale');
  for (const f of readdirSync(fixture)) copyFileSync(join(fixture, f), join(dir, 'lab', 'plugin', f));
  const r = { ...smoke(), name: 'with-load', load: ['./plugin/index.js'], plugins: [...smoke().plugins, { plugin: 'grad-scale', config: { factor: 0.5 } }] };
  writeFileSync(join(dir, 'lab', 'with-load.json'), JSON.stringify(r));
  const booted = await boot(dir);
  const recipe = await resolveRecipeArg('lab/with-load.json', booted);
  t.deepEqual(recipe.load, [join(dir, 'lab', 'plugin', 'index.js')], 'paths become absolute, so the stored recipe says where');
  t.is(booted.plugins.get('grad-scale').manifest.hookPoint, 'pre-update');
});
