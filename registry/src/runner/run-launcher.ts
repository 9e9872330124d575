import { AnnealError, type LocalRunStore, type Recipe, type RunTracker, type Tracker } from '@anneal/core';
import type { PluginCatalog } from '../catalog/plugin-catalog.js';
import type { RecipeCatalog } from '../catalog/recipe-catalog.js';
import { InProcessExecutor } from '../execute/in-process-executor.js';
import type { TrialJob, TrialResult, TrialRunOptions } from '../execute/trial-job.js';
import { TrialRunner, readStoredTrial } from '../execute/trial-runner.js';
import { DatasetCache } from '../plan/dataset-cache.js';
import { checkDataLoads } from '../plan/check-data-loads.js';
import { resolveBase, resolveTrials, type TrialOverrides } from '../trials/resolve-trials.js';
import type { TrialOutcome, TrialSpec } from '../trials/trial-spec.js';
import { variantBandSvg } from './plots.js';
import { summarize, summarizePerSetting, type Summary } from './summarize.js';

export interface LaunchOptions extends TrialOverrides, Omit<TrialRunOptions, 'datasets'> {
  /** Keep going when a trial fails; a single run rethrows its error. */
  readonly continueOnFailure?: boolean;
}

export interface LaunchResult {
  readonly recipe: Recipe;
  readonly trials: readonly TrialSpec[];
  readonly outcomes: readonly TrialOutcome[];
  readonly summary?: Summary;
  readonly parentRunId?: string;
}

/**
 * `anneal run`: resolves a recipe's trials (the only validation), checks their data loads, and runs
 * them in this process with the InProcessExecutor (each trial's run written by its TrialRunner),
 * nested under one parent run when there are several; then the summary table and plots.
 * Built by the composition root (di/create-container.ts); it imports nothing from the container.
 */
export class RunLauncher {
  readonly runner: TrialRunner;

  constructor(
    readonly plugins: PluginCatalog,
    readonly recipes: RecipeCatalog,
    readonly tracker: Tracker,
    readonly store?: LocalRunStore,
  ) {
    this.runner = new TrialRunner(plugins, tracker, store);
  }

  /** The trial specs of a launch, as `--plan` prints them (nothing is loaded or written). */
  resolve(recipeOrName: string | Recipe, options: TrialOverrides): TrialSpec[] {
    const recipe = typeof recipeOrName === 'string' ? this.recipes.get(recipeOrName) : recipeOrName;
    return resolveTrials(this.plugins, recipe, options);
  }

  async launch(recipeOrName: string | Recipe, options: LaunchOptions): Promise<LaunchResult> {
    const recipe = typeof recipeOrName === 'string' ? this.recipes.get(recipeOrName) : recipeOrName;
    const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
    const trials = resolveTrials(this.plugins, recipe, options);
    const datasets = new DatasetCache(options.dataDir);
    try {
      // Missing or corrupt data fails here, before any run is written.
      await checkDataLoads(this.plugins, trials, datasets);
      const parent = trials.length > 1 ? await this.startParent(recipe, trials, options) : undefined;
      if (parent) log(`${recipe.name}: ${trials.length} runs (parent run ${parent.runId})`);
      const jobs: TrialJob[] = trials.map((spec, i) => ({ spec, parentRunId: parent?.runId, label: trials.length > 1 ? `[${i + 1}/${trials.length} ${spec.label}]` : `[${spec.label}]` }));
      const results = new Map<string, TrialResult>();
      const executor = new InProcessExecutor(this.runner, { ...options, log, datasets });
      await executor.run(jobs, {
        onLog: (line) => log(line),
        onEnd: (job, result) => {
          results.set(job.spec.id, result);
          if (result.kind === 'done') return;
          if (trials.length === 1 && !options.continueOnFailure) return;
          log(`${job.label} FAILED: ${result.message}`);
          if (!options.continueOnFailure) executor.stop();
        },
      });
      const outcomes = jobs.flatMap((j) => {
        const r = results.get(j.spec.id);
        if (!r) return [];
        if (r.kind === 'done') return [r.outcome];
        return [{ trialId: j.spec.id, runId: r.runId ?? '', variant: j.spec.variant, setting: j.spec.setting, seed: j.spec.seed, restart: j.spec.restart, status: 'FAILED', final: {}, steps: 0 } satisfies TrialOutcome];
      });
      const firstFailure = [...results.values()].find((r): r is Extract<TrialResult, { kind: 'failed' }> => r.kind === 'failed');
      if (firstFailure && !options.continueOnFailure) {
        if (parent) await parent.end(options.signal?.aborted ? 'KILLED' : 'FAILED', firstFailure.message);
        throw firstFailure.error ?? new AnnealError('ANNEAL_ERR_TRIAL_FAILED', firstFailure.message);
      }
      const summary = await this.summarize(recipe, options, outcomes, parent, log);
      if (parent) await parent.end(options.signal?.aborted ? 'KILLED' : outcomes.some((o) => o.status === 'FAILED') ? 'FAILED' : 'FINISHED');
      return { recipe, trials, outcomes, summary, parentRunId: parent?.runId };
    } finally {
      await datasets.dispose();
    }
  }

