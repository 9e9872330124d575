import type { ExecutionPlan, Observer, Recipe } from '@anneal/core';
import type { PluginCatalog } from '../catalog/plugin-catalog.js';
import { resolveTrials } from '../trials/resolve-trials.js';
import { instantiate } from './instantiate.js';
import type { DatasetCache } from './dataset-cache.js';

export interface PlanInputs {
  /** A recipe without variants or grid (its first trial is planned). */
  readonly recipe: Recipe;
  readonly seed: number;
  readonly runName?: string;
  readonly backend: string;
  readonly dataDir?: string;
  readonly datasets?: DatasetCache;
  readonly runtimeObservers?: readonly Observer[];
  /** Plugins attached as with --plugin (placed by their manifest's constraints). */
  readonly extraPlugins?: readonly string[];
}

/**
 * The runtime plan of one recipe and seed through the one pipeline (resolveTrials, then
 * instantiate): for tests, benchmarks and programs that drive a Trainer themselves.
 */
export async function buildPlan(catalog: PluginCatalog, inputs: PlanInputs): Promise<ExecutionPlan> {
  const [spec] = resolveTrials(catalog, inputs.recipe, { seeds: [inputs.seed], extraPlugins: inputs.extraPlugins });
  return instantiate(catalog, inputs.runName ? { ...spec, runName: inputs.runName } : spec, inputs);
}
