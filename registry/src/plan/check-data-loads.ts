import { deriveSeed } from '@anneal/core';
import type { PluginCatalog } from '../catalog/plugin-catalog.js';
import type { TrialSpec } from '../trials/trial-spec.js';
import type { DatasetCache } from './dataset-cache.js';

/**
 * Loads every distinct dataset configuration of the trials once, through the cache the trials then
 * use, so missing or corrupt data fails before any run is written.
 */
export async function checkDataLoads(catalog: PluginCatalog, trials: readonly TrialSpec[], datasets: DatasetCache): Promise<void> {
  const seen = new Set<string>();
  for (const t of trials) {
    const key = JSON.stringify([t.plan.dataset.name, t.plan.dataset.config]);
    if (seen.has(key)) continue;
    seen.add(key);
    await datasets.load(catalog.get(t.plan.dataset.name, 'dataset'), t.plan.dataset.config, deriveSeed(t.runSeed, 'dataset'));
  }
}
