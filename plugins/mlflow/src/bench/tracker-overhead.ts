import { rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { MetricPoint, RunTracker, Tracker } from '@anneal/core';
import { MlflowClient } from '../client/mlflow-client.js';
import { MlflowTracker } from '../tracker/mlflow-tracker.js';
import { mlflowConfigFromEnv } from '../config/env-config.js';
import { startMlflowServer, type MlflowTestServer } from '../testing/mlflow-server.js';
import { STEP_KEYS, stepPoints, tempStore } from '../testing/fixtures.js';

export interface TrackerOverheadOptions {
  /** Steps per measured run (default 2000). */
  readonly steps?: number;
  /** Steps per "epoch": an epoch metric and a flush() (default 100). */
  readonly epochEvery?: number;
  /**
   * The work of one training step. Default: ~2 ms of synthetic CPU work. Pass the real MLP step to
   * get the number the issue asks for (step time with MLflow on vs the local store only).
   */
  readonly stepWork?: (step: number) => void | Promise<void>;
  /** MLflow server to log to. Default: a temporary real server from .mlflow-venv (started and stopped here). */
  readonly trackingUri?: string;
  /** Measured runs per mode, alternating local / MLflow (default 3); medians are reported. */
  readonly repeats?: number;
  readonly log?: (line: string) => void;
}

export interface TrackerOverheadResult {
  readonly steps: number;
  readonly repeats: number;
  readonly trackingUri: string;
  /** Median wall time per step (step work + tracking), local store only. */
  readonly localMsPerStep: number;
  /** The same with the MLflow tracker (local spool + background delivery during the loop). */
  readonly mlflowMsPerStep: number;
  /** mlflowMsPerStep / localMsPerStep (target ≤ 1.02). */
  readonly ratio: number;
  /** Extra wall time per step with MLflow, µs. */
  readonly overheadUsPerStep: number;
  /**
   * CPU time of this process per step (user + system), per mode: less sensitive than wall time to
   * other load on the machine, including the MLflow server's own CPU when it runs on the same host.
   */
  readonly localCpuMsPerStep: number;
  readonly mlflowCpuMsPerStep: number;
  readonly cpuRatio: number;
  /** Median duration of one logMetrics call, µs, per mode. */
  readonly localCallUs: number;
  readonly mlflowCallUs: number;
  /** Median duration of end() with MLflow (delivering what was left), ms. Not part of the step time. */
  readonly mlflowEndMs: number;
  /** Every metric point arrived exactly once on the server (checked for the last MLflow run). */
  readonly deliveredExactly: boolean;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * A fixed amount of CPU work (calibrated once to take ~`ms` on an idle core) that allocates a
 * little, like a small tensor step. Fixed work, not a fixed duration: time lost to other processes
 * shows up in the wall time instead of being absorbed.
 */
export function syntheticStep(ms = 2): () => void {
  const work = (rounds: number) => {
    let acc = 0;
    for (let r = 0; r < rounds; r++) {
      const a = new Float64Array(256);
      for (let i = 0; i < a.length; i++) a[i] = Math.sin(i + acc);
      acc += a[17] * 1e-9;
    }
    return acc;
  };
  work(2000); // warm up the JIT
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    work(1000);
    best = Math.min(best, performance.now() - t0);
  }
  const rounds = Math.max(1, Math.round((1000 * ms) / Math.max(best, 1e-3)));
  return () => void work(rounds);
}

async function measure(tracker: Tracker, opts: Required<Pick<TrackerOverheadOptions, 'steps' | 'epochEvery'>> & { stepWork: (s: number) => void | Promise<void> }) {
  const run: RunTracker = await tracker.startRun({ runName: `bench-${tracker.kind}`, recipe: 'bench-tracker-overhead', seed: 0, backend: 'cpu' });
  await run.logParams({ 'bench.steps': String(opts.steps) });
  const calls: number[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let s = 0; s < opts.steps; s++) {
    await opts.stepWork(s);
    const pts: MetricPoint[] = stepPoints(s);
    if ((s + 1) % opts.epochEvery === 0) pts.push({ key: 'test/accuracy', value: s / opts.steps, step: s, timestamp: Date.now() });
    const c0 = performance.now();
    await run.logMetrics(pts);
    calls.push(performance.now() - c0);
    if ((s + 1) % opts.epochEvery === 0) await run.flush();
  }
  const loopMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const e0 = performance.now();
  await run.end('FINISHED');
  const endMs = performance.now() - e0;
  return { run, loopMs, cpuMs, callUs: median(calls) * 1000, endMs };
}

/**
 * Per-step overhead of the MLflow tracker vs the local store alone, on `steps` synthetic steps of
 * step metrics (6 keys per step, an epoch metric every `epochEvery` steps) against a real server.
 */
export async function benchTrackerOverhead(options: TrackerOverheadOptions = {}): Promise<TrackerOverheadResult> {
  const steps = options.steps ?? 2000;
  const epochEvery = options.epochEvery ?? 100;
  const repeats = options.repeats ?? 3;
  const stepWork = options.stepWork ?? syntheticStep(2);
  const log = options.log ?? (() => {});
  let server: MlflowTestServer | undefined;
  const trackingUri = options.trackingUri ?? (server = await startMlflowServer()).uri;
  const stores = [tempStore('anneal-bench-local-'), tempStore('anneal-bench-mlflow-')];
  try {
    const config = mlflowConfigFromEnv({ MLFLOW_TRACKING_URI: trackingUri })!;
    const mlflow = new MlflowTracker({ config, store: stores[1], log });
    const local = stores[0];
    const cfg = { steps, epochEvery, stepWork };
    // Warm-up (JIT, connection, experiment creation), not measured.
    await measure(local, { ...cfg, steps: Math.min(200, steps) });
    await measure(mlflow, { ...cfg, steps: Math.min(200, steps) });
    const l: Awaited<ReturnType<typeof measure>>[] = [];
    const m: Awaited<ReturnType<typeof measure>>[] = [];
    for (let r = 0; r < repeats; r++) {
      l.push(await measure(local, cfg));
      m.push(await measure(mlflow, cfg));
      log(`repeat ${r + 1}/${repeats}: local ${(l[r].loopMs / steps).toFixed(3)} ms/step (cpu ${(l[r].cpuMs / steps).toFixed(3)}), mlflow ${(m[r].loopMs / steps).toFixed(3)} ms/step (cpu ${(m[r].cpuMs / steps).toFixed(3)})`);
    }
    await mlflow.close();
    const last = m[m.length - 1].run as unknown as { mlflowRunId?: string };
    const client = new MlflowClient({ trackingUri });
    let deliveredExactly = false;
    if (last.mlflowRunId) {
      const counts = await Promise.all(STEP_KEYS.map((k) => client.getMetricHistory(last.mlflowRunId!, k).then((h) => h.length)));
      deliveredExactly = counts.every((n) => n === steps);
    }
    const localMsPerStep = median(l.map((x) => x.loopMs)) / steps;
    const mlflowMsPerStep = median(m.map((x) => x.loopMs)) / steps;
    return {
      steps,
      repeats,
      trackingUri,
      localMsPerStep,
      mlflowMsPerStep,
      ratio: mlflowMsPerStep / localMsPerStep,
      overheadUsPerStep: (mlflowMsPerStep - localMsPerStep) * 1000,
      localCpuMsPerStep: median(l.map((x) => x.cpuMs)) / steps,
      mlflowCpuMsPerStep: median(m.map((x) => x.cpuMs)) / steps,
      cpuRatio: median(m.map((x) => x.cpuMs)) / median(l.map((x) => x.cpuMs)),
      localCallUs: median(l.map((x) => x.callUs)),
      mlflowCallUs: median(m.map((x) => x.callUs)),
      mlflowEndMs: median(m.map((x) => x.endMs)),
      deliveredExactly,
    };
  } finally {
    await server?.dispose();
    for (const s of stores) rmSync(s.home, { recursive: true, force: true });
  }
}

export function formatTrackerOverhead(r: TrackerOverheadResult): string {
  return [
    `MLflow tracker overhead (${r.steps} steps × ${r.repeats}, median):`,
    `  local store only : ${r.localMsPerStep.toFixed(3)} ms/step (logMetrics ${r.localCallUs.toFixed(1)} µs)`,
    `  MLflow tracker   : ${r.mlflowMsPerStep.toFixed(3)} ms/step (logMetrics ${r.mlflowCallUs.toFixed(1)} µs)`,
    `  ratio            : ${r.ratio.toFixed(4)} (target ≤ 1.02), +${r.overheadUsPerStep.toFixed(1)} µs/step`,
    `  process CPU/step : local ${r.localCpuMsPerStep.toFixed(3)} ms, MLflow ${r.mlflowCpuMsPerStep.toFixed(3)} ms (ratio ${r.cpuRatio.toFixed(4)})`,
    `  end() delivery   : ${r.mlflowEndMs.toFixed(0)} ms; every point delivered exactly once: ${r.deliveredExactly ? 'yes' : 'NO'}`,
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await benchTrackerOverhead({ trackingUri: process.env.MLFLOW_TRACKING_URI || undefined, log: (l) => process.stderr.write(`${l}\n`) });
  process.stdout.write(`${formatTrackerOverhead(r)}\n`);
}
