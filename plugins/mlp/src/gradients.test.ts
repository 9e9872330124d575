import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, type ForwardContext } from '@anneal/core';
import { mlpLayerNames } from './mlp.js';
import { dense, meanSoftmaxCrossEntropy, toOneHot, type DenseActivation, type TransposeMode } from './ops.js';
import { build, forwardCtx } from './test-kit.test.helpers.js';

// ---------------------------------------------------------------------------------------------
// Gradients: compare the hand-written backward passes with a float64 reference.

interface RefResult {
  loss: number;
  grads: Map<string, Float64Array>;
}

function act64(a: DenseActivation, z: number): number {
  return a === 'relu' ? Math.max(0, z) : a === 'tanh' ? Math.tanh(z) : a === 'sigmoid' ? 1 / (1 + Math.exp(-z)) : z;
}
function dact64(a: DenseActivation, y: number): number {
  return a === 'relu' ? (y > 0 ? 1 : 0) : a === 'tanh' ? 1 - y * y : a === 'sigmoid' ? y * (1 - y) : 1;
}

/** Plain float64 forward/backward of the MLP (row-major arrays). */
function reference(params: Record<string, Float32Array>, names: string[], sizes: number[], act: DenseActivation, x: Float32Array, y: Int32Array): RefResult {
  const b = y.length;
  const hs: Float64Array[] = [Float64Array.from(x)];
  for (let l = 0; l < names.length; l++) {
    const [fi, fo] = [sizes[l], sizes[l + 1]];
    const W = params[`${names[l]}/kernel`];
    const bias = params[`${names[l]}/bias`];
    const h = hs[l];
    const out = new Float64Array(b * fo);
    const a: DenseActivation = l < names.length - 1 ? act : 'linear';
    for (let r = 0; r < b; r++)
      for (let j = 0; j < fo; j++) {
        let s = bias[j];
        for (let k = 0; k < fi; k++) s += h[r * fi + k] * W[k * fo + j];
        out[r * fo + j] = act64(a, s);
      }
    hs.push(out);
  }
  const C = sizes[sizes.length - 1];
  const logits = hs[hs.length - 1];
  let loss = 0;
  let g = new Float64Array(b * C);
  for (let r = 0; r < b; r++) {
    let m = -Infinity;
    for (let j = 0; j < C; j++) m = Math.max(m, logits[r * C + j]);
    let se = 0;
    for (let j = 0; j < C; j++) se += Math.exp(logits[r * C + j] - m);
    const lse = m + Math.log(se);
    loss += lse - logits[r * C + y[r]];
    for (let j = 0; j < C; j++) g[r * C + j] = (Math.exp(logits[r * C + j] - lse) - (j === y[r] ? 1 : 0)) / b;
  }
  loss /= b;
  const grads = new Map<string, Float64Array>();
  for (let l = names.length - 1; l >= 0; l--) {
    const [fi, fo] = [sizes[l], sizes[l + 1]];
    const a: DenseActivation = l < names.length - 1 ? act : 'linear';
    const yOut = hs[l + 1];
    const gz = new Float64Array(b * fo);
    for (let i = 0; i < gz.length; i++) gz[i] = g[i] * dact64(a, yOut[i]);
    const dW = new Float64Array(fi * fo);
    const db = new Float64Array(fo);
    const h = hs[l];
    for (let r = 0; r < b; r++)
      for (let j = 0; j < fo; j++) {
        db[j] += gz[r * fo + j];
        for (let k = 0; k < fi; k++) dW[k * fo + j] += h[r * fi + k] * gz[r * fo + j];
      }
    const W = params[`${names[l]}/kernel`];
    const dh = new Float64Array(b * fi);
    for (let r = 0; r < b; r++)
      for (let k = 0; k < fi; k++) {
        let s = 0;
        for (let j = 0; j < fo; j++) s += gz[r * fo + j] * W[k * fo + j];
        dh[r * fi + k] = s;
      }
    grads.set(`${names[l]}/kernel`, dW);
    grads.set(`${names[l]}/bias`, db);
    g = dh;
  }
  return { loss, grads };
}

function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 1e-6;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  let err = 0;
  for (let i = 0; i < b.length; i++) err = Math.max(err, Math.abs(a[i] - b[i]));
  return err / scale;
}

