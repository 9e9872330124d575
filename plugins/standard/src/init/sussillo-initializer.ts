import type { Initializer } from '@anneal/core';
import { fans } from './fans.js';
import { gaussianInitializer } from './gaussian-initializer.js';

/**
 * Sussillo & Abbott 2014 random-walk initialization for ReLU, as in early TensorFlow's `_random_walk`
 * (spec §1.2, "Good Init 1"): std = g/sqrt(N), g = sqrt(2)·exp(1.2/(max(N, 6) − 2.4)), N = fanIn.
 * 784 → g 1.41639, std 0.05059; 50 → g 1.45032, std 0.20511.
 */
export function sussilloGain(fanIn: number): number {
  return Math.SQRT2 * Math.exp(1.2 / (Math.max(fanIn, 6) - 2.4));
}

export function sussilloStd(shape: readonly number[]): number {
  const { fanIn } = fans(shape);
  return sussilloGain(fanIn) / Math.sqrt(fanIn);
}

export function sussilloInitializer(): Initializer {
  return gaussianInitializer('sussillo', sussilloStd);
}
