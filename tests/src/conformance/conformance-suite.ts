import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { activationGradReference, hasFusedActivationGrad, matMulForBackend, prefersFusedMatMul, reluGradFromOutput, sigmoidGradFromOutput, tanhGradFromOutput, transposeModeFor, type CarriedState, type ForwardContext, type LossWithCarry, type Recipe } from '@anneal/core';
import { syntheticBlobsDataset, tinyClassifierFamily } from '@anneal/core/testing';
import { addGradientNoise, fastNoiseOps, referenceNoiseOps, tensorflowLaneNoiseStatus } from '@anneal/plugins-standard';
import { bootAnneal, selectBackend, type PluginCatalog, type RecipeCatalog } from '@anneal/registry';
import { SHARED_DATA } from '../helpers/run-cli.js';
import { launcherIn, tinyRecipe } from '../helpers/test-catalog.js';
import { FAMILY_CASES, type FamilyCase } from './family-cases.js';
import { directionalChecks, gradientSubject, lossAndGradients, readParams, relativeDistance, writeParams } from './family-gradients.js';

/** Tolerances: float32 on another backend sums in another order; ‖Δg‖/‖g‖ per parameter tensor. */
const CROSS_BACKEND_REL = 2e-3;
const FD_EPS = 3e-2;
const DATA_DIRS: Record<NonNullable<FamilyCase['data']>, Record<string, string>> = {
  babi: { 'dataset.config.dataDir': join(SHARED_DATA, 'babi', 'en') },
  ptb: { 'dataset.config.dataDir': join(SHARED_DATA, 'ptb') },
};

/**
 * Registers the conformance suite for one backend: every family's gradients against the cpu backend and
 * against finite differences, each speed path against its plain path (hand-written backward passes, the
 * Neural GPU's conv kernels, the noise ops), the noise variance, resume bit-exactness and a training smoke
 * run — all on `backend`. A backend named in ANNEAL_CONFORMANCE_BACKENDS must start here (CI names all three);
 * any other that does not start is skipped with the reason.
 */
