import { deriveSeed } from '../random/seed-derivation.js';
import { Rng } from '../random/rng.js';
import type { BatchSampling } from '../recipe/recipe.js';

/**
 * Example indices for every batch of global epoch `epoch`: a seeded permutation (or draws with
 * replacement, or index order for 'sequential'), derived from (run seed, epoch) alone, so a resumed run sees the same order.
 * Batches are floor(n / batchSize) full batches; a partial last batch is dropped.
 */
export function epochBatchOrder(runSeed: number, epoch: number, size: number, batchSize: number, sampling: BatchSampling): { order: Int32Array; batches: number } {
  const rng = new Rng(deriveSeed(runSeed, `data/epoch/${epoch}`));
  const batches = Math.floor(size / batchSize);
  if (sampling === 'sequential') return { order: Int32Array.from({ length: size }, (_, i) => i), batches };
  if (sampling === 'with-replacement') {
    const order = new Int32Array(batches * batchSize);
    for (let i = 0; i < order.length; i++) order[i] = rng.nextInt(size);
    return { order, batches };
  }
  return { order: rng.permutation(size), batches };
}

/** The RNG for training-time batch randomisation at global step `step` (e.g. random-noise memories). */
export function batchRng(runSeed: number, step: number): Rng {
  return new Rng(deriveSeed(runSeed, `data/batch/${step}`));
}
