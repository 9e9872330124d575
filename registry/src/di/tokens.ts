/** DI tokens (one per kind of thing the composition root assembles). */
export const PluginDefinitionToken = Symbol.for('anneal/PluginDefinition');
export const RecipeToken = Symbol.for('anneal/Recipe');
export const PluginCatalogToken = Symbol.for('anneal/PluginCatalog');
export const RecipeCatalogToken = Symbol.for('anneal/RecipeCatalog');
export const TrackerToken = Symbol.for('anneal/Tracker');
export const RunStoreToken = Symbol.for('anneal/RunStore');
