import { AnnealError, didYouMean, type Recipe } from '@anneal/core';
import { validateRecipeShape } from '../recipes/validate-recipe.js';

/** Registered recipes by name. */
export class RecipeCatalog {
  private readonly recipes = new Map<string, Recipe>();

  register(recipe: Recipe): void {
    validateRecipeShape(recipe);
    if (this.recipes.has(recipe.name) && this.recipes.get(recipe.name) !== recipe) {
      throw new AnnealError('ANNEAL_ERR_RECIPE_INVALID', `recipe '${recipe.name}' is registered twice.`);
    }
    this.recipes.set(recipe.name, Object.freeze(recipe));
  }

  get(name: string): Recipe {
    const r = this.recipes.get(name);
    if (!r) {
      throw new AnnealError('ANNEAL_ERR_RECIPE_UNKNOWN', `unknown recipe '${name}'.${didYouMean(name, this.recipes.keys())} See 'anneal recipes ls'.`, {
        name,
      });
    }
    return r;
  }

  has(name: string): boolean {
    return this.recipes.has(name);
  }

  list(): Recipe[] {
    return [...this.recipes.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}
