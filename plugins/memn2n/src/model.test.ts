import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { AnnealError, Rng, validateConfig, type Batch, type EvalSums, type ForwardContext, batchContext } from '@anneal/core';
import { loadBabiTask, makeBabiDataset } from '@anneal/dataset-babi';
import { MemN2N, memn2nConfigSchema, memn2nModel, positionEncoding, zeroNilTransform, type MemN2NOptions } from './index.js';
import { SHARED_BABI_DIR } from '@anneal/dataset-babi/testing';

const BABI_DIR = SHARED_BABI_DIR;

const OPTS: MemN2NOptions = {
  hops: 3,
  embeddingDim: 20,
  initStd: 0.1,
  positionEncoding: true,
  maskEmptyMemories: false,
  attention: 'softmax',
  gradient: 'manual',
};

function fctx(training: boolean, phaseOptions: Record<string, unknown> = {}, site?: (name: string, x: tf.Tensor) => tf.Tensor): ForwardContext {
  return { training, step: 0, phase: "main", phaseOptions, curriculum: {}, site: site ?? ((_n, x) => x) };
}

test('position encoding: reference-code form, checked by hand for J=3, d=2', (t) => {
  // l_kj = 1 + 4 (k − (d+1)/2)(j − (J+1)/2)/(d J): k=1 → 1 + (−0.5)(j−2)·4/6; k=2 → 1 + (0.5)(j−2)·4/6.
  const pe = Array.from(positionEncoding(3, 2));
  const expected = [4 / 3, 2 / 3, 1, 1, 2 / 3, 4 / 3]; // row-major [j][k]
  pe.forEach((v, i) => t.true(Math.abs(v - expected[i]) < 1e-6, `entry ${i}: ${v} vs ${expected[i]}`));
  // J=2, d=3: l_kj = 1 + 4(k−2)(j−1.5)/6.
  const pe2 = Array.from(positionEncoding(2, 3));
  const expected2 = [1 + 1 / 3, 1, 1 - 1 / 3, 1 - 1 / 3, 1, 1 + 1 / 3];
  pe2.forEach((v, i) => t.true(Math.abs(v - expected2[i]) < 1e-6));
  // It differs from the paper's formula (1 − j/J) − (k/d)(1 − 2j/J).
  const paper = (j: number, k: number, J: number, d: number) => 1 - j / J - (k / d) * (1 - (2 * j) / J);
  t.not(Math.abs(pe[0] - paper(1, 1, 3, 2)) < 1e-6, true);
});

// ---------------------------------------------------------------------------------------------------
// A tiny synthetic problem for gradient checks.
const TINY = { vocabSize: 13, sentenceSize: 4, memorySize: 5, nilIndex: 0 };
function tinyBatch(seed: number, b = 3): Batch {
  const rng = new Rng(seed);
  const { memorySize: M, sentenceSize: J, vocabSize: V } = TINY;
  const stories = new Int32Array(b * M * J);
  const mask = new Float32Array(b * M);
  for (let k = 0; k < b; k++) {
    const n = 2 + (k % (M - 1)); // some empty slots
    for (let i = 0; i < n; i++) {
      mask[k * M + i] = 1;
      const len = 1 + rng.nextInt(J - 1);
      for (let j = 0; j < len; j++) stories[(k * M + i) * J + j] = 1 + rng.nextInt(V - 6);
      stories[(k * M + i) * J + J - 1] = V - 5 + (n - i - 1); // a time word
    }
  }
  const queries = Int32Array.from({ length: b * J }, (_, i) => (i % J < 2 ? 1 + rng.nextInt(V - 6) : 0));
  const answers = Int32Array.from({ length: b }, () => 1 + rng.nextInt(V - 6));
  return {
    stories: tf.tensor3d(stories, [b, M, J], 'int32'),
    queries: tf.tensor2d(queries, [b, J], 'int32'),
    answers: tf.tensor1d(answers, 'int32'),
    memoryMask: tf.tensor2d(mask, [b, M]),
  };
}

