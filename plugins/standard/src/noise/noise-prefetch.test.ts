import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { restoreCheckpoint, saveCheckpoint, type GradMap, type GradientTransform } from '@anneal/core';
import { disposeAll, initContext, stepContext } from '../testing/contexts.js';
import { meanAndVariance } from '../testing/statistics.js';
import { annealedNoiseVariance } from './noise-schedule.js';
import { gaussianGradientNoise, type GaussianNoiseOptions } from './gaussian-gradient-noise.js';
import { liveNoiseWorkers } from './noise-prefetcher.js';
import { StepNoiseSource, resolvePrefetchDepth } from './step-noise-source.js';
import type { GradientNoiseState } from './noise-state.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const stdAt = (step: number) => Math.sqrt(annealedNoiseVariance(0.5, 0.55, step));

/** Waits (up to 10 s) until `done()` holds. */
async function eventually(done: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

/** The noise block of a step, computed on the calling thread. */
function referenceBlock(seed: number, step: number, n: number, std = stdAt): Float32Array {
  return Float32Array.from(new StepNoiseSource(std, { prefetch: 0 }).noise(seed, step, n));
}

function sameValues(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

function params(shapes: Readonly<Record<string, number[]>>): Record<string, tf.Variable> {
  return Object.fromEntries(Object.entries(shapes).map(([k, s]) => [k, tf.variable(tf.zeros(s), false)]));
}

/** Gradients = zeros of the params' shapes, so the output is the noise itself. */
function zeroGrads(p: Record<string, tf.Variable>): GradMap {
  return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, tf.zeros(v.shape)]));
}

function noiseAt(transform: GradientTransform<GradientNoiseState>, state: GradientNoiseState, grads: GradMap, step: number): Float32Array[] {
  return tf.tidy(() => Object.values(transform.update(grads, state, stepContext(step)).grads).map((g) => Float32Array.from(g.dataSync())));
}

test('the prefetch setting: option first, then ANNEAL_NOISE_WORKER (off by default; 1/on enables, n > 1 sets the depth)', (t) => {
  const saved = process.env.ANNEAL_NOISE_WORKER;
  try {
    delete process.env.ANNEAL_NOISE_WORKER;
    t.is(resolvePrefetchDepth(undefined), 0, 'off by default');
    process.env.ANNEAL_NOISE_WORKER = '1';
    t.is(resolvePrefetchDepth(undefined), 4);
    process.env.ANNEAL_NOISE_WORKER = 'on';
    t.is(resolvePrefetchDepth(undefined), 4);
    process.env.ANNEAL_NOISE_WORKER = '0';
    t.is(resolvePrefetchDepth(undefined), 0);
    t.is(resolvePrefetchDepth(3), 3, 'an explicit option wins over the environment');
    process.env.ANNEAL_NOISE_WORKER = 'off';
    t.is(resolvePrefetchDepth(undefined), 0);
    process.env.ANNEAL_NOISE_WORKER = '2';
    t.is(resolvePrefetchDepth(undefined), 2);
    t.is(resolvePrefetchDepth(false), 0);
  } finally {
    if (saved === undefined) delete process.env.ANNEAL_NOISE_WORKER;
    else process.env.ANNEAL_NOISE_WORKER = saved;
  }
});

test.serial('worker blocks are bit-identical to blocks computed on the main thread, and the worker really serves them', async (t) => {
  const n = 10_007; // not a multiple of 4
  const source = new StepNoiseSource(stdAt, { prefetch: 3 });
  source.prepare(42, n);
  t.true(source.prefetching);
  let step = 0;
  const ok = await eventually(() => {
    const block = source.noise(42, step, n);
    t.deepEqual(Float32Array.from(block), referenceBlock(42, step, n), `step ${step}`);
    step++;
    return source.stats.prefetched >= 10;
  });
  t.true(ok, `prefetched ${source.stats.prefetched} of ${step} blocks`);
  // The variance of a block the worker made is σ_t² (the sync path has its own variance tests).
  const big = 200_000;
  const wide = new StepNoiseSource(stdAt, { prefetch: 2 });
  wide.prepare(3, big, 50);
  let checked = 0;
  for (let at = 50; checked === 0 && at < 1000; at++) {
    await sleep(20);
    const before = wide.stats.prefetched;
    const block = wide.noise(3, at, big);
    if (wide.stats.prefetched === before) continue;
    const { mean, variance } = meanAndVariance(block);
    t.true(Math.abs(variance / stdAt(at) ** 2 - 1) < 0.02, `variance ${variance} vs ${stdAt(at) ** 2} at t=${at}`);
    t.true(Math.abs(mean) < 5 * stdAt(at) / Math.sqrt(big));
    checked++;
  }
  t.is(checked, 1);
  source.dispose();
  wide.dispose();
  t.true(await eventually(() => liveNoiseWorkers() === 0), `live workers: ${liveNoiseWorkers()}`);
});

