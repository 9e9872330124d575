import type { Initializer, Rng } from '@anneal/core';
import { sizeOf } from './fans.js';

/** An initializer drawing i.i.d. N(0, std(shape)²) entries from the model's init stream. */
export function gaussianInitializer(name: string, stdFor: (shape: readonly number[]) => number): Initializer {
  return {
    name,
    stdFor,
    sample(shape: readonly number[], rng: Rng): Float32Array {
      return rng.fillNormal(new Float32Array(sizeOf(shape)), 0, stdFor(shape));
    },
  };
}