for (const [label, opts, phase] of [
  ['softmax attention', {}, {}],
  ['linear attention (linear start)', {}, { attention: 'linear' }],
  ['softmax with empty memories masked', { maskEmptyMemories: true }, {}],
  ['linear with empty memories masked', { maskEmptyMemories: true }, { attention: 'linear' }],
] as const) {
  test(`manual gradient matches central finite differences: ${label}`, (t) => {
    const model = new MemN2N({ ...OPTS, embeddingDim: 4, initStd: 0.3, ...opts }, TINY, new Rng(11));
    const batch = tinyBatch(5);
    const ctx = fctx(true, phase);
    const names = Object.keys(model.params);
    const vars = names.map((n) => model.params[n]);
    const { value, grads } = tf.variableGrads(() => model.loss(batch, ctx), vars);
    const lossAt = () => tf.tidy(() => model.loss(batch, ctx).dataSync()[0]);
    t.true(Math.abs(value.dataSync()[0] - lossAt()) < 1e-4);
    const eps = 1e-2;
    let checked = 0;
    const rng = new Rng(3);
    for (const v of vars) {
      const g = grads[v.name].dataSync();
      const base = v.dataSync().slice();
      for (let trial = 0; trial < 12; trial++) {
        const row = 1 + rng.nextInt(TINY.vocabSize - 1); // the nil row is checked separately
        const idx = row * 4 + rng.nextInt(4);
        const plus = base.slice();
        plus[idx] += eps;
        v.assign(tf.tensor2d(plus, v.shape as [number, number]));
        const lp = lossAt();
        const minus = base.slice();
        minus[idx] -= eps;
        v.assign(tf.tensor2d(minus, v.shape as [number, number]));
        const lm = lossAt();
        v.assign(tf.tensor2d(base, v.shape as [number, number]));
        const fd = (lp - lm) / (2 * eps);
        t.true(Math.abs(fd - g[idx]) <= 2e-3 + 2e-2 * Math.abs(fd), `${v.name}[${idx}]: fd ${fd} vs manual ${g[idx]}`);
        checked++;
      }
    }
    t.is(checked, 48);
    model.dispose();
  });
}

test('nil word: its row never changes the output, yet receives the straight-through gradient', (t) => {
  const model = new MemN2N({ ...OPTS, embeddingDim: 4 }, TINY, new Rng(2));
  const batch = tinyBatch(8);
  const ctx = fctx(false);
  const before = tf.tidy(() => model.forward(batch, ctx).logits.dataSync().slice());
  for (const v of Object.values(model.params)) {
    const vals = v.dataSync().slice();
    vals.fill(7, 0, 4); // garbage in the nil row
    v.assign(tf.tensor2d(vals, v.shape as [number, number]));
  }
  const after = tf.tidy(() => model.forward(batch, ctx).logits.dataSync().slice());
  t.deepEqual(Array.from(after), Array.from(before));
  const vars = Object.values(model.params);
  const { grads } = tf.variableGrads(() => model.loss(batch, fctx(true)), vars);
  const nilGrad = grads[vars[1].name].dataSync().slice(0, 4);
  t.true(Array.from(nilGrad).some((g) => Math.abs(g) > 1e-6), 'nil row gradient is passed through (it counts in per-matrix clipping, as in the reference)');
  model.dispose();
});

// ---------------------------------------------------------------------------------------------------
// Real data (task 1).

async function task1() {
  const data = await loadBabiTask(1, { dataDir: BABI_DIR });
  return { data, ds: makeBabiDataset(data) };
}

test('plugin factory: params, tying layout, shapes and init', async (t) => {
  const { ds } = await task1();
  const info = ds.info as Record<string, number>;
  const config = validateConfig('memn2n', memn2nConfigSchema, {});
  t.is(config.hops, 3);
  t.is(config.embeddingDim, 20);
  const model = memn2nModel.create(config, { dataset: ds.info, rng: new Rng(1), initializer: () => { throw new Error('unused'); } });
  t.deepEqual(Object.keys(model.params), ['embed/A1', 'embed/C1', 'embed/C2', 'embed/C3']);
  for (const v of Object.values(model.params)) t.deepEqual(v.shape, [info.vocabSize, 20]);
  t.deepEqual(model.sites, ['hop/1', 'hop/2', 'hop/3']);
  // N(0, 0.1²) init, nil row 0.
  const all = Object.values(model.params).flatMap((v) => Array.from(v.dataSync().slice(20)));
  const mean = all.reduce((a, b) => a + b, 0) / all.length;
  const std = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / all.length);
  t.true(Math.abs(std - 0.1) < 0.01, `std ${std}`);
  t.true(Object.values(model.params).every((v) => Array.from(v.dataSync().slice(0, 20)).every((x) => x === 0)));
  t.is((model.describe() as { parameters: number }).parameters, 4 * info.vocabSize * 20);

  const idx = Int32Array.from([0, 1, 2, 3, 4]);
  const batch = ds.splits.train.batch(idx, batchContext({ training: false, rng: new Rng(0) }));
  const out = (model as MemN2N).forward(batch, fctx(false));
  t.deepEqual(out.logits.shape, [5, info.vocabSize]);
  t.is(out.attention.length, 3);
  for (const p of out.attention) t.deepEqual(p.shape, [5, info.memorySize]);
  const loss = model.loss(batch, fctx(true)) as tf.Scalar;
  t.deepEqual(loss.shape, []);
  const sums = model.evaluate(batch, fctx(false)) as EvalSums;
  t.is(sums.accuracy.count.dataSync()[0], 5);
  t.true(Math.abs(sums.mean_loss.sum.dataSync()[0] - loss.dataSync()[0]) < 1e-3);
  model.dispose();
});

