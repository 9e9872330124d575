// (c)/(b) of `npm run bench` with more rounds and load-robust timing: the paper's MLP (20×50 ReLU,
// batch 128, 88,210 parameters in 42 tensors) through the real Trainer on wasm, 150 steps per run
// (BENCH_STEPS), variants interleaved run by run.
//
//   node plugins/standard/bench/noise-step-bench.mjs [rounds] [variant,...]
//
// Variants (default b,c,c-seq):
//   b            no plugins
//   c            clip-global-norm(10) + annealed-gaussian(0.01)   (current: counter-based, prefetch worker, wasm-heap add)
//   c-no-worker  same with ANNEAL_NOISE_WORKER=0                    (block computed on the main thread)
//   c-tensor-add same with the worker and the 'tensor-add' strategy
//   c-nice0, c-nice19  same with the worker at nice 0 / 19 (default 10)
//   c-seq        clip + the previous implementation, defined here: one sequential Rng stream sampled on
//                the main thread each step + 'tensor-add'
//   clip, noise  one plugin alone
//
// Reported per variant:
//   - wall time per step (step:end to step:end, as `npm run bench`), median and 25th percentile;
//   - the main thread's CPU time per step from /proc/self/task/<pid>/schedstat (Linux; read at the first
//     and last timed step only, since that counter only advances at scheduler ticks while the thread
//     runs), and the CPU time of all other threads (the worker, GC helpers) from process.cpuUsage();
//   - the time of the clip and post-clip (noise) stages themselves, from the trainer's stage tracer:
//     short intervals, rarely hit by preemption, so the most stable number on a loaded machine;
//   - how many noise blocks came from the worker, and what taking a ready block vs computing one cost.
// Needs the whole repo built (npx tsc -b tsconfig.build.json). Compare numbers of one invocation only.
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, Trainer, definePlugin, defineSchema } from '@anneal/core';
import { bootAnneal, buildPlan, selectBackend } from '@anneal/registry';
import { mlpBenchRecipe } from '../../../tests/dist/bench/mlp-step-bench.js';
import { annealedNoiseVariance, gaussianGradientNoise, LaneNormalSampler } from '../dist/index.js';
import { addNoiseFromBuffer } from '../dist/noise/add-noise-from-buffer.js';
import { StepNoiseSource } from '../dist/noise/step-noise-source.js';

// Count how the noise blocks were obtained (the registry loads this same module, so this sees every source).
const blocks = { prefetched: 0, computed: 0 };
const originalNoise = StepNoiseSource.prototype.noise;
const noiseCallMs = [];
const computeCallMs = [];
StepNoiseSource.prototype.noise = function (...args) {
  const before = this.stats.prefetched;
  const t0 = performance.now();
  const out = originalNoise.apply(this, args);
  const ms = performance.now() - t0;
  if (this.stats.prefetched > before) {
    blocks.prefetched++;
    noiseCallMs.push(ms);
  } else {
    blocks.computed++;
    computeCallMs.push(ms);
  }
  return out;
};

const rounds = Number(process.argv[2] ?? 6);
const chosen = (process.argv[3] ?? 'b,c,c-seq').split(',');
const WARMUP = 10;
const STEPS = Number(process.env.BENCH_STEPS ?? 150);

const backend = await selectBackend(process.env.ANNEAL_BACKEND ?? 'wasm');
const booted = await bootAnneal({ env: { ...process.env, MLFLOW_TRACKING_URI: '' } });
const schema = defineSchema({ eta: { type: 'number', default: 0.01, min: 0, description: 'noise variance at t = 0' } });
const benchPlugin = (name, create) =>
  definePlugin.gradientTransform({ manifest: { name, version: '0.1.0', kind: 'gradient-transform', hookPoint: 'post-clip', configSchema: schema, card: { summary: `benchmark variant ${name}` } }, create });
