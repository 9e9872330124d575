import { AnnealError, deriveSeed, didYouMean, validateConfig, type MetricSpec, type Recipe } from '@anneal/core';
import type { PluginCatalog } from '../catalog/plugin-catalog.js';
import { applyPatch } from '../recipes/apply-patch.js';
import { applySet } from '../recipes/set-override.js';
import { validateRecipeShape } from '../recipes/validate-recipe.js';
import { cartesian, settingLabel, stableJson, trialId } from './expand-grid.js';
import { resolvePlugins } from './resolve-plugins.js';
import { resolveTraining } from './resolve-training.js';
import type { TrialPlanSpec, TrialSpec } from './trial-spec.js';
import { absoluteModule } from './plugin-modules.js';

/** What a user changes about a recipe at launch. */
export interface TrialOverrides {
  readonly quick?: boolean;
  /** Overrides the recipe's seeds (e.g. --seed 3). */
  readonly seeds?: readonly number[];
  /** --set overrides, applied last. `plugins.<instance>.*` applies to the trials that have the instance. */
  readonly sets?: readonly { readonly path: string; readonly value: unknown }[];
  /** --variant: run only these arms. */
  readonly variants?: readonly string[];
  /** Plugins attached with --plugin: appended to every trial's list, placed by their manifest's constraints. */
  readonly extraPlugins?: readonly string[];
  /** The modules those plugins (and any recipe `load:`) come from. */
  readonly pluginModules?: readonly string[];
}

/** The recipe after the quick patch (if asked), before variants and grid. */
export function resolveBase(recipe: Recipe, quick = false): Recipe {
  if (quick && !recipe.quick) throw new AnnealError('ANNEAL_ERR_RECIPE_INVALID', `recipe '${recipe.name}' has no quick variant; run it without --quick.`);
  const { quick: _patch, ...base } = quick ? applyPatch(recipe, recipe.quick) : recipe;
  return base;
}

/**
 * Expands a recipe into trial specs — variants × grid × seeds × restarts, in a stable order — and
 * resolves and validates each one completely: names, kinds, configs, hook points, order, training.
 * This is the only validation; nothing is loaded or built, nothing is written.
 */
export function resolveTrials(catalog: PluginCatalog, recipe: Recipe, overrides: TrialOverrides = {}): TrialSpec[] {
  const planCache = new Map<string, TrialPlanSpec>();
  // The modules a trial's plugins come from: --plugin and the recipe's own `load` list (absolute paths).
  const pluginModules = [...new Set([...(overrides.pluginModules ?? []), ...(recipe.load ?? [])].map((m) => absoluteModule(m)))];
  const specs = expandTrials(recipe, overrides).map((t): TrialSpec => {
    // Trials that differ only in their seed share one plan: resolve it once.
    const key = stableJson({ ...t.recipe, seeds: [] });
    let plan = planCache.get(key);
    if (!plan) planCache.set(key, (plan = resolvePlan(catalog, t.recipe)));
    return { format: 1, ...t, plan, pluginModules };
  });
  checkReportMetrics(recipe.name, resolveBase(recipe, overrides.quick), specs[0]?.plan.metrics ?? []);
  return specs;
}

/** A trial before its plan is resolved: identity, labels and its recipe. */
export type ExpandedTrial = Omit<TrialSpec, 'format' | 'plan' | 'pluginModules'>;

/**
 * The trials of a recipe with their recipes (quick, variant, setting and --set applied), ids and
 * labels; structural checks only (no catalog). `recipes ls` counts them, `resolveTrials` resolves them.
 */
