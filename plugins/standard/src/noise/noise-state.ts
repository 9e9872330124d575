import type { Rng } from '@anneal/core';

/** State of every noise plugin: its own seeded stream. Checkpointed through `Rng.toCheckpoint()`. */
export interface NoiseState {
  readonly rng: Rng;
}
