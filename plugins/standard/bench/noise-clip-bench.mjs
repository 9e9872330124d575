// Cost of clip + gradient noise relative to one training step of the paper's MLP (784 → 20×50 ReLU → 10,
// 88,210 parameters in 42 tensors, batch 128), on the 'cpu' and 'wasm' backends.
//
//   node plugins/standard/bench/noise-clip-bench.mjs [cpu|wasm] [steps]
//
// Build first (npx tsc -b tsconfig.build.json). Uses @anneal/model-mlp from plugins/mlp/dist when it is
// built; otherwise it times the transforms on synthetic gradients of the MLP's shapes only.
// The machine is shared: we interleave the variants step by step and report medians and minima.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng, createNormMemo as trainerNormMemo } from '@anneal/core';
import { addGradientNoise, clipByGlobalNorm, fastNoiseOps, globalNorm, globalNormValue, heInitializer, referenceNoiseOps, sgd } from '../dist/index.js';

const backend = process.argv[2] ?? 'wasm';
const STEPS = Number(process.argv[3] ?? 150);
if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
await tf.setBackend(backend);
await tf.ready();

const ctxAt = (step, params) => ({ step, epoch: 0, phase: 'main', learningRate: 0.1, params });
const fwd = { training: true, step: 0, phase: 'main', phaseOptions: {}, site: (_n, x) => x };

let model = null;
try {
  const { buildMlp } = await import('../../mlp/dist/index.js');
  const rng = new Rng(1);
  model = buildMlp({ init: 'he' }, { dataset: { inputSize: 784, numClasses: 10 }, rng, initializer: () => heInitializer() });
} catch (error) {
  console.log(`(no MLP model available: ${error.message.split('\n')[0]}; timing transforms on synthetic gradients)`);
}

const shapes = [[784, 50], [50]];
for (let i = 0; i < 19; i++) shapes.push([50, 50], [50]);
shapes.push([50, 10], [10]);
const params = model ? model.params : Object.fromEntries(shapes.map((s, i) => [`p${i}`, tf.variable(tf.randomNormal(s, 0, 0.1), false)]));
const paramCount = Object.values(params).reduce((n, p) => n + p.size, 0);
const batch = tf.tidy(() => ({ x: tf.keep(tf.randomUniform([128, 784])), y: tf.keep(tf.tensor1d(Array.from({ length: 128 }, (_, i) => i % 10), 'int32')) }));
const syntheticGrads = Object.fromEntries(Object.entries(params).map(([k, p]) => [k, tf.keep(tf.randomNormal(p.shape, 0, 1))]));

const noise = addGradientNoise({ eta: 0.01 });
const noiseState = noise.init({ seed: 7, params });
const noiseTfAdd = addGradientNoise({ eta: 0.01 }, { gaussianNoise: fastNoiseOps.gaussianNoise, addNoise: referenceNoiseOps.addNoise });
const noiseReference = addGradientNoise({ eta: 0.01 }, referenceNoiseOps);
const clipActive = clipByGlobalNorm({ maxNorm: 1 }); // always clips
const clipIdle = clipByGlobalNorm({ maxNorm: 1e9 }); // never clips
const opt = sgd();
const optState = opt.init({ seed: 0, params });
const buffer = new Float32Array(paramCount);
const noiseBuffer = Float32Array.from({ length: paramCount }, (_, i) => Math.sin(i));
const rng = new Rng(3);

function gradients() {
  if (!model) return syntheticGrads;
  const vars = Object.values(params);
  const names = Object.keys(params);
  const { value, grads } = tf.variableGrads(() => model.loss(batch, fwd), vars);
  return Object.fromEntries(names.map((n, i) => [n, grads[vars[i].name]]));
}