/** The implementation before counter-based noise: a sequential master Rng, sampled on the main thread, tensor-add. */
function sequentialNoise({ eta }) {
  const sampler = new LaneNormalSampler();
  return {
    name: 'noise-seq',
    init: (ctx) => ({ rng: new Rng(ctx.seed) }),
    update(grads, state, ctx) {
      const std = Math.sqrt(annealedNoiseVariance(eta, 0.55, ctx.step));
      let total = 0;
      for (const g of Object.values(grads)) total += g.size;
      return { grads: addNoiseFromBuffer(grads, sampler.sample(state.rng, total, std), 'tensor-add'), state, metrics: { noise_std: std } };
    },
  };
}
booted.plugins.register(benchPlugin('noise-seq', sequentialNoise));
booted.plugins.register(benchPlugin('noise-tensor-add', ({ eta }) => gaussianGradientNoise('noise-tensor-add', (t) => annealedNoiseVariance(eta, 0.55, t), { strategy: 'tensor-add' })));

const clip = { plugin: 'clip-global-norm', config: { maxNorm: 10 } };
const noise = { plugin: 'annealed-gaussian', config: { eta: 0.01 } };
const all = {
  b: { plugins: [] },
  c: { plugins: [clip, noise] },
  'c-no-worker': { plugins: [clip, noise], env: { ANNEAL_NOISE_WORKER: '0' } },
  'c-nice0': { plugins: [clip, noise], env: { ANNEAL_NOISE_WORKER_NICE: '0' } },
  'c-nice19': { plugins: [clip, noise], env: { ANNEAL_NOISE_WORKER_NICE: '19' } },
  'c-tensor-add': { plugins: [clip, { plugin: 'noise-tensor-add', config: { eta: 0.01 } }] },
  'c-seq': { plugins: [clip, { plugin: 'noise-seq', config: { eta: 0.01 } }] },
  clip: { plugins: [clip] },
  noise: { plugins: [noise] },
};

