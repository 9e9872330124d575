import type { Initializer, Rng } from '@anneal/core';
import { resolveConfig } from '../internal/plugin-config.js';
import { fans, sizeOf } from './fans.js';
import { gaussianInitializer } from './gaussian-initializer.js';
import { glorotSchema, type GlorotConfig } from './glorot.schema.js';

/** sqrt(2/(fanIn + fanOut)): the std of both Glorot variants. */
export function glorotStd(shape: readonly number[]): number {
  const { fanIn, fanOut } = fans(shape);
  return Math.sqrt(2 / (fanIn + fanOut));
}

/**
 * Glorot & Bengio 2010. Default 'uniform' (U(−l, l), l = sqrt(6/(fanIn+fanOut)); `stdFor` returns null
 * since it is not Gaussian, though its std is glorotStd); 'normal' draws N(0, 2/(fanIn+fanOut)).
 */
export function glorotInitializer(config: Partial<GlorotConfig> = {}): Initializer {
  const { distribution } = resolveConfig('glorot', glorotSchema, config);
  if (distribution === 'normal') return gaussianInitializer('glorot', glorotStd);
  return {
    name: 'glorot',
    stdFor: () => null,
    sample(shape: readonly number[], rng: Rng): Float32Array {
      const limit = Math.sqrt(3) * glorotStd(shape);
      const out = rng.fillUniform(new Float32Array(sizeOf(shape)));
      for (let i = 0; i < out.length; i++) out[i] = (2 * out[i] - 1) * limit;
      return out;
    },
  };
}
