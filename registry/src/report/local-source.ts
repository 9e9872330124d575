import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAnnealError, type LocalRunStore, type Recipe, type RunMeta } from '@anneal/core';
import { SWEEP_MANIFEST, type SweepManifest } from './sweep-manifest.js';
import { readMetricCurves } from './metrics-reader.js';
import type { Curve, ReportRun, RunBudget, RunSource, SweepRef } from './report-run.js';

/** Tags of a run: those given at start (meta.tags) and those set later (tags.json). */
export function runTags(store: LocalRunStore, meta: RunMeta): Record<string, string> {
  return { ...(meta.tags ?? {}), ...store.readTags(meta.runId) };
}

/** Parses the anneal.final tag: final metrics as numbers (non-numbers dropped). */
export function parseFinal(tag: string | undefined): Record<string, number> {
  if (!tag) return {};
  try {
    const raw = JSON.parse(tag) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(raw).filter(([, v]) => typeof v === 'number')) as Record<string, number>;
  } catch {
    return {};
  }
}

interface StoredConfig {
  readonly trial?: { seed?: number; restart?: number; recipe?: Recipe };
}

/** The epochs a recipe asks for (phases summed), its batch size, step cap and training-set size. */
export function recipeBudget(recipe: Recipe | undefined): Omit<RunBudget, 'steps'> {
  if (!recipe?.training) return {};
  const t = recipe.training;
  const epochs = t.phases && t.phases.length > 0 ? t.phases.reduce((a, p) => a + p.epochs, 0) : t.epochs;
  const trainSize = (recipe.dataset?.config as Record<string, unknown> | undefined)?.trainSize;
  return { epochs, batchSize: t.batchSize, maxSteps: t.maxSteps, trainSize: typeof trainSize === 'number' ? trainSize : undefined };
}

/** Runs from the local run store ($ANNEAL_HOME/runs). */
export class LocalRunSource implements RunSource {
  readonly kind = 'local' as const;
  constructor(readonly store: LocalRunStore) {}

  get location(): string {
    return this.store.runsDir;
  }

  async recipeRuns(recipe: string): Promise<ReportRun[]> {
    return this.store
      .listRuns()
      .filter((m) => m.recipe === recipe)
      .map((m) => this.toReportRun(m))
      .filter((r): r is ReportRun => r !== undefined);
  }

  async findSweep(idOrPrefix: string): Promise<SweepRef | undefined> {
    let runId: string;
    try {
      runId = this.store.resolveRunId(idOrPrefix);
    } catch (error) {
      if (isAnnealError(error, 'ANNEAL_ERR_RUN_UNKNOWN')) {
        if (/matches \d+ runs/.test(error.message)) throw error;
        return undefined;
      }
      throw error;
    }
    const meta = this.store.readMeta(runId);
    const tags = runTags(this.store, meta);
    const manifestPath = join(this.store.artifactsDir(runId), SWEEP_MANIFEST);
    const manifest = existsSync(manifestPath) ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as SweepManifest) : undefined;
    return {
      runId,
      recipe: meta.recipe,
      status: meta.status,
      quick: tags['anneal.quick'] === 'true',
      kind: tags['anneal.kind'] ?? (tags['anneal.trial_id'] ? 'trial' : 'run'),
      recipeFacts: manifest ? manifest.recipe : undefined,
      trialIds: manifest ? manifest.trials.map((t) => t.id) : undefined,
    };
  }

  async children(sweep: SweepRef): Promise<ReportRun[]> {
    return this.store
      .listRuns()
      .filter((m) => m.parentRunId === sweep.runId)
      .map((m) => this.toReportRun(m))
      .filter((r): r is ReportRun => r !== undefined);
  }

  async curves(run: ReportRun, keys: readonly string[]): Promise<Map<string, Curve>> {
    return readMetricCurves(join(this.store.runDir(run.runId), 'metrics.jsonl'), keys);
  }

  /** A trial run as the report sees it; undefined for runs that are not trials (sweeps, parents). */
  toReportRun(meta: RunMeta): ReportRun | undefined {
    const tags = runTags(this.store, meta);
    const trialId = tags['anneal.trial_id'];
    if (!trialId) return undefined;
    const configPath = join(this.store.artifactsDir(meta.runId), 'config.json');
    let config: StoredConfig = {};
    if (existsSync(configPath)) {
      try {
        config = JSON.parse(readFileSync(configPath, 'utf8')) as StoredConfig;
      } catch {
        config = {};
      }
    }
    const budget = recipeBudget(config.trial?.recipe);
    let steps = tags['anneal.steps'] !== undefined ? Number(tags['anneal.steps']) : undefined;
    if (steps === undefined && meta.status === 'FINISHED') {
      const epochs = readMetricCurves(join(this.store.runDir(meta.runId), 'metrics.jsonl'), ['epoch']).get('epoch')!;
      if (epochs.size > 0) steps = Math.max(...epochs.keys());
    }
    return {
      runId: meta.runId,
      status: meta.status,
      startTime: meta.startTime,
      endTime: meta.endTime,
      recipe: meta.recipe,
      recipeVersion: meta.recipeVersion,
      parentRunId: meta.parentRunId,
      trialId,
      variant: meta.variant ?? tags['anneal.variant'],
      setting: meta.setting ?? {},
      seed: config.trial?.seed ?? meta.seed,
      restart: config.trial?.restart,
      quick: tags['anneal.quick'] === 'true',
      final: parseFinal(tags['anneal.final']),
      budget: { ...budget, steps },
    };
  }
}
