import { AnnealError, didYouMean, type Recipe } from '@anneal/core';
import { validateRecipeShape } from '../recipes/validate-recipe.js';

/** Registered recipes by name, each with where it came from. */
export class RecipeCatalog {
  private readonly recipes = new Map<string, { recipe: Recipe; source: string }>();

  /**
   * Registers a recipe. `source` is 'builtin', a recipe file or a plugin package. The same recipe
   * registered again from the same source (a file listed in the project file and given to `run`) is
   * a no-op; another recipe with a taken name fails.
   */
  register(recipe: Recipe, source = 'builtin'): void {
    validateRecipeShape(recipe);
    const existing = this.recipes.get(recipe.name);
    if (existing) {
      if (existing.recipe === recipe || (existing.source === source && JSON.stringify(existing.recipe) === JSON.stringify(recipe))) return;
      throw new AnnealError(
        'ANNEAL_ERR_RECIPE_INVALID',
        `recipe '${recipe.name}' from ${source} is already registered (from ${existing.source}). Give your recipe another name (its 'name' key).`,
        { name: recipe.name, source, existing: existing.source },
      );
    }
    this.recipes.set(recipe.name, { recipe: Object.freeze(recipe), source });
  }

  get(name: string): Recipe {
    const r = this.recipes.get(name);
    if (!r) {
      throw new AnnealError('ANNEAL_ERR_RECIPE_UNKNOWN', `unknown recipe '${name}'.${didYouMean(name, this.recipes.keys())} See 'anneal recipes ls'.`, {
        name,
      });
    }
    return r.recipe;
  }

  has(name: string): boolean {
    return this.recipes.has(name);
  }

  /** Where a registered recipe came from ('builtin', a file path or a package), if registered. */
  source(name: string): string | undefined {
    return this.recipes.get(name)?.source;
  }

  list(): Recipe[] {
    return [...this.recipes.values()].map((e) => e.recipe).sort((a, b) => a.name.localeCompare(b.name));
  }
}
