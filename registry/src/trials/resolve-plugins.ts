import {
  AnnealError,
  HOOK_CARDINALITY,
  HOOK_POINTS,
  validateConfig,
  type HookPoint,
  type PluginDefinition,
  type PluginKind,
  type Recipe,
} from '@anneal/core';
import type { PluginCatalog } from '../catalog/plugin-catalog.js';
import { defaultHookPoint } from '../catalog/validate-manifest.js';
import { orderHookPoint, type Placed } from './order-hook-point.js';
import type { ListHookPoint, ResolvedPlugin, TrialPlanSpec } from './trial-spec.js';

/** Kinds a recipe's `plugins` list takes, and where each goes. */
const LIST_KINDS: readonly PluginKind[] = ['gradient-transform', 'param-transform', 'forward-transform', 'curriculum', 'observer'];

const LIST_HOOK_POINTS = HOOK_POINTS.filter((h): h is ListHookPoint => h !== 'update');

function placeOf(kind: PluginKind): string {
  return kind === 'optimizer' ? 'optimizer' : kind === 'model-family' ? 'model' : kind === 'dataset' ? 'dataset' : 'model.config.init';
}

/**
 * Resolves a trial recipe's `plugins` list: names and kinds, instance names, configs, hook points
 * (allowed and within each point's cardinality), requirements, and the order within each hook point
 * (list order; `placement: 'constraints'` plugins by after/before/priority).
 */
export function resolvePlugins(catalog: PluginCatalog, r: Recipe): Pick<TrialPlanSpec, 'hooks' | 'forward' | 'curricula' | 'observers'> {
  const byHook = new Map<HookPoint, Placed[]>();
  const configs = new Map<string, Readonly<Record<string, unknown>>>();
  const forward: Placed[] = [];
  const curricula: Placed[] = [];
  const observers: Placed[] = [];
  const instanceNames = new Set<string>([r.optimizer.name]);
  r.plugins.forEach((use, i) => {
    const def = catalog.get(use.plugin, undefined, `recipe '${r.name}' plugins[${i}]`);
    const kind = def.manifest.kind;
    if (!LIST_KINDS.includes(kind)) {
      throw new AnnealError('ANNEAL_ERR_PLUGIN_KIND', `'${use.plugin}' is a ${kind}; the plugins list takes ${LIST_KINDS.join(', ')}. Put a ${kind} under '${placeOf(kind)}'.`);
    }
    const name = use.as ?? use.plugin;
    if (instanceNames.has(name)) {
      throw new AnnealError('ANNEAL_ERR_PLUGIN_DUPLICATE', `plugin instance '${name}' appears twice in recipe '${r.name}'; give the second one a different 'as' name.`);
    }
    instanceNames.add(name);
    configs.set(name, validateConfig(`plugin '${name}'`, def.manifest.configSchema, use.config));
    const placed: Placed = { name, definition: def, extra: use.placement === 'constraints' };
    if (kind === 'forward-transform') forward.push(placed);
    else if (kind === 'curriculum') curricula.push(placed);
    else if (kind === 'observer') observers.push(placed);
    else {
      const own = defaultHookPoint(def) as HookPoint;
      const at = use.at ?? own;
      const allowed = [...new Set([own, ...(def.manifest.allowedHookPoints ?? [])])];
      if (!allowed.includes(at)) {
        throw new AnnealError('ANNEAL_ERR_HOOK_NOT_ALLOWED', `plugin '${name}' cannot be placed at '${at}'; it allows ${allowed.join(', ')}.`, { name, at, allowed });
      }
      byHook.set(at, [...(byHook.get(at) ?? []), placed]);
    }
  });
  for (const hp of LIST_HOOK_POINTS) {
    const placed = byHook.get(hp) ?? [];
    if (HOOK_CARDINALITY[hp] === 'at-most-one' && placed.length > 1) {
      throw new AnnealError(
        'ANNEAL_ERR_HOOK_CARDINALITY',
        `the ${hp} hook point takes at most one plugin, got ${placed.length}: ${placed.map((p) => p.name).join(', ')}. Place extra ${hp === 'clip' ? 'clipping' : 'plugins'} at ${hp === 'clip' ? 'pre-clip or post-clip' : 'another hook point'}.`,
      );
    }
  }
  const all = [...byHook.values()].flat().concat(forward, curricula, observers);
  for (const p of all) {
    for (const req of p.definition.manifest.requires ?? []) {
      if (!all.some((q) => q.name === req || q.definition.manifest.name === req)) {
        throw new AnnealError('ANNEAL_ERR_PLUGIN_REQUIRES', `plugin '${p.name}' requires '${req}', which is not in this run. Add it to the recipe's plugins.`);
      }
    }
  }
  const resolved = (p: Placed): ResolvedPlugin => ({ name: p.name, plugin: p.definition.manifest.name, version: p.definition.manifest.version, config: configs.get(p.name) ?? {} });
  const hooks = Object.fromEntries(LIST_HOOK_POINTS.map((hp) => [hp, orderHookPoint(hp, byHook.get(hp) ?? []).map(resolved)])) as Record<ListHookPoint, ResolvedPlugin[]>;
  return { hooks, forward: forward.map(resolved), curricula: curricula.map(resolved), observers: observers.map(resolved) };
}

/** The definition behind a resolved plugin (it was checked when the trial was resolved). */
export function definitionOf(catalog: PluginCatalog, p: { readonly plugin: string }): PluginDefinition {
  return catalog.get(p.plugin);
}
