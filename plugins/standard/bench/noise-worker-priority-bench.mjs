// Which nice value the noise prefetch worker should run at. The main thread does a fixed amount of CPU
// work (≈6.5 ms, like one MLP step on wasm) then takes the block of the MLP's 88,210 noise values
// (StepNoiseSource.noise), step after step; variants are interleaved run by run.
//
//   node plugins/standard/bench/noise-worker-priority-bench.mjs [rounds]
//
// Reports the cost of taking the block (a ready block, or computing it when the worker was late), the
// worker's hit rate, and the wall time of work + take (which also shows a worker stealing the main
// thread's core during the work). Needs plugins/standard built.
import { StepNoiseSource } from '../dist/noise/step-noise-source.js';

const rounds = Number(process.argv[2] ?? 5);
const n = 88210;
const work = new Float64Array(1 << 15);
function stepWork(iters) {
  let s = 0;
  for (let k = 0; k < iters; k++) for (let i = 0; i < work.length; i += 4) s += work[i] * 1.0001 + k;
  return s;
}
let iters = 4;
for (let c = 0; c < 20; c++) {
  const t0 = performance.now();
  stepWork(iters);
  iters = Math.max(1, Math.round((iters * 6.5) / (performance.now() - t0)));
}

const res = {};
for (let round = 0; round < rounds; round++) {
  for (const nice of ['none', '0', '5', '10', '19']) {
    const r = (res[nice] ??= { total: [], take: [], hits: 0, n: 0 });
    if (nice !== 'none') process.env.ANNEAL_NOISE_WORKER_NICE = nice;
    const source = new StepNoiseSource(() => 0.1, { prefetch: nice === 'none' ? 0 : 4 });
    source.prepare(round, n);
    for (let step = 0; step < 120; step++) {
      const t0 = performance.now();
      stepWork(iters);
      const t1 = performance.now();
      source.noise(round, step, n);
      const t2 = performance.now();
      if (step > 10) {
        r.total.push(t2 - t0);
        r.take.push(t2 - t1);
      }
    }
    r.hits += source.stats.prefetched;
    r.n += source.stats.prefetched + source.stats.computed;
    source.dispose();
  }
}
const q = (xs, p) => [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))];
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(`${rounds} rounds × 109 timed steps; ms`);
for (const [k, r] of Object.entries(res)) {
  console.log(
    `${(k === 'none' ? 'no worker' : `nice ${k}`).padEnd(9)}  take: mean ${mean(r.take).toFixed(3)} p50 ${q(r.take, 0.5).toFixed(3)} p90 ${q(r.take, 0.9).toFixed(3)}   hits ${String(r.hits).padStart(4)}/${r.n}   work+take: p50 ${q(r.total, 0.5).toFixed(3)} mean ${mean(r.total).toFixed(3)}`,
  );
}
