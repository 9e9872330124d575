import * as tf from '@tensorflow/tfjs-core';
import { Rng, type ParamTransform } from '@anneal/core';
import { resolveConfig } from '../internal/plugin-config.js';
import { addGaussianNoise, fastNoiseOps, type NoiseOps } from '../ops/index.js';
import { annealedNoiseVariance } from './noise-schedule.js';
import type { NoiseState } from './noise-state.js';
import { weightNoiseSchema, type WeightNoiseConfig } from './weight-noise.schema.js';

/**
 * Annealed weight noise (the §4.6 "gradient noise vs weight noise" ablation, spec §7.3), with t = ctx.step:
 *
 *     σ_t² = η / (1 + t)^γ,     θ ← θ + N(0, σ_t² I)     after each optimizer update; gradients stay clean.
 *
 * The noise comes from the plugin's own Rng, seeded with its seed and checkpointed with the run.
 * Reports σ_t as the StepRecord's noise std (`facts`) and as the metric `noise_std`.
 */
export function addWeightNoise(config: Partial<WeightNoiseConfig> = {}, ops: NoiseOps = fastNoiseOps): ParamTransform<NoiseState> {
  const { eta, gamma } = resolveConfig('weight-noise', weightNoiseSchema, config);
  return {
    name: 'weight-noise',
    init: (ctx) => ({ rng: new Rng(ctx.seed) }),
    apply(params, state, ctx) {
      const std = Math.sqrt(annealedNoiseVariance(eta, gamma, ctx.step)); // σ_t
      tf.tidy(() => {
        const noisy = addGaussianNoise(ops, params, state.rng, std); // θ + ε, ε ~ N(0, σ_t² I)
        for (const [key, p] of Object.entries(params)) p.assign(noisy[key]);
      });
      return { state, metrics: { noise_std: std }, facts: { noiseStd: std } };
    },
  };
}
