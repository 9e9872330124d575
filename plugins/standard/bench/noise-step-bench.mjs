// (c)/(b) of `npm run bench` with more rounds, and one variant per noise-ops implementation, to decide
// which fast paths pay: the paper's MLP (20×50 ReLU, batch 128, 88,210 parameters in 42 tensors)
// through the real Trainer, BENCH_STEPS (default 60) steps per run, variants interleaved run by run.
//
//   node plugins/standard/bench/noise-step-bench.mjs [rounds] [variant,...]
//
// Variants (default all):
//   b            no plugins
//   c            clip-global-norm(10) + annealed-gaussian(0.01), default (fast) ops: SIMD sampler + wasm-heap add
//   c-tf-add     same noise with the SIMD sampler and tf.add (no wasm-heap add)
//   c-reference  same noise with referenceNoiseOps: JS sampler + tf.add
//   clip         clip-global-norm alone
// Reported: wall ms/step (step:end to step:end, median and 25th percentile) and the ratio to b as the
// median of per-round ratios (as `npm run bench`), plus the post-clip (noise) stage time from the
// trainer's stage tracer (short intervals, rarely preempted: the steadiest number on a loaded machine).
// All variants give the same gradients (ops/*.test.ts). Needs the repo built (npx tsc -b tsconfig.build.json).
import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs-core';
import { Trainer, definePlugin, defineSchema } from '@anneal/core';
import { bootAnneal, buildPlan, selectBackend } from '@anneal/registry';
import { mlpBenchRecipe } from '../../../tests/dist/bench/mlp-step-bench.js';
import { addGradientNoise, fastNoiseOps, referenceNoiseOps } from '../dist/index.js';

const rounds = Number(process.argv[2] ?? 8);
const chosen = (process.argv[3] ?? 'b,c,c-tf-add,c-reference').split(',');
const WARMUP = 8;
const STEPS = Number(process.env.BENCH_STEPS ?? 60);

const backend = await selectBackend(process.env.ANNEAL_BACKEND ?? 'wasm');
const booted = await bootAnneal({ env: { ...process.env, MLFLOW_TRACKING_URI: '' } });
const schema = defineSchema({ eta: { type: 'number', default: 0.01, min: 0, description: 'noise variance at t = 0' } });
const noiseVariant = (name, ops) =>
  booted.plugins.register(
    definePlugin.gradientTransform({
      manifest: { name, version: '0.1.0', kind: 'gradient-transform', hookPoint: 'post-clip', configSchema: schema, card: { summary: `benchmark variant ${name}` } },
      create: ({ eta }) => ({ ...addGradientNoise({ eta }, ops), name }),
    }),
  );
noiseVariant('noise-tf-add', { gaussianNoise: fastNoiseOps.gaussianNoise, addNoise: referenceNoiseOps.addNoise });
noiseVariant('noise-reference', referenceNoiseOps);

const clip = { plugin: 'clip-global-norm', config: { maxNorm: 10 } };
const all = {
  b: [],
  c: [clip, { plugin: 'annealed-gaussian', config: { eta: 0.01 } }],
  'c-tf-add': [clip, { plugin: 'noise-tf-add', config: { eta: 0.01 } }],
  'c-reference': [clip, { plugin: 'noise-reference', config: { eta: 0.01 } }],
  clip: [clip],
};

async function measure(plugins) {
  const base = mlpBenchRecipe(plugins);
  const recipe = { ...base, dataset: { ...base.dataset, config: { ...base.dataset.config, trainSize: 128 * (STEPS + 2) } }, training: { ...base.training, maxSteps: STEPS } };
  const plan = await buildPlan(booted.plugins, { recipe, seed: 1, runName: 'bench', backend: backend.name });
  const noise = [];
  let last = '';
  let lastAt = 0;
  const trace = (stage) => {
    const now = performance.now();
    if (last === 'post-clip' && stage === 'pre-update') noise.push(now - lastAt);
    last = stage;
    lastAt = performance.now();
  };
  const trainer = new Trainer(plan, { runId: 'bench', trace });
  const stamps = [];
  trainer.events.tap((event) => {
    if (event === 'step:end') stamps.push(performance.now());
  });
  await trainer.run();
  trainer.dispose();
  plan.model.instance.dispose();
  return { wall: stamps.slice(WARMUP + 1).map((x, i) => x - stamps[WARMUP + i]), noise: noise.slice(WARMUP + 1) };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))];
const samples = Object.fromEntries(chosen.map((k) => [k, { wall: [], perRound: [], noise: [] }]));
for (let r = 0; r < rounds; r++) {
  for (const name of chosen) {
    const m = await measure(all[name]);
    samples[name].wall.push(...m.wall);
    samples[name].perRound.push(median(m.wall));
    samples[name].noise.push(...m.noise);
  }
}
console.log(`backend ${tf.getBackend()}, ${rounds} interleaved rounds × ${STEPS - WARMUP - 1} timed steps per variant; ms per step`);
console.log(`${'variant'.padEnd(12)} ${'wall p50'.padStart(9)} ${'wall p25'.padStart(9)} ${'ratio to b'.padStart(11)} ${'noise stage'.padStart(12)}`);
for (const name of chosen) {
  const s = samples[name];
  const ratio = samples.b ? median(s.perRound.map((x, i) => x / samples.b.perRound[i])).toFixed(3) : '-';
  console.log(`${name.padEnd(12)} ${median(s.wall).toFixed(3).padStart(9)} ${quantile(s.wall, 0.25).toFixed(3).padStart(9)} ${ratio.padStart(11)} ${median(s.noise).toFixed(3).padStart(12)}`);
}
console.log(`tensors alive: ${tf.memory().numTensors}`);
