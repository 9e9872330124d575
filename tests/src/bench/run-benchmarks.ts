import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { bootAnneal, buildPlan, selectBackend } from '@anneal/registry';
import { REPO_ROOT } from '../helpers/run-cli.js';
import { ratioLine, ratioValueLine } from './measure.js';
import { benchMlpStep } from './mlp-step-bench.js';
import { benchGraphStep } from './graph-step-bench.js';
import { benchMemn2nStep } from './memn2n-step-bench.js';
import { benchNpStep } from './np-step-bench.js';
import { benchPtbStep } from './ptb-step-bench.js';
import { benchNramStep } from './nram-step-bench.js';
import { benchNgpuStep } from './ngpu-step-bench.js';
import { benchTrackerStep } from './tracker-bench.js';
import { benchSweepThroughput } from './sweep-bench.js';
import { benchGradientPaths } from './gradient-path-report.js';
import { benchQueueOverhead } from './queue-bench.js';
import { benchPeers, formatTargets } from './peers/peer-bench.js';
import { PEER_MODELS } from './peers/peer-models.js';
import { withoutNoise } from './peers/update-check.js';
import { formatStepProfile, profileTrainerSteps, type StepProfile } from './step-profile.js';

/**
 * `npm run bench`: speed targets as ratios against a baseline measured in the same process on the
 * same backend. Absolute times vary between machines; ratios are what we hold ourselves to.
 */
