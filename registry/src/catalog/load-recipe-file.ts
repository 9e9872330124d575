import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, relative, resolve } from 'node:path';
import { AnnealError, type Recipe } from '@anneal/core';
import { parse as parseYaml } from 'yaml';
import { isPlainObject, joinPath, type ShapeIssue } from '../recipes/check-shape.js';
import { recipeError, recipeIssues } from '../recipes/validate-recipe.js';
import { checkRecipeNames } from './check-recipe-names.js';
import { importExternalModule, isModulePath, loadPluginPackage } from './load-external.js';
import { recipeModuleExports, type ExportedValue } from './module-exports.js';
import type { PluginCatalog } from './plugin-catalog.js';

export const RECIPE_FILE_EXTENSIONS: readonly string[] = ['.json', '.yaml', '.yml', '.js', '.mjs'];

/** A `run`/`recipes show` argument that names a recipe file: it contains '/' or ends in a recipe extension. */
export function isRecipeFileArg(arg: string): boolean {
  const file = arg.split('#')[0];
  return file.includes('/') || file.includes('\\') || RECIPE_FILE_EXTENSIONS.includes(extname(file).toLowerCase());
}

/** How a file is named in messages: relative to cwd when inside it, else absolute. */
export function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** The recipe values in a file, each with its path inside the file ('' for a file that is one recipe). */
async function readRecipeValues(file: string, label: string, cwd: string): Promise<ExportedValue[]> {
  const ext = extname(file).toLowerCase();
  if (ext === '.js' || ext === '.mjs') return recipeModuleExports((await importExternalModule(file, cwd, 'recipe module')).mod);
  const text = readFileSync(file, 'utf8');
  let doc: unknown;
  try {
    doc = ext === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const first = (error as Error).message.split('\n')[0].replace(/:$/, '');
    throw new AnnealError('ANNEAL_ERR_RECIPE_INVALID', `${label}: not valid ${ext === '.json' ? 'JSON' : 'YAML'}: ${first}`, { file });
  }
  return Array.isArray(doc) ? doc.map((value, i) => ({ value, path: `[${i}]` })) : [{ value: doc, path: '' }];
}

/**
 * Loads the plugin modules a recipe's `load` list names (paths relative to the recipe file) into the
 * catalog, and returns the recipe with those paths made absolute.
 */
async function loadListedModules(value: Record<string, unknown>, dir: string, plugins: PluginCatalog): Promise<Record<string, unknown>> {
  if (!Array.isArray(value.load) || !value.load.every((s) => typeof s === 'string')) return value;
  const load = (value.load as string[]).map((spec) => (spec.startsWith('.') ? resolve(dir, spec) : spec));
  for (const spec of load) {
    const pkg = await loadPluginPackage(spec, dir);
    for (const d of pkg.definitions) plugins.register(d, isModulePath(spec) ? pkg.file : spec);
  }
  return { ...value, load };
}

/**
 * Checks recipe values (from a file or a plugin package): the shape (unknown keys, wrong types) and
 * every plugin name against the catalog. All problems are reported at once, each as
 * `<where>: <path>: <message>` (e.g. `my-recipe.json: plugins[1].plugin: unknown plugin …`).
 */
export function checkRecipeValues(values: readonly ExportedValue[], where: string, plugins: PluginCatalog): Recipe[] {
  const issues: ShapeIssue[] = [];
  for (const { value, path } of values) {
    const shape = recipeIssues(value, path);
    issues.push(...shape, ...checkRecipeNames(plugins, value, path));
  }
  if (issues.length) throw recipeError(where, issues);
  return values.map((v) => v.value as Recipe);
}

export interface LoadedRecipe {
  readonly recipe: Recipe;
  /** The file it came from, as named in messages. */
  readonly source: string;
  /** Where inside the file ('' when the file is the recipe). */
  readonly path: string;
}

/**
 * Loads a recipe file: JSON or YAML (one recipe, as `anneal recipes show <name> --json` prints it,
 * or a list), or a .js/.mjs module exporting recipes. Fails before anything runs on an unknown key,
 * a wrong type or an unknown plugin, naming the file, the path inside it and the nearest names.
 */
export async function loadRecipeFile(spec: string, context: { cwd: string; plugins: PluginCatalog }): Promise<LoadedRecipe[]> {
  const file = resolve(context.cwd, spec);
  const label = displayPath(file, context.cwd);
  if (!RECIPE_FILE_EXTENSIONS.includes(extname(file).toLowerCase())) {
    throw new AnnealError('ANNEAL_ERR_RECIPE_INVALID', `${label}: a recipe file ends in ${RECIPE_FILE_EXTENSIONS.join(', ')}; rename it or give a registered recipe name.`, { file });
  }
  if (!existsSync(file)) {
    throw new AnnealError('ANNEAL_ERR_RECIPE_UNKNOWN', `recipe file '${spec}' not found (looked at ${file}). Give a path relative to ${context.cwd}, or a registered name (anneal recipes ls).`, { file });
  }
  const values = await readRecipeValues(file, label, context.cwd);
  if (values.length === 0) throw recipeError(label, [{ path: '', message: 'holds no recipe: give one recipe object or a list of them (a module: export default, or export const recipes)' }]);
  const withModules: ExportedValue[] = [];
  for (const v of values) withModules.push(isPlainObject(v.value) ? { ...v, value: await loadListedModules(v.value, dirname(file), context.plugins) } : v);
  const recipes = checkRecipeValues(withModules, label, context.plugins);
  return recipes.map((recipe, i) => ({ recipe, source: label, path: joinPath('', withModules[i].path) }));
}
