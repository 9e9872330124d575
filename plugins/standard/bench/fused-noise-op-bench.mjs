// The fused noise op (AnnealLaneNoiseAdd, native/lane_noise_add.cc) per kernel, on the tensorflow backend: ms per call
// of g + ε on PTB's gradients (4.65 M values in 7 tensors) and the MLP's (88,210 in 42), and a plain tf.add of the
// same tensors (one pass over them) as the baseline measured in the same process.
//
//   npx tsc -b tsconfig.build.json && npx anneal backend install tensorflow
//   node plugins/standard/bench/fused-noise-op-bench.mjs [rounds] [calls]
//
// The library picks its kernel when its tables are set, so each kernel runs in a child process of its own (ANNEAL_NOISE_KERNEL),
// the kernels alternating round by round. The machine is shared: compare the ratios of one run, not absolute times.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SHAPES = {
  ptb: [[10000, 200], [400, 800], [800], [400, 800], [800], [200, 10000], [10000]],
  mlp: [[784, 50], [50], ...Array.from({ length: 19 }, () => [[50, 50], [50]]).flat(), [50, 10], [10]],
};

async function child(calls) {
  const tf = await import('@tensorflow/tfjs-node');
  await tf.setBackend('tensorflow');
  const { recordTensorflowPackageDir } = await import('@anneal/core');
  recordTensorflowPackageDir(path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-node/package.json'))); // as anneal's backend start does
  const { tensorflowLaneNoise, tensorflowLaneNoiseStatus } = await import('../dist/ops/internal/tensorflow-lane-noise.js');
  const op = tensorflowLaneNoise();
  if (!op) throw new Error(`the fused noise op does not run here: ${tensorflowLaneNoiseStatus()}`);
  const out = { kernel: op.kernel };
  for (const [model, shapes] of Object.entries(SHAPES)) {
    const grads = Object.fromEntries(shapes.map((s, i) => [`g${i}`, tf.randomNormal(s)]));
    const others = Object.values(grads).map((g) => tf.randomNormal(g.shape));
    const n = Object.values(grads).reduce((sum, g) => sum + g.size, 0);
    const time = (f) => {
      for (let i = 0; i < 5; i++) f(i);
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < calls; i++) f(i);
      return Number(process.hrtime.bigint() - t0) / 1e6 / calls;
    };
    const fused = (i) => {
      const noisy = op.add(grads, op.seeds(n, 1000 + i, 0.01));
      Object.values(noisy).at(-1).dataSync(); // waits for the op
      tf.dispose(Object.values(noisy));
    };
    const plainAdd = () => {
      const sums = Object.values(grads).map((g, j) => tf.add(g, others[j]));
      sums.at(-1).dataSync();
      tf.dispose(sums);
    };
    out[model] = { n, opMs: time(fused), addMs: time(plainAdd) };
    tf.dispose([...Object.values(grads), ...others]);
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];

function parent(rounds, calls) {
  const flags = readFileSync('/proc/cpuinfo', 'utf8');
  const has = (flag) => new RegExp(`\\b${flag}\\b`).test(flags);
  const kernels = [...(['avx512f', 'avx512vl', 'avx512dq', 'avx512bw'].every(has) ? ['avx512'] : []), ...(has('avx2') ? ['avx2', 'avx2-loads'] : []), 'plain'];
  const results = Object.fromEntries(kernels.map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    for (const k of r % 2 === 0 ? kernels : [...kernels].reverse()) {
      const env = { ...process.env, ANNEAL_NOISE_KERNEL: k, TF_CPP_MIN_LOG_LEVEL: '2', FUSED_BENCH_CHILD: String(calls) };
      const c = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], { env, encoding: 'utf8' });
      if (c.status !== 0) throw new Error(`the ${k} child failed: ${c.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      const res = JSON.parse(c.stdout.trim().split('\n').at(-1));
      if (res.kernel !== k) throw new Error(`asked for the ${k} kernel, the library runs ${res.kernel}`);
      results[k].push(res);
    }
  }
  console.log(`fused noise op, ms per call (median of ${rounds} child processes × ${calls} calls); op ÷ a plain tf.add of the same tensors, and ÷ the avx2 kernel`);
  for (const model of Object.keys(SHAPES)) {
    for (const k of kernels) {
      const op = median(results[k].map((r) => r[model].opMs));
      const overAdd = median(results[k].map((r) => r[model].opMs / r[model].addMs));
      const overAvx2 = results.avx2 ? op / median(results.avx2.map((r) => r[model].opMs)) : NaN;
      console.log(`  ${model.padEnd(4)} ${String(results[k][0][model].n).padStart(8)} values  ${k.padEnd(10)} ${op.toFixed(3)} ms   ÷ add ${overAdd.toFixed(2)}   ÷ avx2 ${overAvx2.toFixed(2)}`);
    }
  }
}

if (process.env.FUSED_BENCH_CHILD) await child(Number(process.env.FUSED_BENCH_CHILD));
else parent(Number(process.argv[2] ?? 5), Number(process.argv[3] ?? 40));