  private async startParent(recipe: Recipe, trials: readonly TrialSpec[], options: LaunchOptions): Promise<RunTracker> {
    const parent = await this.tracker.startRun({
      runName: `${recipe.name}${options.quick ? ' (quick)' : ''}`,
      recipe: recipe.name,
      recipeVersion: recipe.version,
      seed: trials[0].seed,
      backend: options.backend,
      tags: { 'anneal.kind': 'parent', 'anneal.trials': String(trials.length), 'anneal.quick': String(Boolean(options.quick)) },
    });
    await parent.logParams({ recipe: recipe.name, recipe_version: String(recipe.version), quick: String(Boolean(options.quick)), trials: String(trials.length) });
    return parent;
  }

  private async summarize(recipe: Recipe, options: LaunchOptions, outcomes: readonly TrialOutcome[], parent: RunTracker | undefined, log: (line: string) => void): Promise<Summary | undefined> {
    if (outcomes.length === 0) return undefined;
    const base = resolveBase(recipe, options.quick);
    const summary = summarize(outcomes, base.paper, base.restarts);
    const perSetting = summarizePerSetting(outcomes, base.paper, base.restarts);
    if (perSetting) log(`\n${perSetting}`);
    if (outcomes.length > 1 || base.paper) log(`\n${summary.table}\n`);
    if (!parent) return summary;
    if (this.store && outcomes.length > 1) {
      const runs = outcomes.filter((o) => o.status === 'FINISHED' && o.runId).map((o) => ({ group: o.variant ?? 'default', points: this.store!.readMetrics(o.runId) }));
      for (const [key, file] of [['train/epoch_loss', 'plots/train-loss-by-variant.svg'], ['test/accuracy', 'plots/test-accuracy-by-variant.svg']] as const) {
        if (!runs.some((r) => r.points.some((p) => p.key === key))) continue;
        const svg = await variantBandSvg(runs, key, `${recipe.name}: ${key}, mean and min–max over runs`).catch(() => undefined);
        if (svg) await parent.logArtifact(file, svg);
      }
      if (parent.localDir) log(`plots: ${parent.localDir}/artifacts/plots/`);
    }
    await parent.logArtifact('summary.md', `${perSetting ? `${perSetting}\n\n` : ''}${summary.table}\n`);
    await parent.logArtifact('summary.json', `${JSON.stringify({ recipe: recipe.name, quick: Boolean(options.quick), summary, outcomes }, null, 2)}\n`);
    const ts = Date.now();
    await parent.logMetrics(
      summary.rows.flatMap((r) =>
        Object.entries(r.ours)
          .filter(([, v]) => Number.isFinite(v))
          .map(([k, v]) => ({ key: `summary/${r.variant}/${k.replace(/[^\w./ -]/g, '_')}`, value: v, step: 0, timestamp: ts })),
      ),
    );
    return summary;
  }

  /** Resumes a run from its last checkpoint, continuing the same step counter, optimizer and RNG state. */
  async resume(runId: string, options: Omit<TrialRunOptions, 'datasets'>, store: { runDir(id: string): string; readMeta(id: string): { status: string; parentRunId?: string } }): Promise<TrialOutcome> {
    const meta = store.readMeta(runId);
    if (meta.status === 'FINISHED') throw new AnnealError('ANNEAL_ERR_RESUME', `run ${runId} already FINISHED; nothing to resume.`);
    const spec = readStoredTrial(store.runDir(runId), runId);
    return this.runner.run({ spec, parentRunId: meta.parentRunId, resumeRunId: runId, label: `[${spec.label}]` }, options);
  }
}