test.serial('out-of-order, repeated and re-seeded steps still give each (seed, step) its own block', async (t) => {
  const n = 999;
  const source = new StepNoiseSource(stdAt, { prefetch: 4 });
  source.prepare(7, n);
  await sleep(50);
  const walk: Array<[number, number]> = [[7, 0], [7, 1], [7, 2], [7, 1], [7, 9], [7, 10], [7, 3], [8, 3], [8, 4], [7, 4], [7, 5], [7, 5]];
  for (const [seed, step] of walk) {
    t.deepEqual(Float32Array.from(source.noise(seed, step, n)), referenceBlock(seed, step, n), `seed ${seed} step ${step}`);
    await sleep(3);
  }
  // a different length (another model) is a different block too
  t.deepEqual(Float32Array.from(source.noise(7, 5, 17)), referenceBlock(7, 5, 17));
  source.dispose();
  t.true(await eventually(() => liveNoiseWorkers() === 0));
});

test.serial('same seed ⇒ same gradients with the worker (option or ANNEAL_NOISE_WORKER=on), without it (option) and without it (ANNEAL_NOISE_WORKER=0)', async (t) => {
  const p = params({ w: [30, 20], b: [20], v: [7] });
  const grads = zeroGrads(p);
  const run = async (options: GaussianNoiseOptions, env?: string) => {
    const saved = process.env.ANNEAL_NOISE_WORKER;
    if (env !== undefined) process.env.ANNEAL_NOISE_WORKER = env;
    const before = liveNoiseWorkers();
    const transform = gaussianGradientNoise('x', (step) => annealedNoiseVariance(0.01, 0.55, step), options);
    const state = transform.init(initContext(123, p));
    const started = liveNoiseWorkers() - before;
    if (env !== undefined) {
      if (saved === undefined) delete process.env.ANNEAL_NOISE_WORKER;
      else process.env.ANNEAL_NOISE_WORKER = saved;
    }
    const out: Float32Array[][] = [];
    for (let step = 0; step < 25; step++) {
      out.push(noiseAt(transform, state, grads, step));
      await sleep(2);
    }
    transform.dispose?.(state);
    return { out, started };
  };
  const worker = await run({ prefetch: 4 });
  const workerEnv = await run({}, 'on');
  const noWorker = await run({ prefetch: false });
  const noWorkerEnv = await run({}, '0');
  t.is(worker.started, 1, 'init starts one worker');
  t.is(workerEnv.started, 1, 'ANNEAL_NOISE_WORKER=on starts one');
  t.deepEqual(workerEnv.out, noWorker.out);
  t.is(noWorker.started, 0);
  t.is(noWorkerEnv.started, 0, 'ANNEAL_NOISE_WORKER=0 starts none');
  t.deepEqual(worker.out, noWorker.out);
  t.deepEqual(noWorkerEnv.out, noWorker.out);
  t.notDeepEqual(worker.out[0], worker.out[1]);
  disposeAll(grads);
  disposeAll(p);
  t.true(await eventually(() => liveNoiseWorkers() === 0));
});