// Main-thread CPU: /proc/self/task/<pid>/schedstat's run time is exact at context switches but only
// advanced at scheduler ticks while the thread runs, so it is read at the first and last timed step
// only (over STEPS steps the tick error is < 1%). process.cpuUsage() (all threads) is exact.
const schedstat = `/proc/self/task/${process.pid}/schedstat`;
const mainCpuMs = () => Number(readFileSync(schedstat, 'utf8').split(' ')[0]) / 1e6;
const processCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function measure(plugins) {
  const base = mlpBenchRecipe(plugins);
  const recipe = {
    ...base,
    dataset: { ...base.dataset, config: { ...base.dataset.config, trainSize: 128 * (STEPS + 2) } },
    training: { ...base.training, maxSteps: STEPS },
  };
  const plan = await buildPlan(booted.plugins, { recipe, seed: 1, runName: 'bench', backend: backend.name });
  // The trainer's stage tracer times each stage directly: clip → post-clip is the clip stage (plus the
  // post-clip norm record), post-clip → pre-update is the noise plugin. Short intervals, so they are
  // rarely hit by preemption on a loaded machine, unlike whole steps.
  const stages = { clip: [], noise: [], fb: [], update: [] };
  let last = '';
  let lastAt = 0;
  const trace = (stage) => {
    const now = performance.now();
    if (last === 'forward-backward' && stage === 'pre-clip') stages.fb.push(now - lastAt);
    if (last === 'update' && stage === 'post-update') stages.update.push(now - lastAt);
    if (last === 'clip' && stage === 'post-clip') stages.clip.push(now - lastAt);
    if (last === 'post-clip' && stage === 'pre-update') stages.noise.push(now - lastAt);
    last = stage;
    lastAt = performance.now();
  };
  const trainer = new Trainer(plan, { runId: 'bench', trace });
  const wall = [];
  let cpu0 = 0;
  let proc0 = 0;
  let cpu1 = 0;
  let proc1 = 0;
  trainer.events.tap((event) => {
    if (event !== 'step:end') return;
    wall.push(performance.now());
    if (wall.length === WARMUP + 1) {
      cpu0 = mainCpuMs();
      proc0 = processCpuMs();
    } else if (wall.length === STEPS) {
      cpu1 = mainCpuMs();
      proc1 = processCpuMs();
    }
  });
  await trainer.run();
  trainer.dispose();
  plan.model.instance.dispose();
  const steps = STEPS - WARMUP - 1;
  return {
    wall: wall.slice(WARMUP + 1).map((x, i) => x - wall[WARMUP + i]),
    cpu: (cpu1 - cpu0) / steps,
    offMain: (proc1 - proc0 - (cpu1 - cpu0)) / steps,
    clip: stages.clip.slice(WARMUP + 1),
    noise: stages.noise.slice(WARMUP + 1),
    fb: stages.fb.slice(WARMUP + 1),
    update: stages.update.slice(WARMUP + 1),
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))];
const samples = Object.fromEntries(chosen.map((k) => [k, { wall: [], cpu: [], offMain: [], clip: [], noise: [], fb: [], update: [] }]));
for (let r = 0; r < rounds; r++) {
  for (const name of chosen) {
    const v = all[name];
    const saved = {};
    for (const [k, value] of Object.entries(v.env ?? {})) {
      saved[k] = process.env[k];
      process.env[k] = value;
    }
    const b0 = { ...blocks };
    noiseCallMs.length = 0;
    computeCallMs.length = 0;
    const m = await measure(v.plugins);
    for (const k of Object.keys(v.env ?? {})) if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
    const s = samples[name];
    s.wall.push(...m.wall);
    s.cpu.push(m.cpu);
    s.offMain.push(m.offMain);
    s.clip.push(...m.clip);
    s.prefetched = (s.prefetched ?? 0) + blocks.prefetched - b0.prefetched;
    (s.taken ??= []).push(...noiseCallMs);
    (s.computedMs ??= []).push(...computeCallMs);
    s.computed = (s.computed ?? 0) + blocks.computed - b0.computed;
    s.noise.push(...m.noise);
    s.fb.push(...m.fb);
    s.update.push(...m.update);
  }
}
console.log(`backend ${tf.getBackend()}, ${rounds} interleaved rounds × ${STEPS - WARMUP - 1} timed steps per variant; ms per step`);
console.log(`${'variant'.padEnd(14)} ${'wall p50'.padStart(9)} ${'wall p25'.padStart(9)} ${'main CPU'.padStart(9)} ${'other threads CPU'.padStart(18)}   main CPU per round`);
for (const name of chosen) {
  const s = samples[name];
  console.log(
    `${name.padEnd(14)} ${median(s.wall).toFixed(3).padStart(9)} ${quantile(s.wall, 0.25).toFixed(3).padStart(9)} ${median(s.cpu).toFixed(3).padStart(9)} ${median(s.offMain).toFixed(3).padStart(18)}   [${s.cpu.map((x) => x.toFixed(2)).join(' ')}]`,
  );
}
if (samples.b) {
  console.log('ratio to b:      wall p50  wall p25  main CPU (median of rounds)  main CPU (median of per-round ratios)');
  for (const name of chosen.filter((n) => n !== 'b')) {
    const s = samples[name];
    const b = samples.b;
    const perRound = s.cpu.map((x, i) => x / b.cpu[i]);
    console.log(
      `  ${name.padEnd(14)} ${(median(s.wall) / median(b.wall)).toFixed(3).padStart(8)} ${(quantile(s.wall, 0.25) / quantile(b.wall, 0.25)).toFixed(3).padStart(9)} ${(median(s.cpu) / median(b.cpu)).toFixed(3).padStart(9)} ${median(perRound).toFixed(3).padStart(30)}`,
    );
  }
}
console.log('stage times (median ms per step): forward+backward, clip stage, post-clip stage (noise), update; and (b + clip + noise)/b with b = wall p25 of b');
const bBase = samples.b ? quantile(samples.b.wall, 0.25) : NaN;
for (const name of chosen) {
  const s = samples[name];
  const clipMs = median(s.clip);
  const noiseMs = median(s.noise);
  const extra = name === 'b' ? 0 : clipMs + noiseMs - median(samples.b?.clip ?? [0]) - median(samples.b?.noise ?? [0]);
  const hits = s.prefetched + s.computed > 0 ? `  blocks from the worker ${s.prefetched}/${s.prefetched + s.computed} (getting a ready block ${s.taken.length ? median(s.taken).toFixed(3) : '-'}, computing one ${s.computedMs.length ? median(s.computedMs).toFixed(3) : '-'})` : '';
  console.log(`  ${name.padEnd(14)} fwd+bwd ${median(s.fb).toFixed(3)}  update ${median(s.update).toFixed(3)}  clip ${clipMs.toFixed(3)}  noise ${noiseMs.toFixed(3)}  ${samples.b ? `estimated ratio ${((bBase + extra) / bBase).toFixed(3)}` : ''}${hits}`);
}
console.log(`tensors alive: ${tf.memory().numTensors}`);
