import { Container, ContainerModule } from 'inversify';
import type { LocalRunStore, PluginDefinition, Recipe, Tracker } from '@anneal/core';
import { PluginCatalog } from '../catalog/plugin-catalog.js';
import { RecipeCatalog } from '../catalog/recipe-catalog.js';
import { PluginCatalogToken, PluginDefinitionToken, RecipeCatalogToken, RecipeToken, RunStoreToken, TrackerToken } from './tokens.js';
import { RunLauncher } from '../runner/run-launcher.js';

export interface ContainerInputs {
  readonly plugins: readonly { definition: PluginDefinition; source: string }[];
  readonly recipes: readonly Recipe[];
  readonly tracker: Tracker;
  /** The local run store (always written; the MLflow tracker spools into it). */
  readonly store?: LocalRunStore;
}

/**
 * The composition root: every plugin definition and recipe is multi-bound as a constant; catalogs
 * are built from `getAll` (optional: an empty set is []) and validated here, once, at boot.
 * Nothing in the training loop touches the container.
 */
export function createAnnealContainer(inputs: ContainerInputs): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  container.load(
    new ContainerModule(({ bind }) => {
      for (const p of inputs.plugins) bind(PluginDefinitionToken).toConstantValue(p);
      for (const r of inputs.recipes) bind(RecipeToken).toConstantValue(r);
      bind(TrackerToken).toConstantValue(inputs.tracker);
      if (inputs.store) bind(RunStoreToken).toConstantValue(inputs.store);
      bind(PluginCatalogToken).toDynamicValue((ctx) => {
        const catalog = new PluginCatalog();
        for (const p of ctx.getAll<{ definition: PluginDefinition; source: string }>(PluginDefinitionToken, { optional: true })) catalog.register(p.definition, p.source);
        return catalog;
      });
      bind(RecipeCatalogToken).toDynamicValue((ctx) => {
        const catalog = new RecipeCatalog();
        for (const r of ctx.getAll<Recipe>(RecipeToken, { optional: true })) catalog.register(r);
        return catalog;
      });
      bind(RunLauncher).toDynamicValue(
        (ctx) =>
          new RunLauncher(
            ctx.get<PluginCatalog>(PluginCatalogToken),
            ctx.get<RecipeCatalog>(RecipeCatalogToken),
            ctx.get<Tracker>(TrackerToken),
            ctx.get<LocalRunStore>(RunStoreToken, { optional: true }),
          ),
      );
    }),
  );
  return container;
}