export function conformanceSuite(backend: 'cpu' | 'wasm' | 'tensorflow'): void {
  const required = (process.env.ANNEAL_CONFORMANCE_BACKENDS ?? 'cpu').split(',').map((s) => s.trim());
  let available: string | undefined;
  let catalogs: { plugins: PluginCatalog; recipes: RecipeCatalog };
  const on = async () => {
    await selectBackend(backend);
  };

  test.before(async () => {
    try {
      await selectBackend(backend);
    } catch (error) {
      available = (error as Error).message;
    }
    await tf.setBackend('cpu');
    const booted = await bootAnneal({ env: { ...process.env, MLFLOW_TRACKING_URI: '' }, projectFile: false });
    catalogs = { plugins: booted.plugins, recipes: booted.recipes };
  });

  const onBackend = (title: string, body: (t: import('ava').ExecutionContext) => Promise<void> | void) =>
    test.serial(`[${backend}] ${title}`, async (t) => {
      if (available !== undefined) {
        if (required.includes(backend)) t.fail(`backend ${backend} is required here (ANNEAL_CONFORMANCE_BACKENDS) but does not start: ${available}`);
        else t.pass(`skipped: ${available.split('\n')[0]}`);
        return;
      }
      await body(t);
    });

  onBackend('the backend under test is the one running', async (t) => {
    await on();
    t.is(tf.getBackend(), backend);
  });

  for (const c of FAMILY_CASES) {
    onBackend(`${c.label}: gradients equal the cpu backend's and central finite differences`, async (t) => {
      if (c.data && !existsSync(Object.values(DATA_DIRS[c.data])[0])) {
        t.pass(`skipped: no ${c.data} data in ${SHARED_DATA}`);
        return;
      }
      const cs: FamilyCase = { ...c, sets: { ...c.sets, ...(c.data ? DATA_DIRS[c.data] : {}) } };
      const lacking = (c.needsKernels ?? []).filter((k) => tf.getKernel(k, backend) === undefined);
      if (lacking.length > 0) {
        // It cannot train here: the family must refuse at start, naming the key, not fail mid-step.
        await on();
        const error = await t.throwsAsync(gradientSubject(catalogs.plugins, catalogs.recipes, cs, backend));
        t.regex(error?.message ?? '', new RegExp(`ANNEAL_ERR_CONFIG_VALUE: .*'${lacking.join('|')}'|ANNEAL_ERR_CONFIG_VALUE: .*cannot train on backend '${backend}'`));
        await tf.setBackend('cpu');
        return;
      }
      await tf.setBackend('cpu');
      const subject = await gradientSubject(catalogs.plugins, catalogs.recipes, cs, backend);
      const params = readParams(subject.model);
      const onCpu = lossAndGradients(subject);
      await on();
      writeParams(subject.model, params);
      const before = tf.memory().numTensors;
      const here = lossAndGradients(subject);
      t.is(tf.memory().numTensors, before, 'no tensor leaks from a loss + gradient pass');
      t.true(Math.abs(here.loss - onCpu.loss) <= 1e-4 * Math.max(1, Math.abs(onCpu.loss)), `loss ${here.loss} vs cpu ${onCpu.loss}`);
      for (const name of Object.keys(onCpu.grads)) {
        const d = relativeDistance(here.grads[name], onCpu.grads[name]);
        t.true(d <= CROSS_BACKEND_REL, `${name}: ‖g_${backend} − g_cpu‖/‖g_cpu‖ = ${d.toExponential(2)}`);
      }
      const checks = directionalChecks(subject, here.grads, c.fdEps ?? FD_EPS, c.fdExclude);
      // What float32 can resolve: a few units in the last place of the loss, over the 2ε of the difference.
      const eps = c.fdEps ?? FD_EPS;
      const rounding = (8 * Math.abs(here.loss) * 2 ** -23) / (2 * eps);
      for (const [name, norm, fd] of checks) t.true(Math.abs(fd - norm) <= 2e-2 * norm + rounding, `${name}: ‖g‖ ${norm} vs numeric directional derivative ${fd} (rounding ${rounding.toExponential(1)})`);
      t.true(checks.length >= Object.keys(here.grads).length / 2, `${checks.length} tensors checked by finite differences`);
      await tf.setBackend('cpu');
      subject.dispose();
    });
  }

  const pairs: [string, string][] = [
    ['mlp manual backward', 'mlp autodiff'],
    ['memn2n manual backward', 'memn2n autodiff'],
    ['neural-gpu shift conv', 'neural-gpu conv2d'],
    ['lstm-lm', 'lstm-lm step-by-step'],
  ];
  for (const [fastLabel, plainLabel] of pairs) {
    onBackend(`speed path '${fastLabel}' gives the loss and gradients of its plain path '${plainLabel}'`, async (t) => {
      const [fast, plain] = [fastLabel, plainLabel].map((l) => FAMILY_CASES.find((c) => c.label === l)!);
      const lacking = (plain.needsKernels ?? []).filter((k) => tf.getKernel(k, backend) === undefined);
      if (lacking.length > 0) {
        t.pass(`not run: backend ${backend} has no ${lacking.join(', ')} kernel`);
        return;
      }
      if (fast.data && !existsSync(Object.values(DATA_DIRS[fast.data])[0])) {
        t.pass(`skipped: no ${fast.data} data`);
        return;
      }
      await on();
      const build = (c: FamilyCase) => gradientSubject(catalogs.plugins, catalogs.recipes, { ...c, sets: { ...c.sets, ...(c.data ? DATA_DIRS[c.data] : {}) } }, backend);
      const a = await build(fast);
      const b = await build(plain);
      writeParams(b.model, readParams(a.model));
      const ga = lossAndGradients(a);
      const gb = lossAndGradients(b);
      t.true(Math.abs(ga.loss - gb.loss) <= 1e-5 * Math.max(1, Math.abs(gb.loss)), `loss ${ga.loss} vs ${gb.loss}`);
      for (const name of Object.keys(gb.grads)) {
        const d = relativeDistance(ga.grads[name], gb.grads[name]);
        t.true(d <= 1e-4, `${name}: ${d.toExponential(2)}`);
      }
      a.dispose();
      b.dispose();
    });
  }

  onBackend("lstm-lm: the fused cell and the step-by-step loop carry the same state into the next window, and give the same loss and gradients from it", async (t) => {
    const [fast, plain] = ['lstm-lm', 'lstm-lm step-by-step'].map((l) => FAMILY_CASES.find((c) => c.label === l)!);
    if (!existsSync(Object.values(DATA_DIRS.ptb)[0])) {
      t.log('skipped: PTB not found');
      t.pass();
      return;
    }
    await on();
    const build = (c: FamilyCase) => gradientSubject(catalogs.plugins, catalogs.recipes, { ...c, sets: { ...c.sets, ...DATA_DIRS.ptb } }, backend);
    const a = await build(fast);
    const b = await build(plain);
    writeParams(b.model, readParams(a.model));
    const ctx = (carry: CarriedState | undefined): ForwardContext => ({ training: true, step: 0, phase: 'main', phaseOptions: {}, curriculum: {}, carry, site: (_n, x) => x });
    const windowFrom = (s: typeof a, carry: CarriedState | undefined) => s.model.loss(s.batch, ctx(carry)) as LossWithCarry;
    const carried = [a, b].map((s) => tf.tidy(() => Object.fromEntries(Object.entries(windowFrom(s, s.model.initialCarry!()).carry).map(([k, v]) => [k, tf.keep(v)]))));
    for (const k of Object.keys(carried[1])) {
      t.true(relativeDistance(carried[0][k].dataSync() as Float32Array, carried[1][k].dataSync() as Float32Array) < 1e-5, `carried ${k}`);
      t.true(tf.max(tf.abs(carried[1][k])).dataSync()[0] > 1e-3, `carried ${k} is not zero`);
    }
    const second = [a, b].map((s, i) => {
      const vars = Object.values(s.model.params);
      return tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => windowFrom(s, carried[i]).loss, vars);
        return { loss: value.dataSync()[0], grads: vars.map((v) => grads[v.name].dataSync() as Float32Array) };
      });
    });
    t.true(Math.abs(second[0].loss - second[1].loss) <= 1e-5 * Math.abs(second[1].loss), `loss ${second[0].loss} vs ${second[1].loss}`);
    second[1].grads.forEach((g, i) => t.true(relativeDistance(second[0].grads[i], g) <= 1e-4, `gradient ${i}`));
    tf.dispose(carried as unknown as tf.TensorContainer);
    a.dispose();
    b.dispose();
  });

  onBackend(`matMulForBackend (${'explicit transposes on wasm, flags elsewhere'}): the value and gradients of tf.matMul, rank 2 and 3`, async (t) => {
    await on();
    for (const [sa, sb] of [[[7, 5], [5, 3]], [[4, 6, 5], [4, 5, 2]]] as const) {
      tf.tidy(() => {
        const a = tf.randomNormal([...sa], 0, 1, 'float32', 1);
        const b = tf.randomNormal([...sb], 0, 1, 'float32', 2);
        const w = tf.randomNormal([...sa.slice(0, -1), sb[sb.length - 1]], 0, 1, 'float32', 3);
        const loss = (f: (x: tf.Tensor, y: tf.Tensor) => tf.Tensor) => (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(f(x, y), w));
        const ours = tf.grads(loss((x, y) => matMulForBackend(x as tf.Tensor2D, y as tf.Tensor2D)))([a, b]);
        const plain = tf.grads(loss((x, y) => tf.matMul(x, y)))([a, b]);
        t.deepEqual(matMulForBackend(a as tf.Tensor2D, b as tf.Tensor2D).shape, tf.matMul(a, b).shape);
        for (let i = 0; i < 2; i++) t.true(relativeDistance(ours[i].dataSync() as Float32Array, plain[i].dataSync() as Float32Array) < 1e-6, `gradient ${i} for shapes ${sa} · ${sb}`);
      });
    }
    t.is(transposeModeFor(backend), backend === 'wasm' ? 'explicit' : 'flags');
  });

  onBackend('activation gradients: the backend-chosen forms (one kernel on tensorflow) equal the reference formulas, and tfjs autodiff uses them', async (t) => {
    await on();
    tf.tidy(() => {
      const z = tf.randomNormal([64, 33], 0, 2, 'float32', 11);
      const dy = tf.randomNormal([64, 33], 0, 1, 'float32', 12);
      const cases = [
        ['relu', tf.relu(z), reluGradFromOutput, activationGradReference.relu, (x: tf.Tensor) => tf.relu(x)],
        ['sigmoid', tf.sigmoid(z), sigmoidGradFromOutput, activationGradReference.sigmoid, (x: tf.Tensor) => tf.sigmoid(x)],
        ['tanh', tf.tanh(z), tanhGradFromOutput, activationGradReference.tanh, (x: tf.Tensor) => tf.tanh(x)],
      ] as const;
      for (const [name, y, fast, reference, f] of cases) {
        const want = reference(dy, y).dataSync() as Float32Array;
        t.true(relativeDistance(fast(dy, y).dataSync() as Float32Array, want) < 1e-6, `${name}: fast vs reference`);
        const viaAutodiff = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(f(x), dy)))(z);
        t.true(relativeDistance(viaAutodiff.dataSync() as Float32Array, want) < 1e-6, `${name}: tf.grad vs reference`);
        t.is(hasFusedActivationGrad(name), backend === 'tensorflow', `${name}: one fused kernel exactly on tensorflow`);
      }
    });
    t.is(prefersFusedMatMul(backend), backend !== 'tensorflow');
  });

  onBackend('tf.gather (on tensorflow anneal\'s GatherV2 kernel, without the host read): values, gradient, and an index out of range fails', async (t) => {
    await on();
    tf.tidy(() => {
      const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
      const ids = tf.tensor1d([2, 0, 2], 'int32');
      t.deepEqual(Array.from(tf.gather(x, ids).dataSync()), [5, 6, 1, 2, 5, 6]);
      t.deepEqual(Array.from(tf.gather(x, tf.tensor1d([1], 'int32'), 1).dataSync()), [2, 4, 6]);
      if (backend !== 'wasm') {
        // wasm has no UnsortedSegmentSum kernel, so no gradient of gather (models there look up by one-hot matmuls)
        const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.gather(v, ids), tf.tensor2d([[1, 1], [2, 2], [3, 3]]))))(x);
        t.deepEqual(Array.from(g.dataSync()), [2, 2, 0, 0, 4, 4]);
      }
    });
    if (backend !== 'wasm') {
      // wasm's kernel does not check its indices; cpu's does, and TensorFlow's own op does on tensorflow.
      t.throws(() => tf.tidy(() => tf.gather(tf.tensor1d([1, 2, 3]), tf.tensor1d([5], 'int32')).dataSync()), { message: /5/ });
    }
  });

  onBackend('noise ops: the fast path equals the reference bit for bit, and adds to tensors of this backend', async (t) => {
    await on();
    const grads = { w: tf.randomNormal([300, 70], 0, 1, 'float32', 5), b: tf.zeros([70]) };
    const noise = referenceNoiseOps.gaussianNoise(300 * 70 + 70, 42, 0.1);
    t.deepEqual(Float32Array.from(fastNoiseOps.gaussianNoise(noise.length, 42, 0.1)), noise);
    tf.tidy(() => {
      const f = fastNoiseOps.addNoise(grads, noise);
      const r = referenceNoiseOps.addNoise(grads, noise);
      t.deepEqual(f.w.dataSync(), r.w.dataSync());
      t.deepEqual(f.b.dataSync(), noise.subarray(300 * 70));
    });
    tf.dispose(grads);
  });

  onBackend('fused noise op (tensorflow): g + ε equals the reference bit for bit, eager and in a graph, prefetched or not, with each kernel the CPU runs; a call never waits for a stalled prefetch', async (t) => {
    await on();
    if (backend !== 'tensorflow') {
      t.is(fastNoiseOps.fused?.(), undefined, `only tensorflow has a fused noise op, not ${backend}`);
      return;
    }
    if (!fastNoiseOps.fused?.()) {
      const why = tensorflowLaneNoiseStatus();
      if (required.includes('tensorflow')) t.fail(`the fused noise op must load where tensorflow is required (anneal backend install tensorflow builds it): ${why}`);
      else t.pass(`skipped: ${why}`);
      return;
    }
    const script = join(dirname(fileURLToPath(import.meta.url)), 'fused-noise-check.js');
    const flags = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
    const has = (flag: string) => new RegExp(`\\b${flag}\\b`).test(flags);
    const widest = ['avx512f', 'avx512vl', 'avx512dq', 'avx512bw'].every(has) ? 'avx512' : has('avx2') ? 'avx2' : 'plain';
    // Each kernel the CPU runs: the one the library picks by default (AVX-512, else the faster of the two AVX2 kernels as
    // measured when it loads), then every other one forced.
    const kernels = widest === 'plain' ? [undefined] : [undefined, 'avx2', 'avx2-loads', 'plain'];
    const byDefault = widest === 'avx2' ? ['avx2', 'avx2-loads'] : [widest];
    for (const forced of kernels) {
      const env = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', ANNEAL_NOISE_KERNEL: forced ?? '' };
      const r = spawnSync(process.execPath, [script], { env, encoding: 'utf8', timeout: 240_000 });
      t.is(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { kernel?: string; error?: string; results?: { name: string; n: number; mismatches: number }[] };
      t.is(out.error, undefined);
      if (forced) t.is(out.kernel, forced);
      else t.true(byDefault.includes(out.kernel ?? ''), `the default kernel is ${out.kernel}, not one of ${byDefault.join(', ')}`);
      t.is(out.results?.length, 42); // 5 shapes × 8 checks, and the two prefetch sizes
      for (const c of out.results ?? []) t.is(c.mismatches, 0, `${out.kernel} kernel, ${c.name}: ${c.mismatches} of ${c.n} entries differ from the reference`);
    }
    // A call never waits for a prefetched draw whose worker stalls (as on a machine with no CPU free for it).
    const stalled = spawnSync(process.execPath, [script], { env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', ANNEAL_NOISE_PREFETCH_STALL_MS: '300' }, encoding: 'utf8', timeout: 120_000 });
    t.is(stalled.status, 0, stalled.stderr);
    const stallOut = JSON.parse(stalled.stdout.trim().split('\n').pop()!) as { results?: { name: string; n: number; mismatches: number }[] };
    t.is(stallOut.results?.length, 6); // 3 calls × (values, what drew them and how long it took)
    for (const c of stallOut.results ?? []) t.is(c.mismatches, 0, c.name);
    // The kernel is offered only while tensorflow is the backend (this suite switches to cpu for its references).
    await tf.setBackend('cpu');
    t.is(fastNoiseOps.fused?.(), undefined);
    t.regex(tensorflowLaneNoiseStatus(), /the backend is 'cpu'/);
    await on();
    t.truthy(fastNoiseOps.fused?.());
    t.regex(tensorflowLaneNoiseStatus(), /^in use: (avx512|avx2|avx2-loads|plain) kernel/);
  });

  onBackend('annealed noise at step t = 9, η = 0.01, γ = 0.55: variance 0.01 / 10^0.55 = 2.8184e-3 (240k entries, 5 SE)', async (t) => {
    await on();
    const noise = addGradientNoise({ eta: 0.01, gamma: 0.55 });
    const zeros = { a: tf.zeros([400, 500]), b: tf.zeros([40000]) };
    const out = noise.update(zeros, noise.init({ seed: 7, params: {} }), { step: 9, epoch: 0, phase: 'main', learningRate: 0.1, params: {} });
    const values = new Float64Array([...out.grads.a.dataSync(), ...out.grads.b.dataSync()]);
    let sum = 0;
    let sq = 0;
    for (const v of values) {
      sum += v;
      sq += v * v;
    }
    const n = values.length;
    const expected = 0.01 / Math.pow(10, 0.55);
    t.true(Math.abs(expected - 2.8184e-3) < 1e-7, 'hand-computed: 10^0.55 = 3.5481');
    t.true(Math.abs(sum / n) < 5 * Math.sqrt(expected / n), `mean ${sum / n}`);
    t.true(Math.abs(sq / n / expected - 1) < 5 * Math.sqrt(2 / n), `variance ${sq / n}`);
    tf.dispose([zeros, out.grads] as unknown as tf.TensorContainer);
  });

  onBackend('a run stopped mid-way and resumed ends with bit-identical weights on this backend', async (t) => {
    await on();
    const home = mkdtempSync(join(tmpdir(), `anneal-conformance-${backend}-`));
    t.teardown(() => rmSync(home, { recursive: true, force: true }));
    const recipe: Recipe = tinyRecipe({
      name: `conformance-resume-${backend}`,
      optimizer: { name: 'momentum', config: { learningRate: 0.05, momentum: 0.9 } },
      plugins: [
        { plugin: 'dropout', config: { rate: 0.3, sites: ['hidden/*'] } },
        { plugin: 'clip-global-norm', config: { maxNorm: 2 } },
        { plugin: 'annealed-gaussian', config: { eta: 0.01 } },
      ],
      training: { batchSize: 16, epochs: 3 },
    });
    const quiet = { backend, log: () => undefined, tty: false, progressStream: { write: () => true } as unknown as NodeJS.WriteStream };
    const { launcher, store } = launcherIn(home, [tinyClassifierFamily, syntheticBlobsDataset]);
    const full = await launcher.launch(recipe, quiet);
    const stopped = await launcher.launch(recipe, { ...quiet, stopAfterSteps: 6 });
    const resumed = await launcher.resume(stopped.outcomes[0].runId, quiet, store);
    t.is(resumed.status, 'FINISHED');
    const weights = (id: string) => readFileSync(join(store.artifactsDir(id), 'model', 'weights.bin'));
    t.true(weights(full.outcomes[0].runId).equals(weights(stopped.outcomes[0].runId)), 'final weights are bit-identical');
    t.is(store.readMeta(full.outcomes[0].runId).backend, backend);
  });

  onBackend('training smoke run: mlp-smoke learns (test error well under chance) and records this backend', async (t) => {
    await on();
    const home = mkdtempSync(join(tmpdir(), `anneal-smoke-${backend}-`));
    t.teardown(() => rmSync(home, { recursive: true, force: true }));
    const { launcher, store } = launcherIn(home, []);
    const recipe = catalogs.recipes.get('mlp-smoke');
    const quiet = { backend, log: () => undefined, tty: false, progressStream: { write: () => true } as unknown as NodeJS.WriteStream };
    const result = await launcher.launch({ ...recipe, variants: recipe.variants?.slice(0, 1) }, quiet);
    const outcome = result.outcomes[0];
    t.is(outcome.status, 'FINISHED');
    const error = outcome.final['test/error'];
    t.true(error < 0.5, `test error ${error} (chance 0.9)`);
    t.is(store.readMeta(outcome.runId).backend, backend);
  });
}
