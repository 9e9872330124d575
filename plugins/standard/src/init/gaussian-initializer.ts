import type { Initializer, Rng } from '@anneal/core';
import { fillNormalFast } from '../random/fill-normal-fast.js';
import { sizeOf } from './fans.js';

/** An initializer drawing i.i.d. N(0, std(shape)²) entries from the model's init stream. */
export function gaussianInitializer(name: string, stdFor: (shape: readonly number[]) => number): Initializer {
  return {
    name,
    stdFor,
    sample(shape: readonly number[], rng: Rng): Float32Array {
      return fillNormalFast(rng, new Float32Array(sizeOf(shape)), stdFor(shape));
    },
  };
}