export function expandTrials(recipe: Recipe, overrides: TrialOverrides = {}): ExpandedTrial[] {
  const quick = Boolean(overrides.quick);
  const base = resolveBase(recipe, quick);
  const allVariants = base.variants && base.variants.length > 0 ? base.variants : [undefined];
  const variants = chooseVariants(recipe, allVariants, overrides.variants);
  const settings = cartesian(base.grid ?? {});
  const seeds = overrides.seeds ?? base.seeds;
  const restarts = base.restarts?.count ?? 0;
  const sets = overrides.sets ?? [];
  const unmatched = new Set(sets.filter((s) => s.path.startsWith('plugins.')).map((s) => s.path));
  const trials: ExpandedTrial[] = [];
  for (const variant of variants) {
    for (const setting of settings) {
      let resolved: Recipe = variant ? applyPatch(base, variant.patch) : base;
      const attached = (overrides.extraPlugins ?? []).filter((n) => !resolved.plugins.some((u) => (u.as ?? u.plugin) === n));
      if (attached.length) resolved = { ...resolved, plugins: [...resolved.plugins, ...attached.map((plugin) => ({ plugin, placement: 'constraints' as const }))] };
      for (const [path, value] of Object.entries(setting)) resolved = applySet(resolved, path, value);
      for (const s of sets) {
        // plugins.<instance>.* reaches the arms that have the instance.
        if (s.path.startsWith('plugins.') && !hasInstance(resolved, s.path)) continue;
        resolved = applySet(resolved, s.path, s.value);
        unmatched.delete(s.path);
      }
      for (const seed of seeds) {
        for (let r = 0; r < Math.max(1, restarts); r++) {
          const { grid: _grid, variants: _variants, ...rest } = resolved;
          const trialRecipe: Recipe = { ...rest, seeds: [seed] };
          validateRecipeShape(trialRecipe);
          const restart = restarts > 0 ? r : undefined;
          const label = [variant?.name, settingLabel(setting), `seed=${seed}`, restart !== undefined ? `restart=${restart}` : ''].filter(Boolean).join(' ');
          trials.push({
            id: trialId({ recipe: recipe.name, version: recipe.version, quick, variant: variant?.name ?? null, setting, seed, restart: restart ?? null, sets }),
            index: trials.length,
            label,
            runName: `${recipe.name}${variant ? `/${variant.name}` : ''}${Object.keys(setting).length ? ` ${settingLabel(setting)}` : ''} seed=${seed}${restart !== undefined ? ` restart=${restart}` : ''}`,
            quick,
            ...(variant ? { variant: variant.name } : {}),
            setting,
            seed,
            runSeed: restart === undefined ? seed : deriveSeed(seed, `restart/${restart}`) % 2 ** 31,
            ...(restart !== undefined ? { restart } : {}),
            recipe: trialRecipe,
          });
        }
      }
    }
  }
  if (unmatched.size > 0) {
    const path = [...unmatched][0];
    const names = [...new Set(trials.flatMap((s) => s.recipe.plugins.map((p) => p.as ?? p.plugin)))];
    const instance = path.split('.')[1] ?? '';
    throw new AnnealError(
      'ANNEAL_ERR_PLUGIN_UNKNOWN',
      `cannot set '${path}': no trial of recipe '${recipe.name}'${overrides.variants?.length ? ` (variants ${overrides.variants.join(', ')})` : ''} has a plugin instance '${instance}'.${didYouMean(instance, names)} Instances: ${names.join(', ') || '(none)'}.`,
    );
  }
  return trials;
}

function chooseVariants<V extends { readonly name: string } | undefined>(recipe: Recipe, all: readonly V[], chosen: readonly string[] | undefined): readonly V[] {
  if (!chosen || chosen.length === 0) return all;
  const names = all.filter((v): v is NonNullable<V> => v !== undefined).map((v) => v.name);
  for (const name of chosen) {
    if (!names.includes(name)) {
      throw new AnnealError(
        'ANNEAL_ERR_CONFIG_VALUE',
        names.length === 0
          ? `--variant '${name}': recipe '${recipe.name}' has no variants; run it without --variant.`
          : `--variant '${name}' is not a variant of recipe '${recipe.name}'.${didYouMean(name, names)} Its variants: ${names.join(', ')}.`,
      );
    }
  }
  return all.filter((v) => v !== undefined && chosen.includes(v.name));
}

function hasInstance(recipe: Recipe, path: string): boolean {
  const instance = path.split('.')[1];
  return recipe.plugins.some((p) => (p.as ?? p.plugin) === instance);
}

/** Resolves one trial recipe's components, plugins and training: every name and config checked. */
function resolvePlan(catalog: PluginCatalog, r: Recipe): TrialPlanSpec {
  const opt = catalog.get(r.optimizer.name, 'optimizer', `recipe '${r.name}' optimizer`);
  const optConfig = validateConfig(`optimizer '${r.optimizer.name}'`, opt.manifest.configSchema, r.optimizer.config);
  const model = catalog.get(r.model.name, 'model-family', `recipe '${r.name}' model`);
  const modelConfig = validateConfig(`model '${r.model.name}'`, model.manifest.configSchema, r.model.config);
  const dataset = catalog.get(r.dataset.name, 'dataset', `recipe '${r.name}' dataset`);
  const datasetConfig = validateConfig(`dataset '${r.dataset.name}'`, dataset.manifest.configSchema, r.dataset.config);
  return {
    model: { name: r.model.name, version: model.manifest.version, config: modelConfig },
    dataset: { name: r.dataset.name, version: dataset.manifest.version, config: datasetConfig },
    optimizer: { name: r.optimizer.name, version: opt.manifest.version, config: optConfig },
    ...resolvePlugins(catalog, r),
    training: resolveTraining(r, optConfig),
    metrics: model.metrics ?? [],
  };
}

/** Metrics the trainer itself tracks besides the model's `<split>/<metric>` ones. */
const TRAINER_METRICS = ['train/epoch_loss', 'train/loss'];

/** The recipe's report metric and restart selection must name metrics the model declares. */
function checkReportMetrics(recipeName: string, base: Recipe, metrics: readonly MetricSpec[]): void {
  if (metrics.length === 0) return;
  const known = [...TRAINER_METRICS, ...['train', 'validation', 'test'].flatMap((split) => metrics.map((m) => `${split}/${m.key}`))];
  const named: [string, string | undefined][] = [
    ['report.metric', base.report?.metric],
    ['restarts.selectBy', base.restarts?.selectBy],
    ['paper.metric', base.paper?.metric],
    ...(base.report?.layout === 'threshold-counts' ? (base.report.means ?? []).map((k): [string, string] => ['report.means', k]) : []),
  ];
  for (const [where, key] of named) {
    if (key !== undefined && !known.includes(key)) {
      throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `recipe '${recipeName}': ${where} '${key}' is not a metric its model reports.${didYouMean(key, known)} It reports: ${known.join(', ')}.`);
    }
  }
}
