import { didYouMean, type PluginKind } from '@anneal/core';
import type { PluginCatalog } from './plugin-catalog.js';
import { isPlainObject, joinPath, type ShapeIssue } from '../recipes/check-shape.js';

const SLOTS: readonly { key: 'model' | 'dataset' | 'optimizer'; kind: PluginKind }[] = [
  { key: 'model', kind: 'model-family' },
  { key: 'dataset', kind: 'dataset' },
  { key: 'optimizer', kind: 'optimizer' },
];

/** Kinds that have a slot of their own and so cannot sit in a `plugins` list. */
const NOT_IN_LIST: readonly PluginKind[] = ['model-family', 'dataset'];

function checkName(catalog: PluginCatalog, name: unknown, kind: PluginKind | undefined, path: string, issues: ShapeIssue[]): void {
  if (typeof name !== 'string') return;
  const entry = catalog.entry(name);
  const candidates = catalog.list(kind).map((e) => e.definition.manifest.name).filter((n) => !kind || n !== name);
  const listCmd = `See 'anneal plugins ls${kind ? ` --kind ${kind}` : ''}'.`;
  if (!entry) {
    issues.push({ path, message: `unknown ${kind ?? 'plugin'} '${name}'.${didYouMean(name, candidates)} ${listCmd}` });
    return;
  }
  const actual = entry.definition.manifest.kind;
  if (kind && actual !== kind) issues.push({ path, message: `'${name}' is a ${actual}, but this needs a ${kind}.${didYouMean(name, candidates)} ${listCmd}` });
  if (!kind && NOT_IN_LIST.includes(actual)) issues.push({ path, message: `'${name}' is a ${actual}; it belongs in '${actual === 'dataset' ? 'dataset' : 'model'}.name', not in a plugins list.` });
}

/** The names in a recipe or patch: model/dataset/optimizer slots, plugin lists, variants, quick. */
function walk(catalog: PluginCatalog, r: Record<string, unknown>, path: string, issues: ShapeIssue[]): void {
  for (const { key, kind } of SLOTS) {
    const slot = r[key];
    if (isPlainObject(slot)) checkName(catalog, slot.name, kind, joinPath(joinPath(path, key), 'name'), issues);
  }
  if (Array.isArray(r.plugins)) {
    r.plugins.forEach((use, i) => {
      if (isPlainObject(use)) checkName(catalog, use.plugin, undefined, joinPath(joinPath(joinPath(path, 'plugins'), i), 'plugin'), issues);
    });
  }
  if (Array.isArray(r.variants)) {
    r.variants.forEach((v, i) => {
      if (isPlainObject(v) && isPlainObject(v.patch)) walk(catalog, v.patch, joinPath(joinPath(joinPath(path, 'variants'), i), 'patch'), issues);
    });
  }
  if (isPlainObject(r.quick)) walk(catalog, r.quick, joinPath(path, 'quick'), issues);
}

/**
 * Every plugin name a recipe uses that the catalog does not have (or has with the wrong kind), with
 * its path and the nearest valid names. Names only: configs are validated by the trial pipeline.
 */
export function checkRecipeNames(catalog: PluginCatalog, recipe: unknown, path = ''): ShapeIssue[] {
  const issues: ShapeIssue[] = [];
  if (isPlainObject(recipe)) walk(catalog, recipe, path, issues);
  return issues;
}
