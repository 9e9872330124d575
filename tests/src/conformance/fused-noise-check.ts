/**
 * Run as a child process by the conformance suite (the op library picks its kernel when it loads, so each kernel
 * needs its own process: ANNEAL_NOISE_KERNEL=avx2, =avx2-loads or =plain forces one). On the tensorflow backend, compares the
 * fused noise op with the JS reference (referenceNoiseOps: draw, then one tf.add per tensor) entry for entry, eagerly
 * and inside a captured graph (where the op writes in place into its input), and prints one JSON line.
 *
 * With ANNEAL_NOISE_PREFETCH_STALL_MS set (the op library's worker then sleeps that long once it has taken a draw, as
 * a worker the machine gives no CPU would), it checks instead that a call never waits for such a draw: it draws
 * itself, the same values, in much less than the stall.
 */
import * as tf from '@tensorflow/tfjs-core';
import { captureGraph } from '@anneal/core';
import { FUSED_PREFETCH_MIN_SIZE, prefetchingNoiseOps, referenceNoiseOps, tensorflowLaneNoise, tensorflowLaneNoiseStatus } from '@anneal/plugins-standard';
import { selectBackend } from '@anneal/registry';

interface CaseResult {
  readonly name: string;
  readonly n: number;
  readonly mismatches: number;
}

function mismatches(want: Record<string, tf.Tensor>, got: Record<string, tf.Tensor>): number {
  let bad = 0;
  for (const key of Object.keys(want)) {
    const w = want[key].dataSync();
    const g = got[key].dataSync();
    if (w.length !== g.length) return Number.POSITIVE_INFINITY;
    for (let i = 0; i < w.length; i++) if (!Object.is(w[i], g[i])) bad++;
  }
  return bad;
}

await selectBackend('tensorflow');
const kernel = tensorflowLaneNoise();
if (!kernel) {
  process.stdout.write(`${JSON.stringify({ error: tensorflowLaneNoiseStatus() })}\n`);
  process.exit(0);
}

// Shapes: the MLP's 21 tensors (84,760 values: 6 chunks, drawn by the calling thread alone), three chunks (two units,
// one a lone chunk), 600k values (10 chunks of 16,384 groups, the last one short, shared with a helper thread), a
// PTB-sized draw (1.08 M groups, 33 chunks of 32,768, with base-strip tails; shared, the last unit a lone chunk), and
// odd sizes with empty and one-value tensors.
const mlp: number[][] = [[784, 50], [50], ...Array.from({ length: 18 }, () => [50, 50]), [50, 10], [10]];
const CASES: { name: string; shapes: number[][]; std: number; key: number }[] = [
  { name: 'mlp', shapes: mlp, std: 0.05, key: 11 },
  { name: 'three chunks', shapes: [[200, 150], [99, 100], [7]], std: 0.7, key: 12 },
  { name: 'ten chunks', shapes: [[600, 1000]], std: 0.3, key: 15 },
  { name: 'ptb-sized', shapes: [[10000, 200], [200, 800], [800], [200, 800], [800], [200, 10000], [10000], [3]], std: 1.3, key: 13 },
  { name: 'odd sizes', shapes: [[0], [1], [5, 3], [0, 4], [17], [2]], std: 2.5, key: 14 },
];

const results: CaseResult[] = [];
const SCALE = tf.scalar(0.37); // a clip coefficient c
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `count` prefetched draws are done (the op takes a draw only once its worker has started it). */
async function untilReady(count: number): Promise<boolean> {
  const deadline = Date.now() + 30_000;
  while (kernel!.prefetchesReady < count) {
    if (Date.now() > deadline) return false;
    await sleep(2);
  }
  return true;
}

