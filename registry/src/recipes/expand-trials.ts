import { createHash } from 'node:crypto';
import { AnnealError, deriveSeed, type Recipe } from '@anneal/core';
import { applyPatch } from './apply-patch.js';
import { applySet } from './set-override.js';
import { validateRecipeShape } from './validate-recipe.js';

/** One run of a recipe: a variant × grid setting × seed (× restart). */
export interface Trial {
  /** Stable id: the same recipe/version/quick/variant/setting/seed/restart always gives the same id. */
  readonly id: string;
  readonly index: number;
  readonly variant?: string;
  readonly setting: Readonly<Record<string, unknown>>;
  readonly seed: number;
  /** Seed the run actually uses (differs from `seed` only for restarts). */
  readonly runSeed: number;
  readonly restart?: number;
  readonly label: string;
  /** The recipe with quick, variant, setting and --set applied (no grid/variants/quick left). */
  readonly recipe: Recipe;
}

export interface ExpandOptions {
  readonly quick?: boolean;
  /** Overrides the recipe's seeds (e.g. --seed 3). */
  readonly seeds?: readonly number[];
  /** --set overrides, applied last. */
  readonly sets?: readonly { path: string; value: unknown }[];
  /**
   * Plugins attached with --plugin: appended to every trial's plugin list (placed by their manifest's
   * constraints), so `--set plugins.<name>.<key>=…` configures them like recipe plugins.
   */
  readonly extraPlugins?: readonly string[];
}

function cartesian(grid: Readonly<Record<string, readonly unknown[]>>): Record<string, unknown>[] {
  let out: Record<string, unknown>[] = [{}];
  for (const [key, values] of Object.entries(grid)) out = out.flatMap((acc) => values.map((v) => ({ ...acc, [key]: v })));
  return out;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The recipe after the quick patch (if asked) and --set overrides, before variants and grid. */
export function resolveBase(recipe: Recipe, options: ExpandOptions = {}): Recipe {
  let base = options.quick ? applyPatch(recipe, recipe.quick) : recipe;
  if (options.quick && !recipe.quick) {
    throw new AnnealError('ANNEAL_ERR_RECIPE_INVALID', `recipe '${recipe.name}' has no quick variant; run it without --quick.`);
  }
  base = { ...base, quick: undefined };
  return base;
}

/** Expands a recipe into trials: variants × grid × seeds × restarts, in a stable order. */
export function expandTrials(recipe: Recipe, options: ExpandOptions = {}): Trial[] {
  const base = resolveBase(recipe, options);
  const variants = base.variants && base.variants.length > 0 ? base.variants : [undefined];
  const settings = cartesian(base.grid ?? {});
  const seeds = options.seeds ?? base.seeds;
  const restarts = base.restarts?.count ?? 0;
  const trials: Trial[] = [];
  for (const variant of variants) {
    for (const setting of settings) {
      for (const seed of seeds) {
        for (let r = 0; r < Math.max(1, restarts); r++) {
          let resolved: Recipe = variant ? applyPatch(base, variant.patch) : base;
          const attached = (options.extraPlugins ?? []).filter((n) => !resolved.plugins.some((u) => (u.as ?? u.plugin) === n));
          if (attached.length) resolved = { ...resolved, plugins: [...resolved.plugins, ...attached.map((plugin) => ({ plugin, placement: 'constraints' as const }))] };
          for (const [path, value] of Object.entries(setting)) resolved = applySet(resolved, path, value);
          for (const s of options.sets ?? []) resolved = applySet(resolved, s.path, s.value);
          resolved = { ...resolved, grid: undefined, variants: undefined, seeds: [seed] };
          validateRecipeShape(resolved);
          const restart = restarts > 0 ? r : undefined;
          const identity = stableJson({ recipe: recipe.name, version: recipe.version, quick: !!options.quick, variant: variant?.name ?? null, setting, seed, restart: restart ?? null, sets: options.sets ?? [] });
          const id = createHash('sha256').update(identity).digest('hex').slice(0, 12);
          const settingLabel = Object.entries(setting).map(([k, v]) => `${k.split('.').pop()}=${JSON.stringify(v)}`).join(' ');
          const label = [variant?.name, settingLabel, `seed=${seed}`, restart !== undefined ? `restart=${restart}` : ''].filter(Boolean).join(' ');
          trials.push({
            id,
            index: trials.length,
            variant: variant?.name,
            setting,
            seed,
            runSeed: restart === undefined ? seed : deriveSeed(seed, `restart/${restart}`) % 2 ** 31,
            restart,
            label,
            recipe: resolved,
          });
        }
      }
    }
  }
  return trials;
}