test('forward pass equals a naive per-example implementation (tying, PE, TE, nil)', async (t) => {
  const { data, ds } = await task1();
  const model = new MemN2N(OPTS, { vocabSize: data.vocabSize, sentenceSize: data.sentenceSize, memorySize: data.memorySize, nilIndex: 0 }, new Rng(4));
  const idx = Int32Array.from([3, 17]);
  const batch = ds.splits.train.batch(idx, batchContext({ training: false, rng: new Rng(0) }));
  const logits = model.forward(batch, fctx(false)).logits.arraySync() as number[][];
  const T = Object.values(model.params).map((v) => v.arraySync() as number[][]); // A1=B, C1=A2, C2=A3, C3=W^T
  const d = 20;
  const J = data.sentenceSize;
  const M = data.memorySize;
  const l = (j: number, k: number) => 1 + (4 * (k + 1 - (d + 1) / 2) * (j + 1 - (J + 1) / 2)) / (d * J);
  const emb = (Tm: number[][], ids: number[]) => {
    const out = new Array(d).fill(0);
    ids.forEach((id, j) => {
      if (id !== 0) for (let k = 0; k < d; k++) out[k] += l(j, k) * Tm[id][k];
    });
    return out;
  };
  const stories = batch.stories.arraySync() as number[][][];
  const queries = batch.queries.arraySync() as number[][];
  for (let e = 0; e < 2; e++) {
    let u = emb(T[0], queries[e]);
    for (let h = 1; h <= 3; h++) {
      const m = stories[e].map((s) => emb(T[h - 1], s)); // A^h = T[h-1]
      const c = stories[e].map((s) => emb(T[h], s)); // C^h = T[h]
      const scores = m.map((mi) => mi.reduce((a, v, k) => a + v * u[k], 0));
      const mx = Math.max(...scores);
      const ex = scores.map((s) => Math.exp(s - mx));
      const z = ex.reduce((a, b) => a + b, 0);
      const p = ex.map((x) => x / z); // softmax over all M slots (empty ones score 0), as in the reference
      t.is(p.length, M);
      u = u.map((uk, k) => uk + p.reduce((a, pi, i) => a + pi * c[i][k], 0));
    }
    const expected = T[3].map((row, v) => (v === 0 ? 0 : row.reduce((a, w, k) => a + w * u[k], 0)));
    expected.forEach((x, v) => t.true(Math.abs(x - logits[e][v]) < 1e-3 * (1 + Math.abs(x)), `logit ${v}: ${logits[e][v]} vs ${x}`));
  }
  model.dispose();
});

test('loss is the sum (not the mean) of per-example cross-entropies', async (t) => {
  const { ds } = await task1();
  const model = new MemN2N(OPTS, ds.info as never, new Rng(9));
  const one = (i: number) => tf.tidy(() => model.loss(ds.splits.train.batch(Int32Array.from([i]), batchContext({ training: false, rng: new Rng(0) })), fctx(true)).dataSync()[0]);
  const both = tf.tidy(() => model.loss(ds.splits.train.batch(Int32Array.from([5, 6]), batchContext({ training: false, rng: new Rng(0) })), fctx(true)).dataSync()[0]);
  t.true(Math.abs(both - (one(5) + one(6))) < 1e-4);
  t.true(both > 2 * Math.log(10)); // untrained: ≈ 2·log V, far above a mean
  model.dispose();
});

