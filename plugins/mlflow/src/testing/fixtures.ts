import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRunStore, type MetricPoint, type RunStartInfo, type RunTracker, type Tracker } from '@anneal/core';
import type { MlflowClient } from '../client/mlflow-client.js';
import type { Run } from '../client/types.js';

/** A temporary local run store (ANNEAL_HOME). */
export function tempStore(prefix = 'anneal-home-'): LocalRunStore {
  return new LocalRunStore(mkdtempSync(join(tmpdir(), prefix)));
}

export const STEP_KEYS = ['train/loss', 'grad/norm_pre_clip', 'grad/norm_post_clip', 'noise/std', 'lr', 'time/step_ms'] as const;

/** Synthetic step metrics of one step (what the trainer's StepRecord produces). */
export function stepPoints(step: number, keys: readonly string[] = STEP_KEYS, now = Date.now()): MetricPoint[] {
  return keys.map((key, i) => ({ key, value: Math.exp(-step / 500) * (i + 1) + Math.sin(step + i) * 1e-3, step, timestamp: now }));
}

export interface SyntheticRun {
  readonly run: RunTracker;
  /** Metric points logged, per key. */
  readonly counts: Record<string, number>;
}

/** Starts a run and logs params, tags, `steps` steps of step metrics and an epoch metric every `epochEvery` steps. */
export async function logSyntheticRun(
  tracker: Tracker,
  info: Partial<RunStartInfo> & { runName: string },
  opts: { steps: number; epochEvery?: number; startStep?: number; params?: Record<string, string>; run?: RunTracker } = { steps: 100 },
): Promise<SyntheticRun> {
  const run =
    opts.run ??
    (await tracker.startRun({ recipe: 'synthetic-recipe', seed: 1, backend: 'cpu', ...info } as RunStartInfo));
  if (!opts.run) {
    await run.logParams({ 'optimizer.name': 'sgd', 'optimizer.lr': '0.01', 'plugin.noise.eta': '0.3', 'plugin.noise.gamma': '0.55', seed: '1', ...(opts.params ?? {}) });
    await run.setTags({ variant: 'noise' });
  }
  const counts: Record<string, number> = {};
  const start = opts.startStep ?? 0;
  for (let s = start; s < start + opts.steps; s++) {
    const pts = stepPoints(s);
    if (opts.epochEvery && (s + 1) % opts.epochEvery === 0) pts.push({ key: 'test/accuracy', value: 1 - Math.exp(-s / 200), step: s, timestamp: Date.now() });
    await run.logMetrics(pts);
    for (const p of pts) counts[p.key] = (counts[p.key] ?? 0) + 1;
  }
  return { run, counts };
}

/** The MLflow runs carrying anneal.run_id = localRunId (all experiments given). */
export async function runsByLocalId(client: MlflowClient, experimentIds: string[], localRunId: string): Promise<Run[]> {
  const { runs } = await client.searchRuns({ experimentIds, filter: `tags.\`anneal.run_id\` = '${localRunId}'`, runViewType: 'ALL' });
  return runs;
}

export function tagMap(run: Run): Record<string, string> {
  return Object.fromEntries((run.data?.tags ?? []).map((t) => [t.key, t.value]));
}

export function paramMap(run: Run): Record<string, string> {
  return Object.fromEntries((run.data?.params ?? []).map((t) => [t.key, t.value]));
}

/** Counts of each key's full history on the server. */
export async function historyCounts(client: MlflowClient, runId: string, keys: readonly string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = (await client.getMetricHistory(runId, k)).length;
  return out;
}

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
