import { AnnealError, didYouMean, type Recipe } from '@anneal/core';
import type { PluginCatalog } from './plugin-catalog.js';
import type { RecipeCatalog } from './recipe-catalog.js';
import { isRecipeFileArg, loadRecipeFile } from './load-recipe-file.js';

/** What resolving a recipe argument needs from a booted anneal. */
export interface RecipeArgContext {
  readonly cwd: string;
  readonly plugins: PluginCatalog;
  readonly recipes: RecipeCatalog;
}

/**
 * The recipe a `run`/`recipes show` argument names: a registered name (`mlp-smoke`), or a recipe
 * file (`./my-recipe.json`, `.yaml`, `.yml`, `.js`, `.mjs`; anything with a '/'). A file holding
 * several recipes needs `file#name`. The file's recipes are registered (so `recipes ls` and reports
 * know them); a name taken by another recipe fails.
 */
export async function resolveRecipeArg(arg: string, booted: RecipeArgContext): Promise<Recipe> {
  if (!isRecipeFileArg(arg)) return booted.recipes.get(arg);
  const hash = arg.lastIndexOf('#');
  const [file, wanted] = hash > 0 ? [arg.slice(0, hash), arg.slice(hash + 1)] : [arg, undefined];
  const loaded = await loadRecipeFile(file, { cwd: booted.cwd, plugins: booted.plugins });
  for (const l of loaded) booted.recipes.register(l.recipe, l.source);
  const names = loaded.map((l) => l.recipe.name);
  if (wanted !== undefined) {
    const hit = loaded.find((l) => l.recipe.name === wanted);
    if (!hit) throw new AnnealError('ANNEAL_ERR_RECIPE_UNKNOWN', `${file} has no recipe '${wanted}'.${didYouMean(wanted, names)} It holds: ${names.join(', ')}.`, { file, name: wanted });
    return hit.recipe;
  }
  if (loaded.length > 1) {
    throw new AnnealError('ANNEAL_ERR_CLI_USAGE', `${file} holds ${loaded.length} recipes (${names.join(', ')}); choose one with '${file}#${names[0]}'.`, { file, names });
  }
  return loaded[0].recipe;
}