test("linear start: phaseOptions { attention: 'linear' } removes the softmax in every hop", async (t) => {
  const { ds } = await task1();
  const model = new MemN2N(OPTS, ds.info as never, new Rng(3));
  const batch = ds.splits.train.batch(Int32Array.from([10, 11, 12, 13]), batchContext({ training: false, rng: new Rng(0) }));
  const soft = model.forward(batch, fctx(false));
  const lin = model.forward(batch, fctx(false, { attention: 'linear' }));
  const softDefault = model.forward(batch, fctx(false, { attention: 'softmax' }));
  t.deepEqual(soft.logits.dataSync(), softDefault.logits.dataSync());
  const diff = tf.max(tf.abs(tf.sub(soft.logits, lin.logits))).dataSync()[0];
  t.true(diff > 1e-4, `logits differ by ${diff}`);
  for (let h = 0; h < 3; h++) {
    const sSum = tf.sum(soft.attention[h], 1).dataSync();
    const lSum = tf.sum(lin.attention[h], 1).dataSync();
    for (const v of sSum) t.true(Math.abs(v - 1) < 1e-5);
    t.true(Array.from(lSum).some((v) => Math.abs(v - 1) > 1e-3), `hop ${h + 1}: linear weights are raw scores`);
    t.true(Array.from(lin.attention[h].dataSync()).some((v) => v < 0)); // raw u·m can be negative
  }
  // Losses differ too, and a bad option is reported.
  t.not(model.loss(batch, fctx(true)).dataSync()[0], model.loss(batch, fctx(true, { attention: 'linear' })).dataSync()[0]);
  const err = t.throws(() => model.loss(batch, fctx(true, { attention: 'sparse' })), { instanceOf: AnnealError });
  t.is(err!.code, 'ANNEAL_ERR_CONFIG_VALUE');
  model.dispose();
});

test('forward sites hop/1..hop/3 are routed through ctx.site; manual gradient refuses a non-identity transform', async (t) => {
  const { ds } = await task1();
  const model = new MemN2N(OPTS, ds.info as never, new Rng(3));
  const batch = ds.splits.train.batch(Int32Array.from([1, 2]), batchContext({ training: false, rng: new Rng(0) }));
  const seen: string[] = [];
  model.loss(batch, fctx(true, {}, (n, x) => (seen.push(n), x)));
  t.deepEqual(seen, ['hop/1', 'hop/2', 'hop/3']);
  const err = t.throws(() => model.loss(batch, fctx(true, {}, (_n, x) => tf.mul(x, 2))), { instanceOf: AnnealError });
  t.regex(err!.message, /gradient: 'autodiff'/);
  // Evaluation applies the transform (no gradient needed).
  const a = model.forward(batch, fctx(false)).logits.dataSync()[1];
  const b = model.forward(batch, fctx(false, {}, (_n, x) => tf.mul(x, 2))).logits.dataSync()[1];
  t.not(a, b);
  model.dispose();
});

test('training smoke (own loop: per-matrix clip 40 + plain SGD, batch 32 with replacement, RN) on task 1: loss goes down', async (t) => {
  const { ds } = await task1();
  const model = new MemN2N(OPTS, ds.info as never, new Rng(1));
  const vars = Object.values(model.params);
  const rng = new Rng(2);
  const ctx = fctx(true);
  const losses: number[] = [];
  const train = ds.splits.train;
  const started = Date.now();
  for (let step = 0; step < 300; step++) {
    losses.push(
      tf.tidy(() => {
        const idx = Int32Array.from({ length: 32 }, () => rng.nextInt(train.size));
        const batch = train.batch(idx, batchContext({ training: true, rng }));
        const { value, grads } = tf.variableGrads(() => model.loss(batch, ctx), vars);
        for (const v of vars) {
          const g = grads[v.name];
          const norm = tf.norm(g).dataSync()[0];
          const clipped = norm > 40 ? tf.mul(g, 40 / norm) : g;
          v.assign(tf.sub(v, tf.mul(clipped, 0.01)));
        }
        return value.dataSync()[0];
      }),
    );
  }
  const ms = (Date.now() - started) / 300;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const first = mean(losses.slice(0, 30));
  const last = mean(losses.slice(-30));
  t.log(`summed batch loss ${first.toFixed(2)} → ${last.toFixed(2)} (${ms.toFixed(1)} ms/step incl. batching)`);
  t.true(last < 0.5 * first);
  const val = ds.splits.validation!;
  const acc = tf.tidy(() => {
    const r = model.evaluate(val.batch(Int32Array.from({ length: val.size }, (_, i) => i), batchContext({ training: false, rng })), fctx(false));
    return r.accuracy.sum.dataSync()[0] / r.accuracy.count.dataSync()[0];
  });
  t.log(`validation accuracy after 300 steps: ${(acc * 100).toFixed(1)}%`);
  t.true(acc > 0.5);
  model.dispose();
});

