import type { Initializer } from '@anneal/core';
import { resolveConfig } from '../internal/plugin-config.js';
import { gaussianInitializer } from './gaussian-initializer.js';
import { normalInitSchema, type NormalInitConfig } from './normal.schema.js';

/** N(0, std²) for every layer, whatever its shape ("Simple Init", std 0.1). */
export function normalInitializer(config: Partial<NormalInitConfig> = {}): Initializer {
  const { std } = resolveConfig('normal', normalInitSchema, config);
  return gaussianInitializer('normal', () => std);
}
