import type { Initializer, Rng } from '@anneal/core';
import { sizeOf } from './fans.js';

/** All zeros ("Bad Init"). Draws nothing from the stream. */
export function zeroInitializer(): Initializer {
  return {
    name: 'zero',
    stdFor: () => 0,
    sample: (shape: readonly number[], _rng: Rng) => new Float32Array(sizeOf(shape)),
  };
}
