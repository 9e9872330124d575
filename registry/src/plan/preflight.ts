import { AnnealError, validateConfig, type Recipe } from '@anneal/core';
import type { PluginCatalog } from '../catalog/plugin-catalog.js';
import { defaultHookPoint } from '../catalog/validate-manifest.js';

/**
 * Checks everything about a resolved recipe that can be checked without loading data or building
 * tensors: every name exists with the right kind, every config validates, every `at` is allowed.
 * Runs for all trials before the first run is created, so bad input writes nothing.
 */
export function preflightRecipe(catalog: PluginCatalog, recipe: Recipe, extraPlugins: readonly string[] = []): void {
  const where = `recipe '${recipe.name}'`;
  const model = catalog.get(recipe.model.name, 'model-family', `${where} model`);
  validateConfig(`model '${recipe.model.name}'`, model.manifest.configSchema, recipe.model.config);
  const dataset = catalog.get(recipe.dataset.name, 'dataset', `${where} dataset`);
  validateConfig(`dataset '${recipe.dataset.name}'`, dataset.manifest.configSchema, recipe.dataset.config);
  const optimizer = catalog.get(recipe.optimizer.name, 'optimizer', `${where} optimizer`);
  validateConfig(`optimizer '${recipe.optimizer.name}'`, optimizer.manifest.configSchema, recipe.optimizer.config);
  for (const use of recipe.plugins) {
    const def = catalog.get(use.plugin, undefined, `${where} plugins`);
    validateConfig(`plugin '${use.as ?? use.plugin}'`, def.manifest.configSchema, use.config);
    if (use.at !== undefined) {
      const allowed = [defaultHookPoint(def), ...(def.manifest.allowedHookPoints ?? [])];
      if (!allowed.includes(use.at)) {
        throw new AnnealError('ANNEAL_ERR_HOOK_NOT_ALLOWED', `plugin '${use.as ?? use.plugin}' cannot be placed at '${use.at}'; it allows ${[...new Set(allowed)].join(', ')}.`);
      }
    }
  }
  for (const name of extraPlugins) catalog.get(name, undefined, '--plugin');
}