test.serial('resume: after a checkpoint and a restart the noise of step t is the same as in the uninterrupted run', async (t) => {
  const p = params({ w: [40, 10], b: [10] });
  const grads = zeroGrads(p);
  const variance = (step: number) => annealedNoiseVariance(0.01, 0.55, step);
  const dir = mkdtempSync(join(tmpdir(), 'anneal-noise-resume-'));
  try {
    const a = gaussianGradientNoise('annealed-gaussian', variance);
    const stateA = a.init(initContext(99, p));
    const uninterrupted: Float32Array[][] = [];
    for (let step = 0; step < 12; step++) {
      uninterrupted.push(noiseAt(a, stateA, grads, step));
      if (step === 5) {
        saveCheckpoint(dir, { version: 1, position: { step: 6, phaseIndex: 0, epochInPhase: 0, batchInEpoch: 6, epoch: 0 }, params: p, states: new Map([['annealed-gaussian', stateA]]), extra: {} });
      }
      await sleep(2);
    }
    a.dispose?.(stateA);

    for (const options of [{ prefetch: 4 }, { prefetch: false }] as const) {
      // a new process would build a new transform and init it (seed from the plan), then restore
      const b = gaussianGradientNoise('annealed-gaussian', variance, options);
      const states = new Map<string, unknown>([['annealed-gaussian', b.init(initContext(99, p))]]);
      const { position } = restoreCheckpoint(dir, p, states);
      const stateB = states.get('annealed-gaussian') as GradientNoiseState;
      t.deepEqual(stateB, { seed: 99 });
      for (let step = position.step; step < 12; step++) {
        t.deepEqual(noiseAt(b, stateB, grads, step), uninterrupted[step], `step ${step}`);
        await sleep(2);
      }
      b.dispose?.(stateB);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    disposeAll(grads);
    disposeAll(p);
  }
  t.true(await eventually(() => liveNoiseWorkers() === 0));
});

test.serial('two noise plugins: independent noise, one worker each; dispose leaves no worker and no tensor behind', async (t) => {
  const p = params({ w: [64, 32], b: [32] });
  const grads = zeroGrads(p);
  const tensorsBefore = tf.memory().numTensors;
  const workersBefore = liveNoiseWorkers();
  const first = gaussianGradientNoise('first', () => 0.01, { prefetch: 4 });
  const second = gaussianGradientNoise('second', () => 0.01, { prefetch: 4 });
  const s1 = first.init(initContext(1, p));
  const s2 = second.init(initContext(2, p));
  t.is(liveNoiseWorkers(), workersBefore + 2);
  const n = 64 * 32 + 32;
  for (let step = 0; step < 20; step++) {
    const [a, b] = tf.tidy(() => {
      const out1 = first.update(grads, s1, stepContext(step)).grads;
      const out2 = second.update(out1, s2, stepContext(step)).grads;
      return [Object.values(out1).map((g) => Float32Array.from(g.dataSync())), Object.values(out2).map((g) => Float32Array.from(g.dataSync()))];
    });
    const flat = (parts: Float32Array[]) => Float32Array.from(parts.flatMap((x) => Array.from(x)));
    const fa = flat(a);
    const fb = flat(b);
    t.true(sameValues(fa, referenceBlock(1, step, n, () => 0.1)), `first plugin, step ${step}`);
    const expected = referenceBlock(2, step, n, () => 0.1);
    t.true(fb.every((v, i) => Math.abs(v - fa[i] - expected[i]) < 1e-6), `second plugin, step ${step}`);
    t.false(sameValues(expected, fa));
    await sleep(2);
  }
  t.is(tf.memory().numTensors, tensorsBefore, 'no tensor left by the steps');
  first.dispose?.(s1);
  second.dispose?.(s2);
  t.true(await eventually(() => liveNoiseWorkers() === workersBefore), `live workers: ${liveNoiseWorkers()}`);
  t.is(tf.memory().numTensors, tensorsBefore);
  // a disposed transform still works (sync), and a new init starts a new worker
  t.is(noiseAt(first, s1, grads, 3).length, 2);
  const again = first.init(initContext(1, p));
  t.is(liveNoiseWorkers(), workersBefore + 1);
  first.dispose?.(again);
  t.true(await eventually(() => liveNoiseWorkers() === workersBefore));
  disposeAll(grads);
  disposeAll(p);
});

test.serial('the worker thread runs at nice 10 (Linux; ANNEAL_NOISE_WORKER_NICE overrides), the trainer thread keeps its priority', async (t) => {
  if (!existsSync('/proc/self/task')) return t.pass('no /proc');
  const niceOf = () =>
    readdirSync('/proc/self/task').map((tid) => {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      return { tid: Number(tid), nice: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]) };
    });
  const saved = process.env.ANNEAL_NOISE_WORKER_NICE;
  try {
    for (const [env, expected] of [[undefined, 10], ['15', 15], ['nonsense', 10]] as const) {
      if (env === undefined) delete process.env.ANNEAL_NOISE_WORKER_NICE;
      else process.env.ANNEAL_NOISE_WORKER_NICE = env;
      const source = new StepNoiseSource(stdAt, { prefetch: 2 });
      source.prepare(1, 100);
      t.true(await eventually(() => niceOf().some((x) => x.nice === expected)), `${env}: ${JSON.stringify(niceOf())}`);
      t.is(niceOf().find((x) => x.tid === process.pid)?.nice, 0);
      source.dispose();
      t.true(await eventually(() => liveNoiseWorkers() === 0));
    }
  } finally {
    if (saved === undefined) delete process.env.ANNEAL_NOISE_WORKER_NICE;
    else process.env.ANNEAL_NOISE_WORKER_NICE = saved;
  }
});

test('a process whose noise worker was never disposed still exits by itself', (t) => {
  const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
  const index = new URL('../index.js', import.meta.url).href;
  const script = `
    import * as tf from '@tensorflow/tfjs-core';
    import '@tensorflow/tfjs-backend-cpu';
    const { addGradientNoise, liveNoiseWorkers } = await import(${JSON.stringify(index)});
    await tf.setBackend('cpu');
    const params = { w: tf.variable(tf.zeros([1000]), false) };
    const noise = addGradientNoise();
    const state = noise.init({ seed: 1, params });
    for (let step = 0; step < 3; step++) tf.tidy(() => noise.update({ w: tf.zeros([1000]) }, state, { step, epoch: 0, phase: 'main', learningRate: 0.1, params }));
    console.log('live workers ' + liveNoiseWorkers());
  `;
  const started = Date.now();
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ANNEAL_NOISE_WORKER: 'on' } });
  t.is(child.status, 0, child.stderr);
  t.regex(child.stdout, /live workers 1/);
  t.true(Date.now() - started < 60_000);
});