async function main(): Promise<void> {
  if (process.argv.includes('--peers')) return peersMain();
  if (process.argv.includes('--profile')) return profileMain();
  if (process.argv.includes('--graph')) return graphMain();
  const backend = await selectBackend(process.env.ANNEAL_BACKEND ?? 'auto');
  const booted = await bootAnneal({ env: { ...process.env, MLFLOW_TRACKING_URI: '' } });
  process.stdout.write(`anneal benchmarks — backend: ${backend.name} (tfjs '${tf.getBackend()}'), node ${process.version}\n\n`);
  const results: Record<string, unknown> = { backend: backend.name, node: process.version, date: new Date().toISOString() };

  process.stdout.write('MLP 20×50 ReLU on MNIST, batch 128, ms/step (12 interleaved rounds × 32 timed steps; ratios = median of per-round ratios)\n');
  const mlp = await benchMlpStep(booted.plugins, backend.name);
  results.mlp = mlp;
  process.stdout.write(`  (a) hand-written tfjs loop            ${mlp.handMs.toFixed(2)} ms\n`);
  process.stdout.write(`  (b) trainer, no plugins               ${mlp.trainerMs.toFixed(2)} ms  (grad norms recorded)\n`);
  process.stdout.write(`  (b') trainer, no plugins, no norms    ${mlp.trainerNoNormsMs.toFixed(2)} ms\n`);
  process.stdout.write(`  (c) trainer, clip + annealed noise    ${mlp.clipNoiseMs.toFixed(2)} ms\n`);
  process.stdout.write(`  ${ratioValueLine('(b)/(a) trainer overhead', mlp.ratios.trainerOverHand, { max: 1.03 })}\n`);
  process.stdout.write(`  ${ratioValueLine("(b')/(a) trainer overhead without norms", mlp.ratios.noNormsOverHand, { max: 1.03 })}\n`);
  process.stdout.write(`  ${ratioValueLine('(c)/(b) clip + noise cost', mlp.ratios.clipNoiseOverTrainer, { max: 1.05 })}\n\n`);

  process.stdout.write('Tracking: MLP step (clip + noise) with the MLflow tracker vs the local store only (real mlflow server on 127.0.0.1)\n');
  const tracking = await benchTrackerStep(booted.plugins, backend.name);
  if (tracking) {
    results.tracking = tracking;
    process.stdout.write(`  local store only                      ${tracking.localMs.toFixed(2)} ms\n`);
    process.stdout.write(`  MLflow tracker (spool + delivery)     ${tracking.mlflowMs.toFixed(2)} ms\n`);
    process.stdout.write(`  ${ratioLine('MLflow / local', tracking.mlflowMs, tracking.localMs, { max: 1.02 })}\n\n`);
  }

  process.stdout.write('MemN2N (3 hops, d=20) on bAbI, batch 32, clip 40 + noise, ms/step through the trainer (median)\n');
  const memn2n = { task1: await benchMemn2nStep(booted.plugins, backend.name, 1), task3: await benchMemn2nStep(booted.plugins, backend.name, 3) };
  results.memn2n = memn2n;
  process.stdout.write(`  task 1 (memory ≤ 10 sentences)        ${memn2n.task1.toFixed(2)} ms\n`);
  process.stdout.write(`  task 3 (memory 50 sentences)          ${memn2n.task3.toFixed(2)} ms\n\n`);

  results.gradientPaths = await benchGradientPaths(booted.plugins, backend.name, (l) => process.stdout.write(l));

  process.stdout.write('Neural Programmer (quick config: single column, d=64, 10-30 rows), batch 50, Adam, ms/step (5 interleaved rounds × 24 timed steps)\n');
  const np = await benchNpStep(booted.plugins, backend.name);
  results.neuralProgrammer = np;
  process.stdout.write(`  (a) hand-written tfjs loop (tf.train.adam)  ${np.handMs.toFixed(2)} ms\n`);
  process.stdout.write(`  (b) trainer, adam only                      ${np.trainerMs.toFixed(2)} ms\n`);
  process.stdout.write(`  (c) trainer, clip 5 + noise η=1             ${np.clipNoiseMs.toFixed(2)} ms\n`);
  process.stdout.write(`  ${ratioValueLine('(b)/(a) trainer overhead', np.ratios.trainerOverHand, { max: 1.05 })}\n`);
  process.stdout.write(`  ${ratioValueLine('(c)/(b) clip + noise cost', np.ratios.clipNoiseOverTrainer, { max: 1.05 })}\n\n`);
  process.stdout.write('PTB LSTM LM (2 × 200, 10k softmax), one 20 × 20 window per step, ms/window (5 interleaved rounds × 4 timed steps)\n');
  const ptb = await benchPtbStep(booted.plugins, backend.name);
  results.ptb = ptb ?? 'skipped: PTB not found (ANNEAL_PTB_DIR)';
  if (ptb) {
    process.stdout.write(`  (a) hand-written tfjs loop            ${ptb.handMs.toFixed(0)} ms\n`);
    process.stdout.write(`  (b) trainer, no plugins               ${ptb.trainerMs.toFixed(0)} ms\n`);
    process.stdout.write(`  ${ratioValueLine('(b)/(a) trainer overhead', ptb.ratio, { max: 1.05 })}\n`);
    if (ptb.stepByStep) {
      process.stdout.write(`  (c) trainer, cell 'step-by-step'      ${ptb.stepByStep.trainerMs.toFixed(0)} ms  (the fused blockLstm stays only while (c)/(b) > 1)\n`);
      process.stdout.write(`  ${ratioValueLine('(c)/(b) step-by-step ÷ fused LSTM', ptb.stepByStep.overFused, { min: 1 })}\n`);
    }
    process.stdout.write(`  op profile of one window: ${ptb.profile.totalMs.toFixed(0)} ms kernel time, ${(100 * ptb.profile.softmaxMatMulShare).toFixed(0)} % in the softmax matmuls; ` +
      `top: ${ptb.profile.top.map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}\n\n`);
  } else process.stdout.write('  skipped: PTB not found (set ANNEAL_PTB_DIR)\n\n');
  process.stdout.write('NRAM (quick config: M 8, T 5, R 3, LSTM 20) on ListK, batch 50, Adam, ms/step (4 interleaved rounds)\n');
  const nram = await benchNramStep(booted.plugins, backend.name);
  results.nram = nram;
  process.stdout.write(`  (a) hand-written tfjs loop            ${nram.handMs.toFixed(2)} ms\n`);
  process.stdout.write(`  (b) trainer                           ${nram.trainerMs.toFixed(2)} ms\n`);
  process.stdout.write(`  ${ratioValueLine('(b)/(a) trainer overhead', nram.ratio, { max: 1.05 })}\n\n`);

  process.stdout.write('Neural GPU (quick config: badd, m 8, 2 CGRUs/step, length 9 in a width-12 bin), batch 8, Adam, ms/step (4 interleaved rounds)\n');
  const ngpu = await benchNgpuStep(booted.plugins, backend.name);
  results.neuralGpu = ngpu;
  process.stdout.write(`  (a) hand-written tfjs loop            ${ngpu.handMs.toFixed(2)} ms\n`);
  process.stdout.write(`  (b) trainer                           ${ngpu.trainerMs.toFixed(2)} ms\n`);
  process.stdout.write(`  ${ratioValueLine('(b)/(a) trainer overhead', ngpu.ratio, { max: 1.05 })}\n`);
  process.stdout.write(`  op profile of one step: ${ngpu.profile.totalMs.toFixed(0)} ms kernel time; top: ${ngpu.profile.top.map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}\n`);
  process.stdout.write(
    `  conv kernels registered on ${tf.getBackend()}: ${Object.entries(ngpu.profile.convKernels).map(([k, v]) => `${k} ${v ? 'yes' : 'NO'}`).join(', ')}; ` +
      `Conv2D* time in the step ${ngpu.profile.conv2dMsInStep.toFixed(0)} ms (the model's 'shift' convolutions are row shifts + matMuls)\n\n`,
  );

  process.stdout.write('Sweep throughput: trials/minute on a tiny recipe, 1 vs 2 worker processes\n');
  const sweep = await benchSweepThroughput({ log: (l) => process.stdout.write(`  ${l}\n`) });
  results.sweep = sweep;
  process.stdout.write(`  ${ratioLine('sweep: 2 workers / 1 worker (trials/min)', sweep.twoWorkers, sweep.oneWorker, { min: 1.8 })}\n\n`);

  process.stdout.write('Queued sweep (BullMQ on Redis): enqueue → start latency and 2 queue workers vs the 2-process pool\n');
  const queue = await benchQueueOverhead({ log: (l) => process.stdout.write(`  ${l}\n`) });
  results.queue = queue;
  process.stdout.write(`  enqueue → start (median)              ${queue.enqueueToStartMs} ms\n`);
  process.stdout.write(`  ${ratioLine('queue / pool (trials/min)', queue.queueRate, queue.poolRate, { min: 0.95 })}\n\n`);

  const dir = join(REPO_ROOT, 'bench-results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'bench.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`results written to ${join(dir, 'bench.json')}\n`);
}