const STALL_MS = Number(process.env.ANNEAL_NOISE_PREFETCH_STALL_MS ?? 0);
if (STALL_MS > 0) {
  // 1. The worker has taken the draw and stalls: the call waits ≈ 1 ms at most, then draws itself (a worker that had
  //    not taken it yet would be told so, with the same outcome). 2. A draw queued behind it, not started: the call
  //    takes it back at once. 3. Once the worker is free again, a prefetched draw is taken as usual.
  const n = 100_000;
  const grads = { p: tf.randomNormal([n], 0, 1, 'float32', 9) };
  const check = async (label: string, key: number, prefetch: boolean, wantUsed: number, wantMissed: number, settle: () => Promise<unknown>) => {
    const used = kernel.prefetchesUsed;
    const missed = kernel.prefetchesMissed;
    if (prefetch) kernel.prefetch(n, key, 0.2);
    await settle();
    const start = performance.now();
    const got = kernel.add(grads, kernel.seeds(n, key, 0.2));
    const ms = performance.now() - start;
    const want = referenceNoiseOps.addNoise(grads, referenceNoiseOps.gaussianNoise(n, key, 0.2));
    const took = kernel.prefetchesUsed - used;
    const drewItself = kernel.prefetchesMissed - missed;
    results.push({ name: `stalled worker, ${label}: values`, n, mismatches: mismatches(want, got) });
    const fast = wantMissed === 0 || ms < STALL_MS / 3;
    results.push({ name: `stalled worker, ${label}: taken ${took} (want ${wantUsed}), drawn by the call ${drewItself} (want ${wantMissed}), ${ms.toFixed(1)} ms (stall ${STALL_MS} ms)`, n, mismatches: took === wantUsed && drewItself === wantMissed && fast ? 0 : 1 });
    tf.dispose([...Object.values(want), ...Object.values(got)]);
  };
  await check('draw taken by the worker', 501, true, 0, 1, () => sleep(Math.min(50, STALL_MS / 4)));
  await check('draw queued behind it', 502, true, 0, 1, async () => undefined);
  await sleep(2.5 * STALL_MS); // the worker finishes both draws (its slots are freed: nobody waits for them)
  await check('after the stall', 503, true, 1, 0, () => untilReady(1));
  tf.dispose(grads.p);
  process.stdout.write(`${JSON.stringify({ kernel: kernel.kernel, results })}\n`);
  process.exit(0);
}

