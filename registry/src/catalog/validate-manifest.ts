import { AnnealError, HOOK_POINTS, PLUGIN_KINDS, isHookPoint, type PluginDefinition } from '@anneal/core';

const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const DEFAULT_HOOK: Partial<Record<string, string>> = { optimizer: 'update', 'param-transform': 'post-update' };

/** Checks a plugin definition's manifest at registration time (fastify-style boot checks). */
export function validateManifest(def: PluginDefinition, source: string): void {
  const m = (def as { manifest?: PluginDefinition['manifest'] }).manifest;
  if (!m || typeof m !== 'object') throw new AnnealError('ANNEAL_ERR_PLUGIN_LOAD', `${source}: export is not a plugin definition (it has no 'manifest'). Export { manifest, create } built with definePlugin.*.`);
  if (typeof m.name !== 'string' || !KEBAB.test(m.name)) {
    throw new AnnealError('ANNEAL_ERR_PLUGIN_LOAD', `${source}: plugin name ${JSON.stringify(m.name)} must be kebab-case (e.g. 'my-noise').`);
  }
  if (!PLUGIN_KINDS.includes(m.kind)) {
    throw new AnnealError('ANNEAL_ERR_PLUGIN_KIND', `${source}: plugin '${m.name}' has kind ${JSON.stringify(m.kind)}; allowed kinds: ${PLUGIN_KINDS.join(', ')}.`);
  }
  const hp = m.hookPoint ?? DEFAULT_HOOK[m.kind];
  if (m.kind === 'gradient-transform' || m.kind === 'optimizer' || m.kind === 'param-transform') {
    if (!isHookPoint(hp)) {
      throw new AnnealError('ANNEAL_ERR_HOOK_UNKNOWN', `${source}: plugin '${m.name}' names hook point ${JSON.stringify(m.hookPoint)}; hook points are ${HOOK_POINTS.join(' → ')}.`);
    }
    for (const a of m.allowedHookPoints ?? []) {
      if (!isHookPoint(a)) throw new AnnealError('ANNEAL_ERR_HOOK_UNKNOWN', `${source}: plugin '${m.name}' allows unknown hook point ${JSON.stringify(a)}; hook points are ${HOOK_POINTS.join(' → ')}.`);
    }
    const expected = m.kind === 'optimizer' ? ['update'] : m.kind === 'param-transform' ? ['post-update'] : ['pre-clip', 'clip', 'post-clip', 'pre-update'];
    for (const h of [hp, ...(m.allowedHookPoints ?? [])]) {
      if (!expected.includes(h as string)) {
        throw new AnnealError('ANNEAL_ERR_HOOK_NOT_ALLOWED', `${source}: a ${m.kind} cannot sit at '${h}'; it belongs at ${expected.join(' / ')}.`);
      }
    }
  }
  const factory = m.kind === 'dataset' ? (def as { load?: unknown }).load : (def as { create?: unknown }).create;
  if (typeof factory !== 'function') {
    throw new AnnealError('ANNEAL_ERR_PLUGIN_LOAD', `${source}: plugin '${m.name}' has no ${m.kind === 'dataset' ? 'load' : 'create'}() function.`);
  }
  if (!m.configSchema || typeof m.configSchema !== 'object') throw new AnnealError('ANNEAL_ERR_PLUGIN_LOAD', `${source}: plugin '${m.name}' has no configSchema (use defineSchema({}) for none).`);
  if (!m.card || typeof m.card.summary !== 'string') throw new AnnealError('ANNEAL_ERR_PLUGIN_LOAD', `${source}: plugin '${m.name}' has no card.summary (one line saying what it does).`);
}

/** The hook point a definition sits at by default. */
export function defaultHookPoint(def: PluginDefinition): string | undefined {
  return def.manifest.hookPoint ?? DEFAULT_HOOK[def.manifest.kind];
}
