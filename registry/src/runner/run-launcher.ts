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
import { collectOutcomes, familyMetrics, formatConsole, LocalRunSource, recipeBudget, recipeFactsOf, reportOf, writeReportArtifacts, type Summary } from '../report/index.js';

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

  /** The report pipeline (the same as anneal sweep / anneal report) on the runs just made; its files go to the parent. */
  private async summarize(recipe: Recipe, options: LaunchOptions, outcomes: readonly TrialOutcome[], parent: RunTracker | undefined, log: (line: string) => void): Promise<Summary | undefined> {
    if (outcomes.length === 0) return undefined;
    const quick = Boolean(options.quick);
    const target = { kind: 'run', id: parent?.runId ?? recipe.name, source: 'memory', location: parent?.localDir ?? 'memory' } as const;
    const collected = collectOutcomes(outcomes, { facts: recipeFactsOf(recipe, quick, familyMetrics(this.plugins, recipe)), quick, target, budget: recipeBudget(resolveBase(recipe, quick)) });
    const result = await reportOf(collected, parent && this.store && outcomes.length > 1 ? new LocalRunSource(this.store) : undefined);
    if (outcomes.length > 1 || recipe.paper) log(`\n${formatConsole(result.report)}`);
    if (parent) {
      await writeReportArtifacts(parent, result);
      if (parent.localDir) log(`summary and plots: ${parent.localDir}/artifacts/`);
    }
    return result.report.summary;
  }

  /** Resumes a run from its last checkpoint, continuing the same step counter, optimizer and RNG state. */
  async resume(runId: string, options: Omit<TrialRunOptions, 'datasets'>, store: { runDir(id: string): string; readMeta(id: string): { status: string; parentRunId?: string } }): Promise<TrialOutcome> {
    const meta = store.readMeta(runId);
    if (meta.status === 'FINISHED') throw new AnnealError('ANNEAL_ERR_RESUME', `run ${runId} already FINISHED; nothing to resume.`);
    const spec = readStoredTrial(store.runDir(runId), runId);
    return this.runner.run({ spec, parentRunId: meta.parentRunId, resumeRunId: runId, label: `[${spec.label}]` }, options);
  }
}
