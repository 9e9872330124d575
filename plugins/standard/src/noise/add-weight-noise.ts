import * as tf from '@tensorflow/tfjs-core';
import { Rng, type InitContext, type ParamMap, type ParamTransform, type StepContext } from '@anneal/core';
import { resolveConfig } from '../internal/plugin-config.js';
import { LaneNormalSampler } from '../random/lane-normal-sampler.js';
import { annealedNoiseVariance } from './noise-schedule.js';
import type { NoiseState } from './noise-state.js';
import { weightNoiseSchema, type WeightNoiseConfig } from './weight-noise.schema.js';

/**
 * Annealed weight noise (the §4.6 "gradient noise vs weight noise" ablation, spec §7.3): after each
 * optimizer update, θ ← θ + N(0, η/(1+t)^γ) for every parameter entry; gradients stay clean.
 * Reports { noise_std: σ_t }.
 */
export function addWeightNoise(config: Partial<WeightNoiseConfig> = {}): ParamTransform<NoiseState> {
  const { eta, gamma } = resolveConfig('weight-noise', weightNoiseSchema, config);
  const sampler = new LaneNormalSampler();
  return {
    name: 'weight-noise',
    init(ctx: InitContext): NoiseState {
      return { rng: new Rng(ctx.seed) };
    },
    apply(params: ParamMap, state: NoiseState, ctx: StepContext) {
      const std = Math.sqrt(annealedNoiseVariance(eta, gamma, ctx.step));
      const vars = Object.values(params);
      let total = 0;
      for (const p of vars) total += p.size;
      const noise = sampler.sample(state.rng, total, std);
      tf.tidy(() => {
        let offset = 0;
        for (const p of vars) {
          const n = p.size;
          p.assign(tf.add(p, tf.tensor(noise.subarray(offset, offset + n), p.shape, 'float32')));
          offset += n;
        }
      });
      return { state, metrics: { noise_std: std }, facts: { noiseStd: std } };
    },
  };
}