test('no tensors leak across loss + gradient + evaluate', async (t) => {
  const { ds } = await task1();
  const model = new MemN2N(OPTS, ds.info as never, new Rng(1));
  const vars = Object.values(model.params);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) {
    tf.tidy(() => {
      const batch = ds.splits.train.batch(Int32Array.from([1, 2, 3]), batchContext({ training: true, rng: new Rng(i) }));
      const { grads } = tf.variableGrads(() => model.loss(batch, fctx(true)), vars);
      for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name], 0.001)));
      model.evaluate(batch, fctx(false));
    });
  }
  t.is(tf.memory().numTensors, before);
  model.dispose();
});

test("gradient: 'autodiff' computes the same loss value as the manual op (tf-op embedding bags)", (t) => {
  const manual = new MemN2N({ ...OPTS, embeddingDim: 4 }, TINY, new Rng(21));
  const auto = new MemN2N({ ...OPTS, embeddingDim: 4, gradient: 'autodiff' }, TINY, new Rng(21));
  const batch = tinyBatch(9);
  for (const phase of [{}, { attention: 'linear' }]) {
    const a = manual.loss(batch, fctx(true, phase)).dataSync()[0];
    const b = auto.loss(batch, fctx(true, phase)).dataSync()[0];
    t.true(Math.abs(a - b) < 1e-4 * (1 + Math.abs(a)), `${a} vs ${b}`);
  }
  manual.dispose();
  auto.dispose();
});

test('manual gradient equals tfjs autodiff gradient (all modes, nil rows included; on wasm through the one-hot embedding rows)', (t) => {
  // Tolerance: max |difference| ≤ 1e-4 · (1 + max |gradient|) per matrix (float32).
  for (const [opts, phase] of [
    [{}, {}],
    [{}, { attention: 'linear' }],
    [{ maskEmptyMemories: true }, {}],
  ] as const) {
    const manual = new MemN2N({ ...OPTS, embeddingDim: 4, initStd: 0.3, ...opts }, TINY, new Rng(31));
    const auto = new MemN2N({ ...OPTS, embeddingDim: 4, initStd: 0.3, ...opts, gradient: 'autodiff' }, TINY, new Rng(31));
    const batch = tinyBatch(12, 4);
    const gm = tf.variableGrads(() => manual.loss(batch, fctx(true, phase)), Object.values(manual.params)).grads;
    const ga = tf.variableGrads(() => auto.loss(batch, fctx(true, phase)), Object.values(auto.params)).grads;
    const names = Object.keys(manual.params);
    names.forEach((n) => {
      const a = gm[manual.params[n].name].dataSync();
      const b = ga[auto.params[n].name].dataSync();
      let maxDiff = 0;
      let maxAbs = 0;
      for (let i = 0; i < a.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
        maxAbs = Math.max(maxAbs, Math.abs(b[i]));
      }
      t.true(maxDiff <= 1e-4 * (1 + maxAbs), `${n} ${JSON.stringify(phase)}: max diff ${maxDiff} (max |g| ${maxAbs})`);
    });
    manual.dispose();
    auto.dispose();
  }
});

test('optional post-update transform memn2n-zero-nil resets the stored nil rows', (t) => {
  const model = new MemN2N({ ...OPTS, embeddingDim: 4 }, TINY, new Rng(2));
  for (const v of Object.values(model.params)) {
    const vals = v.dataSync().slice();
    vals.fill(3, 0, 4);
    v.assign(tf.tensor2d(vals, v.shape as [number, number]));
  }
  const before = Object.values(model.params).map((v) => Array.from(v.dataSync().slice(4)));
  const transform = zeroNilTransform.create(validateConfig('memn2n-zero-nil', zeroNilTransform.manifest.configSchema, {}));
  const state = transform.init({ seed: 1, params: model.params });
  transform.apply(model.params, state, { step: 0, epoch: 0, phase: 'main', learningRate: 0.01, params: model.params });
  Object.values(model.params).forEach((v, i) => {
    t.deepEqual(Array.from(v.dataSync().slice(0, 4)), [0, 0, 0, 0]);
    t.deepEqual(Array.from(v.dataSync().slice(4)), before[i]);
  });
  t.is(zeroNilTransform.manifest.hookPoint, 'post-update');
  model.dispose();
});
