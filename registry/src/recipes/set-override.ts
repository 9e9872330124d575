import { AnnealError, didYouMean, type Recipe } from '@anneal/core';
import { deepMerge } from './apply-patch.js';

/** Parses "a.b.c=value": the value as JSON when it parses (numbers, booleans, lists), else a string. */
export function parseSetArg(arg: string): { path: string; value: unknown } {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new AnnealError('ANNEAL_ERR_CLI_USAGE', `--set expects key=value (e.g. --set training.epochs=2), got '${arg}'.`);
  const path = arg.slice(0, eq).trim();
  const raw = arg.slice(eq + 1).trim();
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  return { path, value };
}

const SETTABLE_ROOTS = ['model', 'dataset', 'optimizer', 'training', 'plugins', 'seeds'];

/**
 * Applies one dotted-path override to a recipe. Paths: model.config.width, optimizer.config.learningRate,
 * training.epochs, dataset.config.trainSize, seeds, and plugins.<instance>.<configKey> (by instance name).
 */
export function applySet(recipe: Recipe, path: string, value: unknown): Recipe {
  const parts = path.split('.');
  const root = parts[0];
  if (!SETTABLE_ROOTS.includes(root)) {
    throw new AnnealError('ANNEAL_ERR_CONFIG_KEY', `cannot set '${path}': the first part must be one of ${SETTABLE_ROOTS.join(', ')}.${didYouMean(root, SETTABLE_ROOTS)}`);
  }
  if (root === 'plugins') {
    const [, instance, ...rest] = parts;
    const names = recipe.plugins.map((p) => p.as ?? p.plugin);
    const index = names.indexOf(instance ?? '');
    if (index < 0) {
      throw new AnnealError(
        'ANNEAL_ERR_PLUGIN_UNKNOWN',
        `cannot set '${path}': recipe '${recipe.name}' has no plugin instance '${instance}'.${didYouMean(instance ?? '', names)} Instances: ${names.join(', ') || '(none)'}.`,
      );
    }
    if (rest.length === 0) throw new AnnealError('ANNEAL_ERR_CONFIG_KEY', `cannot set '${path}': name a config key, e.g. plugins.${instance}.eta=0.01`);
    const plugins = recipe.plugins.map((p, i) => (i === index ? { ...p, config: deepMerge(p.config ?? {}, nest(rest, value)) } : p));
    return { ...recipe, plugins };
  }
  if (root === 'seeds') {
    const seeds = Array.isArray(value) ? value : [value];
    return { ...recipe, seeds: seeds as number[] };
  }
  if ((root === 'model' || root === 'dataset' || root === 'optimizer') && parts[1] !== 'config' && parts[1] !== 'name') {
    throw new AnnealError('ANNEAL_ERR_CONFIG_KEY', `cannot set '${path}': use ${root}.name or ${root}.config.<key>.`);
  }
  return deepMerge(recipe, nest(parts, value));
}

function nest(parts: readonly string[], value: unknown): Record<string, unknown> {
  return parts.reduceRight<unknown>((acc, key) => ({ [key]: acc }), value) as Record<string, unknown>;
}

/** Reads a dotted path from a recipe (for reports and trial labels). */
export function readPath(recipe: Recipe, path: string): unknown {
  const parts = path.split('.');
  if (parts[0] === 'plugins') {
    const use = recipe.plugins.find((p) => (p.as ?? p.plugin) === parts[1]);
    return parts.slice(2).reduce<unknown>((acc, k) => (acc as Record<string, unknown> | undefined)?.[k], use?.config);
  }
  return parts.reduce<unknown>((acc, k) => (acc as Record<string, unknown> | undefined)?.[k], recipe);
}
