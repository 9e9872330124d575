import { isPlainObject } from '../recipes/check-shape.js';

/** A value found in a module's exports, with where it sits there (`recipes[1]`, `default`). */
export interface ExportedValue {
  readonly value: unknown;
  readonly path: string;
}

export function isPluginDefinition(v: unknown): boolean {
  return isPlainObject(v) && isPlainObject(v.manifest) && typeof v.manifest.kind === 'string';
}

const listed = (value: unknown, path: string): ExportedValue[] =>
  Array.isArray(value) ? value.map((v, i) => ({ value: v, path: `${path}[${i}]` })) : value === undefined ? [] : [{ value, path }];

/** A default export `{ plugins, recipes }` (a package object), as opposed to one definition or recipe. */
const isPackageObject = (v: unknown): v is Record<string, unknown> => isPlainObject(v) && !isPluginDefinition(v) && ('recipes' in v || ('plugins' in v && !('name' in v)));

/**
 * What a plugin package exports: plugins as the default export (one definition or a list), as
 * `export const plugins` / `plugin`, or in a default `{ plugins, recipes }` object; recipes as
 * `export const recipes` or in that object.
 */
export function packageExports(mod: Record<string, unknown>): { plugins: ExportedValue[]; recipes: ExportedValue[] } {
  const d = mod.default;
  const plugins = isPackageObject(d) ? listed(d.plugins, 'default.plugins') : listed(d, 'default');
  const recipes = isPackageObject(d) ? listed(d.recipes, 'default.recipes') : [];
  plugins.push(...listed(mod.plugins, 'plugins'), ...listed(mod.plugin, 'plugin'));
  recipes.push(...listed(mod.recipes, 'recipes'));
  const unique = plugins.filter((p, i) => plugins.findIndex((q) => q.value === p.value) === i);
  return { plugins: unique, recipes };
}

/**
 * The recipes a recipe module (.js/.mjs) exports: `export const recipes = [...]`, or a default export
 * that is one recipe, a list of them, or `{ recipes }`.
 */
export function recipeModuleExports(mod: Record<string, unknown>): ExportedValue[] {
  if (mod.recipes !== undefined) return listed(mod.recipes, 'recipes');
  const d = mod.default;
  if (isPlainObject(d) && 'recipes' in d && !('name' in d)) return listed(d.recipes, 'default.recipes');
  return listed(d, 'default');
}
