import { deriveSeed, type GradientTransform } from '@anneal/core';
import { resolveConfig } from '../internal/plugin-config.js';
import { addGaussianNoise, GraphNoise, prefetchingNoiseOps, totalSize, type NoiseOps } from '../ops/index.js';
import { annealedGaussianSchema, type AnnealedGaussianConfig } from './annealed-gaussian.schema.js';
import { annealedNoiseVariance } from './noise-schedule.js';
import type { GradientNoiseState } from './noise-state.js';

/**
 * Annealed Gaussian gradient noise (Neelakantan et al. 2015, Eq. 1), with t = ctx.step:
 *
 *     σ_t² = η / (1 + t)^γ,     g ← g + N(0, σ_t² I)     for every entry of every gradient tensor.
 *
 * The noise of step t is drawn from a key derived from (the plugin's seed, t), so the state is just
 * { seed }: a resumed run draws the same noise as an uninterrupted one. Reports σ_t as the StepRecord's
 * noise std (`facts`) and as the metric `noise_std`. `ops` picks the sampling/add implementation
 * (ops/: by default the fast one, which on tensorflow draws and adds in one op, and elsewhere draws step t+1's
 * noise on a worker thread while step t+1 computes; `referenceNoiseOps` gives the same values).
 *
 * Graph form (a step captured as one TensorFlow graph): the same ε for step t, drawn inside the graph by the fused
 * op from seeds the host passes in, or drawn on the host and passed in as one flat input (ops' GraphNoise). It folds a
 * global-norm clip's scale: the clip just before it leaves g · c to this pass, so the fused op makes one pass for both.
 */
export function addGradientNoise(config: Partial<AnnealedGaussianConfig> = {}, ops: NoiseOps = prefetchingNoiseOps): GradientTransform<GradientNoiseState> {
  const { eta, gamma } = resolveConfig('annealed-gaussian', annealedGaussianSchema, config);
  const stdAt = (t: number) => Math.sqrt(annealedNoiseVariance(eta, gamma, t)); // σ_t
  const keyAt = (seed: number, t: number) => deriveSeed(seed, `noise/${t}`);
  const graphNoise = new GraphNoise(ops);
  return {
    name: 'annealed-gaussian',
    init: (ctx) => ({ seed: ctx.seed }),
    // Where the noise is one op (tensorflow), it also applies a clip's c left to it: c·g + ε in one pass.
    get foldsScale() {
      return ops.fused?.() !== undefined;
    },
    update(grads, state, ctx) {
      const n = totalSize(grads);
      const std = stdAt(ctx.step);
      const noisy = addGaussianNoise(ops, grads, keyAt(state.seed, ctx.step), std, ctx.scale); // g + ε, ε ~ N(0, σ_t² I)
      ops.prefetch?.(n, keyAt(state.seed, ctx.step + 1), stdAt(ctx.step + 1));
      return { grads: noisy, state, metrics: { noise_std: std }, facts: { noiseStd: std } };
    },
    graph: {
      host(state, ctx) {
        const n = Object.values(ctx.shapes).reduce((sum, shape) => sum + shape.reduce((a, b) => a * b, 1), 0);
        const std = stdAt(ctx.step);
        const inputs = graphNoise.host(n, keyAt(state.seed, ctx.step), std); // ε ~ N(0, σ_t² I), or what draws it in the graph
        ops.prefetch?.(n, keyAt(state.seed, ctx.step + 1), stdAt(ctx.step + 1));
        return { inputs, state, metrics: { noise_std: std }, facts: { noiseStd: std } };
      },
      foldsScale: true, // a clip's c, left to this pass: g · c + ε
      apply: (grads, inputs, known) => ({ grads: graphNoise.apply(grads, inputs, known?.scale) }), // g + ε
    },
  };
}