/** The value of `--name=value` or `--name value` on the command line. */
function option(name: string): string | undefined {
  const args = process.argv.slice(2);
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  return args[i].includes('=') ? args[i].slice(args[i].indexOf('=') + 1) : args[i + 1];
}

/**
 * `npm run bench -- --graph` (tensorflow backend): the trainer's MLP step against the same step captured once as a
 * TensorFlow graph and run as one session call (core/src/ops/graph-capture): what whole-step graph execution would
 * give the trainer. The peers' MLP step is in `--peers`.
 */
async function graphMain(): Promise<void> {
  const backend = await selectBackend(process.env.ANNEAL_BACKEND ?? 'tensorflow');
  if (backend.name !== 'tensorflow') throw new Error(`--graph needs the tensorflow backend (got '${backend.name}'); build it with \`anneal backend install tensorflow\``);
  const booted = await bootAnneal({ env: { ...process.env, MLFLOW_TRACKING_URI: '' } });
  const log = (l: string) => process.stdout.write(`${l}\n`);
  log(`MLP 20×50, batch 128, clip 10 + annealed noise, SGD, ms/step on tensorflow — node ${process.version}, load average ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
  const r = await benchGraphStep(booted.plugins, backend.name);
  log(`  (a) trainer (eager tfjs ops)            ${r.trainerMs.toFixed(2)} ms`);
  log(`  (b) the trainer, training.graphStep on  ${r.trainerGraphMs.toFixed(2)} ms  (the plugins' graph forms, one session call per step)`);
  log(`  (c) a hand-written captured-graph loop  ${r.graphMs.toFixed(2)} ms  (${r.opCount} TensorFlow ops in one session call)`);
  const p = r.phases;
  log(`      (c) of which: batch ${p.batch.toFixed(2)}, noise draw + upload ${p.noise.toFixed(2)}, session call ${p.session.toFixed(2)}, swap + reads ${p.rest.toFixed(2)} ms (medians)`);
  log(`  ${ratioValueLine('(b)/(a) trainer graph step / eager', r.trainerGraphRatio)}`);
  log(`  ${ratioValueLine('(c)/(a) hand-written graph loop / eager', r.ratio)}`);
  log(`load average at the end: ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
}

/**
 * `npm run bench -- --peers [--models mlp,memn2n,ptb,ngpu,nram,np] [--rounds 5] [--backends cpu,wasm,tensorflow,tensorflow+graph,tensorflow+graph+xla] [--peer-list pytorch,jax,keras] [--peer-threads N] [--check] [--noise-share]`:
 * anneal against PyTorch, JAX + optax and TensorFlow/Keras (tests/src/bench/peers, tests/peers). `--check`: only the
 * correctness check (loss and gradient norms at anneal's initial weights, peer-check.ts; the parameters after one
 * noise-free step, update-check.ts), no timed rounds. Exit 1 on a mismatch, and with --check also when a contestant
 * of a checked model failed its setup or reported no check. `--noise-share`: every contestant also runs without its noise
 * (a twin process, same rounds), and each one's noise share of the step is printed.
 */
async function peersMain(): Promise<void> {
  const list = (name: string) => option(name)?.split(',').map((s) => s.trim()).filter(Boolean);
  const rounds = process.argv.includes('--check') ? 0 : Number(option('rounds') ?? 5);
  const threads = option('peer-threads');
  if (threads) process.env.ANNEAL_PEER_THREADS = threads; // read by tests/peers/*.py (inherited env)
  const log = (l: string) => process.stdout.write(`${l}\n`);
  log(`anneal against PyTorch, JAX + optax and TensorFlow/Keras — node ${process.version}, load average ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
  const result = await benchPeers({ models: list('models'), rounds, backends: list('backends'), peers: list('peer-list'), noiseShare: process.argv.includes('--noise-share'), log });
  log('');
  for (const l of formatTargets(result)) log(l);
  log(`load average at the end: ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
  if (result.models.some((m) => m.check?.rows.some((r) => !r.ok))) process.exitCode = 1; // a peer is not the same model
  if (rounds === 0 && result.models.some((m) => m.check && (m.check.missing.length > 0 || m.skipped.length > 0))) process.exitCode = 1; // --check: unchecked
  const dir = join(REPO_ROOT, 'bench-results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'peers.json'), `${JSON.stringify({ date: new Date().toISOString(), node: process.version, ...result }, null, 2)}\n`);
  log(`results written to ${join(dir, 'peers.json')}`);
}

/**
 * `npm run bench -- --profile [--models mlp,memn2n,ptb] [--detail]` (backend: ANNEAL_BACKEND, else auto): where a trainer
 * step's time goes, by phase and by kernel (tf.profile; the profiler syncs every kernel, so compare shares).
 */
async function profileMain(): Promise<void> {
  const backend = await selectBackend(process.env.ANNEAL_BACKEND ?? 'auto');
  const booted = await bootAnneal({ env: { ...process.env, MLFLOW_TRACKING_URI: '' } });
  const wanted = option('models')?.split(',');
  process.stdout.write(`step profiles — backend ${backend.name}, load average ${loadavg().map((v) => v.toFixed(2)).join(' ')}\n`);
  for (const model of PEER_MODELS.filter((m) => !wanted || wanted.includes(m.name))) {
    const why = model.unavailable?.();
    if (why) {
      process.stdout.write(`${model.name}: skipped (${why})\n`);
      continue;
    }
    // The noise plugin's share, with its next draw made on the prefetch thread (the default) and without (on demand).
    const profileWith = async (prefetch: '0' | '1', noise = true) => {
      const saved = process.env.ANNEAL_NOISE_PREFETCH;
      process.env.ANNEAL_NOISE_PREFETCH = prefetch;
      try {
        const recipe = noise ? model.recipe() : withoutNoise(model.recipe());
        return await profileTrainerSteps(() => buildPlan(booted.plugins, { recipe, seed: 1, runName: 'profile', backend: backend.name }), model.name === 'ptb' ? 3 : 10, 2);
      } finally {
        if (saved === undefined) delete process.env.ANNEAL_NOISE_PREFETCH;
        else process.env.ANNEAL_NOISE_PREFETCH = saved;
      }
    };
    const share = (p: StepProfile) => (p.wallMsByPhase['post-clip'] ?? 0) / p.unprofiledMsPerStep;
    const onDemand = await profileWith('0');
    const profile = await profileWith('1');
    const noiseShare = share(profile);
    process.stdout.write(`${model.title}\n${formatStepProfile(profile, 8, process.argv.includes('--detail'))}\n`);
    process.stdout.write(`    noise plugin (the post-clip stage): ${(100 * noiseShare).toFixed(1)} % of the unprofiled step (issue 14 target ≤ 5 %: ${noiseShare <= 0.05 ? 'met' : 'NOT met'}); drawn on demand (ANNEAL_NOISE_PREFETCH=0): ${(100 * share(onDemand)).toFixed(1)} %, ${(onDemand.wallMsByPhase['post-clip'] ?? 0).toFixed(2)} → ${(profile.wallMsByPhase['post-clip'] ?? 0).toFixed(2)} ms\n`);
    // Where the rest of the noise's end-to-end cost is paid: the same steps without the plugin, phase by phase.
    const quiet = await profileWith('1', false);
    const phases = [...new Set([...Object.keys(profile.wallMsByPhase), ...Object.keys(quiet.wallMsByPhase)])];
    const against = (p: StepProfile) =>
      `${(100 * (1 - quiet.unprofiledMsPerStep / p.unprofiledMsPerStep)).toFixed(1)} % of the step; by phase, ms with − without: ` +
      phases.map((k) => `${k} ${((p.wallMsByPhase[k] ?? 0) - (quiet.wallMsByPhase[k] ?? 0)).toFixed(2)}`).join(', ');
    process.stdout.write(`    without the noise plugin: ${quiet.unprofiledMsPerStep.toFixed(2)} ms/step. End to end the noise is ${against(profile)}\n`);
    process.stdout.write(`      drawn on demand: ${against(onDemand)}\n\n`);
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exitCode = 1;
});
