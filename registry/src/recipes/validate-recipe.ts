import { AnnealError, didYouMean, isHookPoint, validateReportSpec, type Recipe } from '@anneal/core';

export const RECIPE_KEYS = ['name', 'version', 'description', 'model', 'dataset', 'optimizer', 'plugins', 'training', 'seeds', 'grid', 'variants', 'restarts', 'load', 'quick', 'paper', 'report', 'tags'] as const;
export const TRAINING_KEYS = ['batchSize', 'epochs', 'phases', 'maxSteps', 'evalEveryEpochs', 'evalSplits', 'sampling', 'recordGradNorms', 'lrSchedule'] as const;

function bad(recipe: string, message: string): never {
  throw new AnnealError('ANNEAL_ERR_RECIPE_INVALID', `recipe '${recipe}': ${message}`);
}

/** Structural checks on a recipe (plugin names and configs are checked when the plan is built). */
export function validateRecipeShape(r: Recipe): void {
  const name = typeof r?.name === 'string' ? r.name : '(unnamed)';
  if (!/^[a-z0-9][a-z0-9.-]*$/.test(name)) bad(name, `name must be kebab-case, got ${JSON.stringify(r?.name)}`);
  for (const key of Object.keys(r)) {
    if (!(RECIPE_KEYS as readonly string[]).includes(key)) bad(name, `unknown key '${key}'.${didYouMean(key, RECIPE_KEYS)}`);
  }
  if (!Number.isInteger(r.version) || r.version < 1) bad(name, `version must be a positive integer, got ${JSON.stringify(r.version)}`);
  for (const part of ['model', 'dataset', 'optimizer'] as const) {
    if (!r[part] || typeof r[part].name !== 'string') bad(name, `'${part}' must be { name, config? }`);
  }
  if (!Array.isArray(r.plugins)) bad(name, `'plugins' must be a list of { plugin, config?, at?, as? }`);
  for (const use of r.plugins) {
    if (typeof use.plugin !== 'string') bad(name, `every plugins entry needs 'plugin' (a name), got ${JSON.stringify(use)}`);
    if (use.placement !== undefined && use.placement !== 'list' && use.placement !== 'constraints') bad(name, `plugin '${use.plugin}' has placement=${JSON.stringify(use.placement)}; use 'list' or 'constraints'`);
    if (use.at !== undefined && !isHookPoint(use.at)) bad(name, `plugin '${use.plugin}' has at=${JSON.stringify(use.at)}; hook points: pre-clip, clip, post-clip, pre-update, update, post-update`);
  }
  validateTraining(name, r.training);
  if (!Array.isArray(r.seeds) || r.seeds.length === 0 || !r.seeds.every((s) => Number.isInteger(s) && s >= 0)) bad(name, `'seeds' must be a non-empty list of non-negative integers`);
  for (const [key, values] of Object.entries(r.grid ?? {})) {
    if (!Array.isArray(values) || values.length === 0) bad(name, `grid '${key}' must be a non-empty list of values`);
  }
  validateReportSpec(name, r.report);
  const variantNames = new Set<string>();
  for (const v of r.variants ?? []) {
    if (typeof v.name !== 'string' || variantNames.has(v.name)) bad(name, `variant names must be unique strings, got ${JSON.stringify(v.name)}`);
    variantNames.add(v.name);
  }
}

export function validateTraining(recipe: string, t: unknown): void {
  if (!t || typeof t !== 'object') bad(recipe, `'training' must be an object`);
  const training = t as Record<string, unknown>;
  for (const key of Object.keys(training)) {
    if (!(TRAINING_KEYS as readonly string[]).includes(key)) bad(recipe, `unknown training key '${key}'.${didYouMean(key, TRAINING_KEYS)} Known: ${TRAINING_KEYS.join(', ')}`);
  }
  if (!Number.isInteger(training.batchSize) || (training.batchSize as number) < 1) bad(recipe, `training.batchSize must be an integer ≥ 1, got ${JSON.stringify(training.batchSize)}`);
  if (training.phases === undefined && (!Number.isInteger(training.epochs) || (training.epochs as number) < 1)) {
    bad(recipe, `training.epochs must be an integer ≥ 1 (or give training.phases), got ${JSON.stringify(training.epochs)}`);
  }
  if (training.maxSteps !== undefined && (!Number.isInteger(training.maxSteps) || (training.maxSteps as number) < 1)) bad(recipe, `training.maxSteps must be an integer ≥ 1`);
  if (training.sampling !== undefined && training.sampling !== 'permutation' && training.sampling !== 'with-replacement') {
    bad(recipe, `training.sampling must be 'permutation' or 'with-replacement', got ${JSON.stringify(training.sampling)}`);
  }
}
