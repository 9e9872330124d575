import * as standard from '@anneal/plugins-standard';
import * as mlp from '@anneal/model-mlp';
import * as mnist from '@anneal/dataset-mnist';
import * as babi from '@anneal/dataset-babi';
import * as memn2n from '@anneal/model-memn2n';
import * as curriculum from '@anneal/curriculum';
import * as tableQa from '@anneal/dataset-table-qa';
import * as neuralProgrammer from '@anneal/model-neural-programmer';
import * as ptb from '@anneal/dataset-ptb';
import * as lstmLm from '@anneal/model-lstm-lm';
import * as listK from '@anneal/dataset-list-k';
import * as nram from '@anneal/model-nram';
import * as binaryArith from '@anneal/dataset-binary-arith';
import * as neuralGpu from '@anneal/model-neural-gpu';
import * as recipesPkg from '@anneal/recipes';
import type { PluginDefinition, Recipe } from '@anneal/core';
import { isPluginDefinition } from './catalog/module-exports.js';

const isDefinition = (v: unknown): v is PluginDefinition => isPluginDefinition(v);

/** Every plugin definition a module exports (single definitions and lists), de-duplicated. */
export function collectDefinitions(mod: Record<string, unknown>): PluginDefinition[] {
  const out = new Set<PluginDefinition>();
  for (const value of Object.values(mod)) {
    if (isDefinition(value)) out.add(value);
    else if (Array.isArray(value)) for (const v of value) if (isDefinition(v)) out.add(v);
  }
  return [...out];
}

function isRecipe(v: unknown): v is Recipe {
  return !!v && typeof v === 'object' && typeof (v as Recipe).name === 'string' && 'model' in v && 'training' in v && 'optimizer' in v;
}

/** The built-in plugins, with the package they come from. */
export function builtinPlugins(): { definition: PluginDefinition; source: string }[] {
  const sources: [string, Record<string, unknown>][] = [
    ['@anneal/plugins-standard', standard],
    ['@anneal/model-mlp', mlp],
    ['@anneal/dataset-mnist', mnist],
    ['@anneal/dataset-babi', babi],
    ['@anneal/model-memn2n', memn2n],
    ['@anneal/curriculum', curriculum],
    ['@anneal/dataset-table-qa', tableQa],
    ['@anneal/model-neural-programmer', neuralProgrammer],
    ['@anneal/dataset-ptb', ptb],
    ['@anneal/model-lstm-lm', lstmLm],
    ['@anneal/dataset-list-k', listK],
    ['@anneal/model-nram', nram],
    ['@anneal/dataset-binary-arith', binaryArith],
    ['@anneal/model-neural-gpu', neuralGpu],
  ];
  const seen = new Set<PluginDefinition>();
  const out: { definition: PluginDefinition; source: string }[] = [];
  for (const [source, mod] of sources) {
    for (const d of collectDefinitions(mod)) {
      if (seen.has(d)) continue;
      seen.add(d);
      out.push({ definition: d, source });
    }
  }
  return out;
}

/** The registered recipes. */
export function builtinRecipes(): Recipe[] {
  const out = new Map<string, Recipe>();
  for (const value of Object.values(recipesPkg as Record<string, unknown>)) {
    const list = Array.isArray(value) ? value : [value];
    for (const r of list) if (isRecipe(r)) out.set(r.name, r);
  }
  return [...out.values()];
}
