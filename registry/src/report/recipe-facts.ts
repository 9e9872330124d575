import type { MetricSpec, Recipe } from '@anneal/core';
import type { PluginCatalog } from '../catalog/plugin-catalog.js';
import type { RecipeCatalog } from '../catalog/recipe-catalog.js';
import { resolveBase } from '../trials/resolve-trials.js';
import type { RecipeFacts } from './report-run.js';

/** The metrics a recipe's model family declares (empty when the family is not registered). */
export function familyMetrics(plugins: PluginCatalog | undefined, recipe: Pick<Recipe, 'model'>): readonly MetricSpec[] | undefined {
  const entry = plugins?.entry(recipe.model.name);
  const def = entry?.definition as { manifest: { kind: string }; metrics?: readonly MetricSpec[] } | undefined;
  return def?.manifest.kind === 'model-family' ? def.metrics : undefined;
}

/** What a report needs from a recipe (after --quick): paper numbers, restarts, its table, metrics. */
export function recipeFactsOf(recipe: Recipe, quick: boolean, metrics?: readonly MetricSpec[]): RecipeFacts & { readonly version: number } {
  const base = quick && recipe.quick ? resolveBase(recipe, true) : recipe;
  return { name: recipe.name, version: recipe.version, description: recipe.description, paper: base.paper, restarts: base.restarts, report: base.report, metrics };
}

/** Recipe facts looked up by name in the registered recipes (metrics from the registered families). */
export function recipeFactsFrom(recipes: RecipeCatalog, plugins?: PluginCatalog): (name: string, quick: boolean) => RecipeFacts | undefined {
  return (name, quick) => {
    if (!recipes.has(name)) return undefined;
    const recipe = recipes.get(name);
    return recipeFactsOf(recipe, quick, familyMetrics(plugins, recipe));
  };
}
