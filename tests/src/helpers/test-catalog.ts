import { standardPlugins } from '@anneal/plugins-standard';
import { syntheticBlobsDataset, tinyClassifierFamily } from '@anneal/core/testing';
import { PluginCatalog, RunLauncher, buildPlan, builtinPlugins, createAnnealContainer, type PlanInputs } from '@anneal/registry';
import { LocalRunStore } from '@anneal/core';
import type { ExecutionPlan, PluginDefinition, Recipe } from '@anneal/core';

/** A catalog with the standard plugins, the test-kit model/dataset and any extra definitions. */
export function testCatalog(extra: readonly PluginDefinition[] = []): PluginCatalog {
  const catalog = new PluginCatalog();
  for (const d of standardPlugins) catalog.register(d);
  catalog.register(tinyClassifierFamily);
  catalog.register(syntheticBlobsDataset);
  for (const d of extra) catalog.register(d, 'test');
  return catalog;
}

/** A small recipe over the test kit; override parts with `patch`. */
export function tinyRecipe(patch: Partial<Recipe> = {}): Recipe {
  return {
    name: 'tiny-test',
    version: 1,
    description: 'test',
    model: { name: 'tiny-classifier', config: { hidden: 8 } },
    dataset: { name: 'synthetic-blobs', config: { trainSize: 64, testSize: 32 } },
    optimizer: { name: 'sgd', config: { learningRate: 0.1 } },
    plugins: [],
    training: { batchSize: 16, epochs: 1 },
    seeds: [1],
    ...patch,
  };
}

export function planFor(catalog: PluginCatalog, recipe: Recipe, extra: Partial<PlanInputs> = {}): Promise<ExecutionPlan> {
  return buildPlan(catalog, { recipe, seed: recipe.seeds[0], runName: 'test', backend: 'cpu', ...extra });
}

/** A launcher over a local store in `home`, with the built-in plugins plus `extra` test definitions. */
export function launcherIn(home: string, extra: readonly PluginDefinition[]): { launcher: RunLauncher; store: LocalRunStore } {
  const store = new LocalRunStore(home);
  const container = createAnnealContainer({ plugins: [...builtinPlugins(), ...extra.map((definition) => ({ definition, source: 'test' }))], recipes: [], tracker: store });
  return { launcher: container.get(RunLauncher), store };
}