for (const c of CASES) {
  const grads = Object.fromEntries(c.shapes.map((shape, i) => [`p${i}`, tf.randomNormal(shape, 0, 1, 'float32', 100 + i)]));
  const n = c.shapes.reduce((sum, s) => sum + s.reduce((a, b) => a * b, 1), 0);
  const want = referenceNoiseOps.addNoise(grads, referenceNoiseOps.gaussianNoise(n, c.key, c.std));
  const got = kernel.add(grads, kernel.seeds(n, c.key, c.std));
  results.push({ name: `${c.name} (eager)`, n, mismatches: mismatches(want, got) });
  tf.dispose(Object.values(got));
  // With a scale (a global-norm clip's c left to the op): f32(f32(g · c) + ε), as tf.mul then the reference.
  const wantScaled = (key: number) => {
    const scaled = Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.mul(g, SCALE)]));
    const w = referenceNoiseOps.addNoise(scaled, referenceNoiseOps.gaussianNoise(n, key, c.std));
    tf.dispose(Object.values(scaled));
    return w;
  };
  const wantC = wantScaled(c.key);
  const gotC = kernel.add(grads, kernel.seeds(n, c.key, c.std), SCALE);
  results.push({ name: `${c.name} (eager, scaled)`, n, mismatches: mismatches(wantC, gotC) });
  tf.dispose([...Object.values(gotC)]);

  // In a graph the op's inputs are intermediates (here g · 1), so TensorFlow lets it write into them.
  const keys = Object.keys(grads);
  const seeds = tf.tensor1d(kernel.seeds(n, c.key, c.std), 'int32');
  const one = tf.scalar(1);
  const capture = captureGraph((inputs) => {
    const scaled = Object.fromEntries(keys.map((k, i) => [k, tf.mul(inputs[i], 1)]));
    const noisy = kernel.add(scaled, inputs[keys.length], inputs[keys.length + 1] as tf.Scalar);
    return keys.map((k) => noisy[k]);
  }, [...keys.map((k) => grads[k]), seeds, one]);
  tf.dispose(capture.outputs);
  const replayWith = (key: number, scale: tf.Scalar = one) => {
    const s = tf.tensor1d(kernel.seeds(n, key, c.std), 'int32');
    const out = capture.graph.run([...keys.map((k) => grads[k]), s, scale]);
    s.dispose();
    return Object.fromEntries(keys.map((k, i) => [k, out[i]]));
  };
  const replayed = replayWith(c.key);
  results.push({ name: `${c.name} (graph)`, n, mismatches: mismatches(want, replayed) });
  tf.dispose(Object.values(replayed));
  const replayedC = replayWith(c.key, SCALE);
  results.push({ name: `${c.name} (graph, scaled)`, n, mismatches: mismatches(wantC, replayedC) });
  tf.dispose([...Object.values(replayedC), ...Object.values(wantC)]);

  // Prefetched by the library's own thread, then taken by the op (eagerly, then in the graph, whose host part asks
  // for step t + 1 before the graph uses step t's draw: both slots); and a stale prefetch the op must not take.
  if (n > 0) {
    const wantFor = (key: number) => referenceNoiseOps.addNoise(grads, referenceNoiseOps.gaussianNoise(n, key, c.std));
    const before = kernel.prefetchesUsed;
    kernel.prefetch(n, c.key + 1000, c.std);
    kernel.prefetch(n, c.key + 2000, c.std);
    const bothDrawn = await untilReady(2); // a call does not wait for a draw its worker has not started
    const eager = kernel.add(grads, kernel.seeds(n, c.key + 1000, c.std));
    const graph = replayWith(c.key + 2000, SCALE);
    kernel.prefetch(n, c.key + 3000, c.std);
    const stale = kernel.add(grads, kernel.seeds(n, c.key + 4000, c.std));
    const took = kernel.prefetchesUsed - before;
    await untilReady(1); // the stale draw, left in its slot (the next case's prefetch replaces it)
    for (const [label, key, got] of [['prefetched, eager', 1000, eager], ['prefetched, graph, scaled', 2000, graph], ['after a stale prefetch', 4000, stale]] as const) {
      const w = key === 2000 ? wantScaled(c.key + key) : wantFor(c.key + key);
      results.push({ name: `${c.name} (${label})`, n, mismatches: mismatches(w, got) });
      tf.dispose([...Object.values(w), ...Object.values(got)]);
    }
    results.push({ name: `${c.name} (prefetched draws taken: ${took} of 2${bothDrawn ? '' : ', not both drawn within 30 s'})`, n, mismatches: took === 2 ? 0 : 1 });
  }
  capture.graph.dispose();
  tf.dispose([seeds, one, ...Object.values(want), ...Object.values(grads)]);
}
// The plugins' ops hand a draw to the op's thread only from FUSED_PREFETCH_MIN_SIZE values on (a smaller one is
// drawn faster than it is handed over); ANNEAL_NOISE_PREFETCH=1 says a core is idle, whatever the threads.
process.env.ANNEAL_NOISE_PREFETCH = '1';
for (const [n, wanted] of [[FUSED_PREFETCH_MIN_SIZE - 1, 0], [FUSED_PREFETCH_MIN_SIZE, 1]] as const) {
  const grads = { p: tf.randomNormal([n], 0, 1, 'float32', 7) };
  const before = kernel.prefetchesUsed;
  const ready = kernel.prefetchesReady;
  prefetchingNoiseOps.prefetch!(n, 77, 0.1);
  if (wanted > 0) await untilReady(ready + 1);
  tf.dispose([grads.p, ...Object.values(kernel.add(grads, kernel.seeds(n, 77, 0.1)))]);
  const took = kernel.prefetchesUsed - before;
  results.push({ name: `prefetchingNoiseOps, ${n} values (prefetched draws taken: ${took}, want ${wanted})`, n, mismatches: took === wanted ? 0 : 1 });
}
process.stdout.write(`${JSON.stringify({ kernel: kernel.kernel, results })}\n`);