/** Variants; each returns nothing and runs inside its own tidy. */
let step = 0;
const variants = {
  // Both step variants do what core's runStep does with recordGradNorms (the default): the norm entering
  // the clip stage is recorded (and memoised for the clip plugin), and again after clipping.
  'step: grads + sgd (no clip, no noise)': () => {
    const g = gradients();
    globalNormValue(g);
    opt.apply(params, g, optState, ctxAt(step, params));
  },
  'step: grads + clip(active) + noise + sgd': () => {
    let g = gradients();
    const memo = trainerNormMemo();
    memo(g);
    const ctx = { ...ctxAt(step, params), globalNorm: memo };
    g = clipActive.update(g, {}, ctx).grads;
    memo(g);
    g = noise.update(g, noiseState, ctx).grads;
    opt.apply(params, g, optState, ctx);
  },
  'noise only (annealed-gaussian.update, fast ops)': () => void noise.update(syntheticGrads, noiseState, ctxAt(step, params)),
  '  noise, SIMD sampler + tf.add': () => void noiseTfAdd.update(syntheticGrads, noiseState, ctxAt(step, params)),
  '  noise, referenceNoiseOps (JS sampler + tf.add)': () => void noiseReference.update(syntheticGrads, noiseState, ctxAt(step, params)),
  '  sampling 88k: fast (SIMD lane ziggurat)': () => void fastNoiseOps.gaussianNoise(paramCount, rng, 0.1),
  '  sampling 88k: reference (JS lane ziggurat)': () => void referenceNoiseOps.gaussianNoise(paramCount, rng, 0.1),
  '  sampling 88k: core Rng.fillNormal': () => void rng.fillNormal(buffer, 0, 0.1),
  '  add: fast (wasm-heap on wasm)': () => void fastNoiseOps.addNoise(syntheticGrads, noiseBuffer),
  '  add: reference (tf.add per tensor)': () => void referenceNoiseOps.addNoise(syntheticGrads, noiseBuffer),
  '  reference: tf.randomNormal per tensor + add': () => {
    for (const g of Object.values(syntheticGrads)) tf.add(g, tf.randomNormal(g.shape, 0, 0.1));
  },
  'clip-global-norm, clipping (maxNorm 1)': () => void clipActive.update(syntheticGrads, {}, ctxAt(step, params)),
  'clip-global-norm, below threshold': () => void clipIdle.update(syntheticGrads, {}, ctxAt(step, params)),
  'clip-global-norm, clipping, norm from trainer memo': () => void clipActive.update(syntheticGrads, {}, { ...ctxAt(step, params), globalNorm: () => 1000 }),
  'globalNormValue (JS)': () => void globalNormValue(syntheticGrads),
  'globalNorm (tf.Scalar)': () => void globalNorm(syntheticGrads),
  'core trainer globalNorm (2 ops/tensor + addN)': () => {
    tf.sqrt(tf.addN(Object.values(syntheticGrads).map((g) => tf.sum(tf.square(g)))));
  },
};
if (!model) {
  delete variants['step: grads + sgd (no clip, no noise)'];
  delete variants['step: grads + clip(active) + noise + sgd'];
}

const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
const WARMUP = 20;
for (step = 0; step < STEPS + WARMUP; step++) {
  for (const [name, fn] of Object.entries(variants)) {
    const t0 = performance.now();
    tf.tidy(() => {
      fn();
    });
    const dt = performance.now() - t0;
    if (step >= WARMUP) times[name].push(dt);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const min = (xs) => Math.min(...xs);
console.log(`backend ${tf.getBackend()}, ${paramCount} parameters in ${Object.keys(params).length} tensors, ${STEPS} timed rounds`);
console.log('variant'.padEnd(48), 'median ms'.padStart(10), 'min ms'.padStart(9));
for (const [name, xs] of Object.entries(times)) console.log(name.padEnd(48), median(xs).toFixed(3).padStart(10), min(xs).toFixed(3).padStart(9));
if (model) {
  const base = median(times['step: grads + sgd (no clip, no noise)']);
  const full = median(times['step: grads + clip(active) + noise + sgd']);
  const parts = median(times['noise only (annealed-gaussian.update, fast ops)']) + median(times['clip-global-norm, clipping (maxNorm 1)']);
  console.log(`step overhead of clip+noise: ${(full - base).toFixed(3)} ms = ${((100 * (full - base)) / base).toFixed(1)}% of ${base.toFixed(2)} ms (sum of isolated medians ${parts.toFixed(3)} ms = ${((100 * parts) / base).toFixed(1)}%)`);
}
console.log(`tensors alive at end: ${tf.memory().numTensors}`);
