import type { Initializer } from '@anneal/core';
import { fans } from './fans.js';
import { gaussianInitializer } from './gaussian-initializer.js';

/** He et al. 2015: N(0, 2/fanIn) ("Good Init 2"); 784 → 0.05051, 50 → 0.2. */
export function heStd(shape: readonly number[]): number {
  return Math.sqrt(2 / fans(shape).fanIn);
}

export function heInitializer(): Initializer {
  return gaussianInitializer('he', heStd);
}