for (const activation of ['relu', 'tanh', 'sigmoid'] as const) {
  test(`hand-written gradients match a float64 reference (${activation})`, (t) => {
    const cfg = { depth: 3, width: 6, activation, inputSize: 7, numClasses: 4, init: { name: 'normal', config: { std: 0.6 } }, biasInit: 0.05 };
    const model = build(cfg, 5, {});
    t.teardown(() => model.dispose());
    const rng = new Rng(99);
    const x = rng.fillUniform(new Float32Array(9 * 7));
    const y = Int32Array.from({ length: 9 }, () => rng.nextInt(4));
    const names = mlpLayerNames(3);
    const params: Record<string, Float32Array> = {};
    for (const [k, v] of Object.entries(model.params)) params[k] = v.dataSync() as Float32Array;
    const ref = reference(params, names, [7, 6, 6, 6, 4], activation, x, y);
    const vars = Object.values(model.params);
    const batch = { x: tf.tensor2d(x, [9, 7]), y: tf.tensor1d(y, 'int32') };
    t.teardown(() => [batch.x, batch.y].forEach((z) => z.dispose()));
    for (const mode of ['flags', 'explicit'] as TransposeMode[]) {
      tf.tidy(() => {
        // Route through dense() directly with a forced transpose mode, mirroring MlpModel.logits.
        const { value, grads } = tf.variableGrads(() => {
          let h = batch.x as tf.Tensor2D;
          for (let i = 0; i < 3; i++) h = dense(h, model.params[`${names[i]}/kernel`] as tf.Tensor2D, model.params[`${names[i]}/bias`] as tf.Tensor1D, { activation, inputNeedsGrad: i > 0, transposeMode: mode });
          const z = dense(h, model.params['output/kernel'] as tf.Tensor2D, model.params['output/bias'] as tf.Tensor1D, { activation: 'linear', inputNeedsGrad: true, transposeMode: mode });
          return meanSoftmaxCrossEntropy(z, toOneHot(batch.y, 4));
        }, vars);
        t.true(Math.abs(value.dataSync()[0] - ref.loss) < 1e-5, `${mode} loss ${value.dataSync()[0]} vs ${ref.loss}`);
        for (const [key, v] of Object.entries(model.params)) {
          const err = maxRelErr(grads[v.name].dataSync(), ref.grads.get(key)!);
          t.true(err < 1e-4, `${mode} ${key}: relative error ${err}`);
        }
      });
    }
    // And through the model's own loss (backend-chosen transpose mode), and through the autodiff form.
    const auto = build({ ...cfg, gradient: 'autodiff' }, 5, {});
    t.teardown(() => auto.dispose());
    for (const m of [model, auto]) {
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => m.loss(batch, forwardCtx(true)), Object.values(m.params));
        t.true(Math.abs(value.dataSync()[0] - ref.loss) < 1e-5);
        for (const [key, v] of Object.entries(m.params)) t.true(maxRelErr(grads[v.name].dataSync(), ref.grads.get(key)!) < 1e-4, `${m.describe().gradient} ${key}`);
      });
    }
  });
}

test("gradient: 'manual' equals tfjs autodiff (gradient: 'autodiff') on the paper's 20×50 network, with a dropout-like site transform", (t) => {
  // Same seed ⇒ same weights; the site multiplies by a fixed 0/2 mask, so gradients flow through the sites too.
  const manual = build({ init: { name: 'normal', config: { std: 0.2 } }, biasInit: 0.01 }, 3);
  const auto = build({ init: { name: 'normal', config: { std: 0.2 } }, biasInit: 0.01, gradient: 'autodiff' }, 3);
  t.teardown(() => [manual, auto].forEach((m) => m.dispose()));
  t.is(auto.describe().gradient, 'autodiff');
  const rng = new Rng(17);
  const x = tf.tensor2d(rng.fillUniform(new Float32Array(16 * 784)), [16, 784]);
  const y = tf.tensor1d(Int32Array.from({ length: 16 }, () => rng.nextInt(10)), 'int32');
  const mask = tf.tensor2d(Float32Array.from({ length: 16 * 50 }, () => (rng.nextInt(4) === 0 ? 0 : 2)), [16, 50]);
  t.teardown(() => tf.dispose([x, y, mask]));
  const ctx: ForwardContext = { ...forwardCtx(true), site: (_n, h) => tf.mul(h, mask) };
  tf.tidy(() => {
    const gm = tf.variableGrads(() => manual.loss({ x, y }, ctx), Object.values(manual.params));
    const ga = tf.variableGrads(() => auto.loss({ x, y }, ctx), Object.values(auto.params));
    t.true(Math.abs(gm.value.dataSync()[0] - ga.value.dataSync()[0]) < 1e-5);
    // Tolerance: max |difference| ≤ 1e-4 × max |gradient| per tensor (float32, 21 layers of rounding).
    for (const [key, v] of Object.entries(manual.params)) {
      const err = maxRelErr(gm.grads[v.name].dataSync(), ga.grads[auto.params[key].name].dataSync());
      t.true(err <= 1e-4, `${key}: relative error ${err}`);
    }
  });
});
