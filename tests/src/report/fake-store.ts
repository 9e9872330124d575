import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRunStore, type MetricPoint, type RunStatus } from '@anneal/core';

export function tempStore(t: { teardown(fn: () => void): void }, prefix = 'anneal-report-'): LocalRunStore {
  const home = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  return new LocalRunStore(home);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface FakeRun {
  readonly recipe: string;
  readonly trialId: string;
  readonly variant: string;
  readonly setting?: Record<string, unknown>;
  readonly seed: number;
  readonly runSeed?: number;
  readonly restart?: number;
  readonly status: Exclude<RunStatus, 'RUNNING'> | 'RUNNING';
  readonly final?: Record<string, number>;
  readonly quick?: boolean;
  readonly parentRunId?: string;
  /** Written as the anneal.steps tag, or (stepsFromMetrics) as the step of an 'epoch' metric. */
  readonly steps?: number;
  readonly stepsFromMetrics?: boolean;
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly trainSize?: number;
  readonly metrics?: readonly MetricPoint[];
  readonly recipeVersion?: number;
}

/**
 * Writes a trial run the way RunLauncher.runTrial does (meta tags anneal.trial_id / anneal.variant /
 * anneal.quick, config.json with the trial, anneal.final tag, status) through the real store API.
 */
export async function writeRun(store: LocalRunStore, r: FakeRun): Promise<string> {
  await sleep(3);
  const tracker = await store.startRun({
    runName: `${r.recipe}/${r.variant} seed=${r.seed}`,
    recipe: r.recipe,
    recipeVersion: r.recipeVersion ?? 1,
    seed: r.runSeed ?? r.seed,
    backend: 'cpu',
    parentRunId: r.parentRunId,
    variant: r.variant,
    setting: r.setting ?? {},
    tags: { 'anneal.trial_id': r.trialId, 'anneal.variant': r.variant, ...(r.quick ? { 'anneal.quick': 'true' } : {}) },
  });
  const recipe = {
    name: r.recipe,
    version: r.recipeVersion ?? 1,
    dataset: { name: 'mnist', config: r.trainSize !== undefined ? { trainSize: r.trainSize } : {} },
    training: { batchSize: r.batchSize ?? 32, epochs: r.epochs ?? 2 },
  };
  await tracker.logArtifact('config.json', JSON.stringify({ trial: { id: r.trialId, variant: r.variant, setting: r.setting ?? {}, seed: r.seed, runSeed: r.runSeed ?? r.seed, restart: r.restart, recipe } }));
  const points: MetricPoint[] = [...(r.metrics ?? [])];
  if (r.stepsFromMetrics && r.steps !== undefined) points.push({ key: 'epoch', value: r.epochs ?? 2, step: r.steps, timestamp: Date.now() });
  if (points.length) await tracker.logMetrics(points);
  if (r.status === 'FINISHED') await tracker.setTags({ 'anneal.final': JSON.stringify(r.final ?? {}), ...(r.steps !== undefined && !r.stepsFromMetrics ? { 'anneal.steps': String(r.steps) } : {}) });
  if (r.status === 'RUNNING') await tracker.flush();
  else await tracker.end(r.status, r.status === 'FAILED' ? 'boom' : undefined);
  await sleep(3);
  return tracker.runId;
}

/** A sweep (parent) run with a manifest listing `trialIds`, as `anneal sweep` writes it. */
export async function writeSweep(store: LocalRunStore, args: { recipe: string; trialIds: readonly string[]; quick?: boolean; recipeFacts: Record<string, unknown>; status?: Exclude<RunStatus, 'RUNNING'> }): Promise<string> {
  const tracker = await store.startRun({
    runName: `${args.recipe} sweep`,
    recipe: args.recipe,
    recipeVersion: 1,
    seed: 1,
    backend: 'cpu',
    tags: { 'anneal.kind': 'sweep', 'anneal.trials': String(args.trialIds.length), 'anneal.trial_ids': args.trialIds.join(','), 'anneal.quick': String(Boolean(args.quick)) },
  });
  await tracker.logArtifact(
    'sweep.json',
    JSON.stringify({ format: 1, sweepId: tracker.runId, createdAt: Date.now(), recipe: args.recipeFacts, quick: Boolean(args.quick), sets: [], pluginModules: [], extraPlugins: [], backend: 'cpu', trials: args.trialIds.map((id, index) => ({ id, index, label: id, setting: {}, seed: 1, runSeed: 1, recipe: {} })) }),
  );
  await tracker.end(args.status ?? 'FINISHED');
  return tracker.runId;
}

/** A noisy decreasing loss per step and a few accuracy evaluations. */
export function curve(steps: number, accuracy: number, offset = 0): MetricPoint[] {
  const pts: MetricPoint[] = [];
  for (let s = 0; s < steps; s++) pts.push({ key: 'train/loss', value: 2.3 * Math.exp(-s / (steps / 3)) + 0.05 + offset + 0.02 * Math.sin(s), step: s, timestamp: 1 });
  for (let e = 1; e <= 4; e++) pts.push({ key: 'test/accuracy', value: 0.1 + ((accuracy - 0.1) * e) / 4, step: (e * steps) / 4, timestamp: 1 });
  return pts;
}
