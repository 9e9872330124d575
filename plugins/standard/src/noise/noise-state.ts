import type { Rng } from '@anneal/core';

/** State of the weight-noise plugin: its own seeded stream. Checkpointed through `Rng.toCheckpoint()`. */
export interface NoiseState {
  readonly rng: Rng;
}

/**
 * State of the gradient-noise plugins: only the seed, since the noise of step t is drawn from a key
 * derived from (seed, t) (add-gradient-noise.ts). Plain JSON in checkpoints.
 */
export interface GradientNoiseState {
  readonly seed: number;
}
