import test from 'ava';
import { Rng } from '@anneal/core';
import { ksDistanceToNormal, lagCorrelation } from '../testing/normal-cdf.js';
import { meanAndVariance } from '../testing/statistics.js';
import { MAX_CHUNK_GROUPS as CHUNK_GROUPS, chunkGroupsFor } from './internal/chunked-fill.js';
import { LaneNormalSampler, simdNormalKernelAvailable } from './internal/lane-normal-sampler.js';
import { fillLaneNormalReference } from './internal/lane-normal-stream.js';

test('the WebAssembly SIMD kernel is available on this Node', (t) => {
  t.true(simdNormalKernelAvailable());
  t.is(new LaneNormalSampler().implementation, 'wasm-simd');
  t.is(new LaneNormalSampler('js').implementation, 'js');
});

test('SIMD kernel output is bit-identical to the JS reference, and both advance the master Rng alike', (t) => {
  const simd = new LaneNormalSampler();
  const js = new LaneNormalSampler('js');
  for (const seed of [0, 1, 99, 0xffffffff]) {
    const a = new Rng(seed);
    const b = new Rng(seed);
    const c = new Rng(seed);
    for (const [n, std] of [[1, 1], [3, 0.5], [4, 2], [5, 1e-3], [1001, 0.1], [88210, 0.0316], [7, 1], [400_000, 1]] as const) {
      const x = Float32Array.from(simd.sample(a, n, std));
      const y = Float32Array.from(js.sample(b, n, std));
      const z = fillLaneNormalReference(c, new Float32Array(n), n, std);
      t.is(x.length, n);
      t.deepEqual(x, y, `seed ${seed} n ${n}`);
      t.deepEqual(x, z);
    }
    t.deepEqual(a.getState(), b.getState());
    t.deepEqual(a.getState(), c.getState());
  }
});

test('chunk sizes: powers of two near groups / 16, from 4096 to 32768 groups', (t) => {
  t.is(chunkGroupsFor(1), 4096);
  t.is(chunkGroupsFor(22_053), 4096); // the MLP's 88,210 values: 6 chunks
  t.is(chunkGroupsFor(16 * 4096 + 1), 8192);
  t.is(chunkGroupsFor(1_162_500), 32768); // PTB's 4.65 M values: 36 chunks
  t.is(chunkGroupsFor(1e9), 32768);
});

test('a draw of several chunks is the stream, with the helper thread and without it', async (t) => {
  const withHelper = new LaneNormalSampler('wasm-simd', { helper: true });
  const alone = new LaneNormalSampler('wasm-simd', { helper: false });
  const rngs = [new Rng(11), new Rng(11), new Rng(11)];
  // 13 chunks of 8192 groups, the last one partial; the MLP's size (6 chunks of 4096); one chunk
  for (const [call, n] of [4 * CHUNK_GROUPS * 3 + 1001, 88_210, 4 * CHUNK_GROUPS * 3 + 1001, 5, 88_210, 4 * CHUNK_GROUPS * 3 + 1001].entries()) {
    const std = 0.5 / (call + 1);
    const x = Float32Array.from(withHelper.sample(rngs[0], n, std));
    const y = Float32Array.from(alone.sample(rngs[1], n, std));
    const z = fillLaneNormalReference(rngs[2], new Float32Array(n), n, std);
    t.deepEqual(x, z, `call ${call}, n ${n}: with the helper`);
    t.deepEqual(y, z, `call ${call}, n ${n}: on one thread`);
    if (call === 0) await new Promise((resolve) => setTimeout(resolve, 200)); // the helper thread starts
  }
  t.deepEqual(rngs[0].getState(), rngs[2].getState());
  t.is(alone.helpedChunks, 0);
  // The helper takes part: with it started, some chunks of a large draw are its own.
  for (let i = 0; i < 50 && withHelper.helpedChunks === 0; i++) withHelper.sample(new Rng(i), 4 * CHUNK_GROUPS * 16, 1);
  t.true(withHelper.helpedChunks > 0, 'the helper drew no chunk');
});

test.serial('ANNEAL_NOISE_HELPER=0 draws on one thread', (t) => {
  const saved = process.env.ANNEAL_NOISE_HELPER;
  process.env.ANNEAL_NOISE_HELPER = '0';
  try {
    const s = new LaneNormalSampler('wasm-simd', { helper: true });
    for (let i = 0; i < 5; i++) s.sample(new Rng(i), 4 * CHUNK_GROUPS * 8, 1);
    t.is(s.helpedChunks, 0);
  } finally {
    if (saved === undefined) delete process.env.ANNEAL_NOISE_HELPER;
    else process.env.ANNEAL_NOISE_HELPER = saved;
  }
});

test('the memory grows for larger requests and earlier sizes still work', (t) => {
  const simd = new LaneNormalSampler();
  const small = Float32Array.from(simd.sample(new Rng(5), 10, 1));
  simd.sample(new Rng(6), 3_000_000, 1);
  t.deepEqual(Float32Array.from(simd.sample(new Rng(5), 10, 1)), small);
});

for (const implementation of ['wasm-simd', 'js'] as const) {
  test(`${implementation}: standard normal: mean 0, variance 1, KS distance, tails, no correlation across lanes or draws`, (t) => {
    const n = 400_000;
    const z = Float32Array.from(new LaneNormalSampler(implementation).sample(new Rng(2024), n, 1));
    const { mean, variance } = meanAndVariance(z);
    t.true(Math.abs(mean) < 5 / Math.sqrt(n), `mean ${mean}`);
    t.true(Math.abs(variance - 1) < 5 * Math.sqrt(2 / n), `variance ${variance}`);
    // KS: the 1% critical value is 1.63/sqrt(n) = 0.0026; a wrong table or a lost slow path is far beyond.
    const d = ksDistanceToNormal(z);
    t.true(d < 0.0026, `KS distance ${d}`);
    let beyond35 = 0;
    let beyond45 = 0;
    for (const v of z) {
      if (Math.abs(v) > 3.5) beyond35++;
      if (Math.abs(v) > 4.5) beyond45++;
    }
    t.true(beyond35 > 130 && beyond35 < 250, `|z|>3.5: ${beyond35} (expected 186)`); // P = 4.65e-4
    t.true(beyond45 >= 0 && beyond45 < 12, `|z|>4.5: ${beyond45} (expected 2.7)`);
    for (const lag of [1, 2, 3, 4, 5, 8]) {
      const r = lagCorrelation(z, lag);
      t.true(Math.abs(r) < 5 / Math.sqrt(n), `lag ${lag} correlation ${r}`);
    }
  });
}

test('std scales the draws; same master seed ⇒ same values; different seed ⇒ different; successive calls differ', (t) => {
  const s = new LaneNormalSampler();
  const one = Float32Array.from(s.sample(new Rng(8), 1000, 1));
  const tenth = Float32Array.from(s.sample(new Rng(8), 1000, 0.1));
  let maxRel = 0;
  for (let i = 0; i < 1000; i++) if (one[i] !== 0) maxRel = Math.max(maxRel, Math.abs(tenth[i] / (0.1 * one[i]) - 1));
  t.true(maxRel < 1e-6);
  t.deepEqual(Float32Array.from(s.sample(new Rng(8), 1000, 1)), one);
  t.notDeepEqual(Float32Array.from(s.sample(new Rng(9), 1000, 1)), one);
  const rng = new Rng(8);
  const first = Float32Array.from(s.sample(rng, 1000, 1));
  t.notDeepEqual(Float32Array.from(s.sample(rng, 1000, 1)), first);
});
