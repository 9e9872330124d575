// Ways to add a flat noise buffer to the MLP's 42 gradient tensors on wasm (synthetic gradients, the
// same tensors every round, so the data is hot in cache: the trainer sees ≈2× these times). The first
// two rows are the package's strategies ('wasm-heap' is the default on wasm); the others are the
// building blocks and rejected alternatives, kept for reference.
//   node plugins/standard/bench/noise-add-bench.mjs [rounds]
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { addNoiseFromBuffer } from '../dist/noise/add-noise-from-buffer.js';
await tf.setBackend('wasm');
await tf.ready();
const ROUNDS = Number(process.argv[2] ?? 400);
const shapes = [[784, 50], [50]];
for (let i = 0; i < 19; i++) shapes.push([50, 50], [50]);
shapes.push([50, 10], [10]);
const grads = Object.fromEntries(shapes.map((s, i) => [`p${i}`, tf.keep(tf.randomNormal(s))]));
const total = Object.values(grads).reduce((n, g) => n + g.size, 0);
const noise = new Float32Array(new SharedArrayBuffer(total * 4));
for (let i = 0; i < total; i++) noise[i] = Math.random();
const backend = tf.backend();
const engine = tf.engine();

const variants = {
  "addNoiseFromBuffer 'wasm-heap'": () => void addNoiseFromBuffer(grads, noise, 'wasm-heap'),
  "addNoiseFromBuffer 'tensor-add'": () => void addNoiseFromBuffer(grads, noise, 'tensor-add'),
  'tensor-add (tf.tensor + tf.add)': () => {
    let o = 0;
    for (const g of Object.values(grads)) {
      const e = tf.tensor(noise.subarray(o, o + g.size), g.shape, 'float32');
      tf.add(g, e);
      e.dispose();
      o += g.size;
    }
  },
  'tf.tensor only': () => {
    let o = 0;
    for (const g of Object.values(grads)) {
      tf.tensor(noise.subarray(o, o + g.size), g.shape, 'float32');
      o += g.size;
    }
  },
  'host-add (dataSync + JS + tf.tensor)': () => {
    let o = 0;
    for (const g of Object.values(grads)) {
      const v = g.dataSync();
      const n = g.size;
      const s = new Float32Array(n);
      for (let i = 0; i < n; i++) s[i] = v[i] + noise[o + i];
      tf.tensor(s, g.shape, 'float32');
      o += n;
    }
  },
  'heap-add (makeOutput + JS loop over heap)': () => {
    let o = 0;
    for (const g of Object.values(grads)) {
      const info = backend.makeOutput(g.shape, 'float32');
      const out = backend.typedArrayFromHeap(info);
      const gv = backend.typedArrayFromHeap(g);
      const n = g.size;
      for (let i = 0; i < n; i++) out[i] = gv[i] + noise[o + i];
      engine.makeTensorFromTensorInfo(info);
      o += n;
    }
  },
  'heap-copy+add (tf.tensor, then += g in heap)': () => {
    let o = 0;
    for (const g of Object.values(grads)) {
      const t = tf.tensor(noise.subarray(o, o + g.size), g.shape, 'float32');
      const out = backend.typedArrayFromHeap(t);
      const gv = backend.typedArrayFromHeap(g);
      const n = g.size;
      for (let i = 0; i < n; i++) out[i] += gv[i];
      o += n;
    }
  },
  'one flat tensor + slice/reshape/add': () => {
    const flat = tf.tensor1d(noise);
    let o = 0;
    for (const g of Object.values(grads)) {
      tf.add(g, tf.reshape(tf.slice(flat, o, g.size), g.shape));
      o += g.size;
    }
  },
};
{
  const a = tf.tidy(() => Object.values(addNoiseFromBuffer(grads, noise, 'wasm-heap')).map((t) => Array.from(t.dataSync())));
  const b = tf.tidy(() => Object.values(addNoiseFromBuffer(grads, noise, 'tensor-add')).map((t) => Array.from(t.dataSync())));
  console.log('wasm-heap bit-identical to tensor-add:', JSON.stringify(a) === JSON.stringify(b));
}
const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, fn] of Object.entries(variants)) {
    const t0 = performance.now();
    tf.tidy(fn);
    if (r >= 50) times[name].push(performance.now() - t0);
  }
}
const q = (xs, p) => [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))];
console.log(`${total} values in ${shapes.length} tensors; ms per call: median / p10`);
for (const [name, xs] of Object.entries(times)) console.log(name.padEnd(48), q(xs, 0.5).toFixed(3), q(xs, 0.1).toFixed(3));
console.log('tensors alive', tf.memory().numTensors);
