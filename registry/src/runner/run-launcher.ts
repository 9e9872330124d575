import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject, injectable, optional } from 'inversify';
import {
  AnnealError,
  Trainer,
  createTrackingObserver,
  flattenToStrings,
  formatPlan,
  type ExecutionPlan,
  type Recipe,
  type RunTracker,
  type Tracker,
  type LocalRunStore,
  validateConfig,
} from '@anneal/core';
import type { PluginCatalog } from '../catalog/plugin-catalog.js';
import type { RecipeCatalog } from '../catalog/recipe-catalog.js';
import { PluginCatalogToken, RecipeCatalogToken, RunStoreToken, TrackerToken } from '../di/tokens.js';
import { buildPlan } from '../plan/build-plan.js';
import { preflightRecipe } from '../plan/preflight.js';
import { expandTrials, resolveBase, type ExpandOptions, type Trial } from '../recipes/expand-trials.js';
import { writeModelArtifacts } from './model-artifacts.js';
import { createProgressObserver } from './progress-observer.js';
import { collectOutcomes, formatConsole, familyMetrics, LocalRunSource, recipeBudget, recipeFactsOf, reportOf, runCurvesSvg, writeReportArtifacts, type Summary, type TrialOutcome } from '../report/index.js';

export interface LaunchOptions extends ExpandOptions {
  readonly backend: string;
  /** Names of plugins loaded with --plugin (attached at their manifest's hook point). */
  readonly extraPlugins?: readonly string[];
  /** Module specifiers those plugins came from (recorded for resume). */
  readonly extraPluginModules?: readonly string[];
  readonly dataDir?: string;
  readonly signal?: AbortSignal;
  /** Output sink for plain lines (stdout by default). */
  readonly log?: (line: string) => void;
  /** Progress stream (stderr by default) and TTY override. */
  readonly progressStream?: NodeJS.WriteStream;
  readonly tty?: boolean;
  /** Keep going when a trial fails (sweeps); a single run rethrows. */
  readonly continueOnFailure?: boolean;
  /** Stop each trial after N steps as if interrupted (tests). */
  readonly stopAfterSteps?: number;
  /** Called after each trial with its tracker still open (model registration hooks). */
  readonly afterTrial?: (outcome: TrialOutcome, tracker: RunTracker, plan: ExecutionPlan) => Promise<void>;
  /** Print the execution plan before training. */
  readonly printPlan?: boolean;
}

export interface LaunchResult {
  readonly recipe: Recipe;
  readonly outcomes: readonly TrialOutcome[];
  readonly summary?: Summary;
  readonly parentRunId?: string;
}

/** Stored in every run's artifacts/config.json: enough to rebuild the plan for --resume. */
interface StoredTrialConfig {
  readonly trial: { id: string; variant?: string; setting: Record<string, unknown>; seed: number; runSeed: number; restart?: number; label: string; recipe: Recipe };
  readonly extraPlugins: readonly string[];
  readonly extraPluginModules: readonly string[];
  readonly resolved: unknown;
  readonly plan: string;
}

/** Runs recipes: expands trials, builds each plan once, trains, tracks, summarises. */
@injectable()
export class RunLauncher {
  constructor(
    @inject(PluginCatalogToken) readonly plugins: PluginCatalog,
    @inject(RecipeCatalogToken) readonly recipes: RecipeCatalog,
    @inject(TrackerToken) readonly tracker: Tracker,
    @inject(RunStoreToken) @optional() readonly store?: LocalRunStore,
  ) {}

  async launch(recipeOrName: string | Recipe, options: LaunchOptions): Promise<LaunchResult> {
    const recipe = typeof recipeOrName === 'string' ? this.recipes.get(recipeOrName) : recipeOrName;
    const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
    const trials = expandTrials(recipe, options);
    // Validate every trial's plugin names and configs up front (errors at boot, not after hours).
    for (const t of trials) preflightRecipe(this.plugins, t.recipe, options.extraPlugins ?? []);
    await this.checkDataLoads(trials, options.dataDir);
    let parent: RunTracker | undefined;
    if (trials.length > 1) {
      parent = await this.tracker.startRun({
        runName: `${recipe.name}${options.quick ? ' (quick)' : ''}`,
        recipe: recipe.name,
        recipeVersion: recipe.version,
        seed: trials[0].seed,
        backend: options.backend,
        tags: { 'anneal.kind': 'parent', 'anneal.trials': String(trials.length), 'anneal.quick': String(Boolean(options.quick)) },
      });
      await parent.logParams({ recipe: recipe.name, recipe_version: String(recipe.version), quick: String(Boolean(options.quick)), trials: String(trials.length) });
      log(`${recipe.name}: ${trials.length} runs (parent run ${parent.runId})`);
    }
    const outcomes: TrialOutcome[] = [];
    try {
      for (const trial of trials) {
        if (options.signal?.aborted) break;
        const label = trials.length > 1 ? `[${trial.index + 1}/${trials.length} ${trial.label}]` : `[${trial.label}]`;
        try {
          outcomes.push(await this.runTrial(trial, recipe, { ...options, log }, label, parent?.runId));
        } catch (error) {
          if (!options.continueOnFailure && trials.length === 1) throw error;
          log(`${label} FAILED: ${(error as Error).message}`);
          outcomes.push({ trialId: trial.id, runId: '', variant: trial.variant, setting: trial.setting, seed: trial.seed, restart: trial.restart, status: 'FAILED', final: {}, steps: 0 });
          if (!options.continueOnFailure) throw error;
        }
      }
    } catch (error) {
      if (parent) await parent.end(options.signal?.aborted ? 'KILLED' : 'FAILED', (error as Error).message);
      throw error;
    }
    // The report pipeline (the same as anneal sweep / anneal report), on the runs just made.
    let summary: Summary | undefined;
    if (outcomes.length > 0) {
      const quick = Boolean(options.quick);
      const target = { kind: 'run', id: parent?.runId ?? recipe.name, source: 'memory', location: parent?.localDir ?? 'memory' } as const;
      const collected = collectOutcomes(outcomes, { facts: recipeFactsOf(recipe, quick, familyMetrics(this.plugins, recipe)), quick, target, budget: recipeBudget(resolveBase(recipe, options)) });
      const result = await reportOf(collected, parent && this.store && outcomes.length > 1 ? new LocalRunSource(this.store) : undefined);
      summary = result.report.summary;
      if (trials.length > 1 || recipe.paper) log(`\n${formatConsole(result.report)}`);
      if (parent) {
        await writeReportArtifacts(parent, result);
        if (parent.localDir) log(`summary and plots: ${parent.localDir}/artifacts/`);
      }
    }
    if (parent) {
      const killed = options.signal?.aborted;
      await parent.end(killed ? 'KILLED' : outcomes.some((o) => o.status === 'FAILED') ? 'FAILED' : 'FINISHED');
    }
    return { recipe, outcomes, summary, parentRunId: parent?.runId };
  }

  /**
   * Loads each distinct dataset configuration once before any run is created, so missing or corrupt
   * data fails at boot with nothing written (loaders cache parsed files, so the runs pay nothing extra).
   */
  private async checkDataLoads(trials: readonly Trial[], dataDir?: string): Promise<void> {
    const seen = new Set<string>();
    for (const t of trials) {
      const key = JSON.stringify([t.recipe.dataset.name, t.recipe.dataset.config ?? {}]);
      if (seen.has(key)) continue;
      seen.add(key);
      const def = this.plugins.get(t.recipe.dataset.name, 'dataset');
      const config = validateConfig(`dataset '${t.recipe.dataset.name}'`, def.manifest.configSchema, t.recipe.dataset.config);
      const dataset = await def.load(config, { dataDir, seed: 0 });
      dataset.dispose?.();
    }
  }

  /** Resumes a run from its last checkpoint, continuing the same step counter, optimizer and RNG state. */
  async resume(runId: string, options: Omit<LaunchOptions, keyof ExpandOptions>, store: { runDir(id: string): string; readMeta(id: string): { status: string; parentRunId?: string } }): Promise<TrialOutcome> {
    const dir = store.runDir(runId);
    const configPath = join(dir, 'artifacts', 'config.json');
    if (!existsSync(configPath)) throw new AnnealError('ANNEAL_ERR_RESUME', `run ${runId} has no artifacts/config.json; it cannot be resumed.`);
    const meta = store.readMeta(runId);
    if (meta.status === 'FINISHED') throw new AnnealError('ANNEAL_ERR_RESUME', `run ${runId} already FINISHED; nothing to resume.`);
    const stored = JSON.parse(readFileSync(configPath, 'utf8')) as StoredTrialConfig;
    const trial: Trial = { ...stored.trial, index: 0 };
    const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
    return this.runTrial(trial, stored.trial.recipe, { ...options, extraPlugins: stored.extraPlugins, extraPluginModules: stored.extraPluginModules, log }, `[${trial.label}]`, meta.parentRunId, runId);
  }

  /** Runs one trial as its own tracked run (used by launch, resume and sweep workers). */
  async runTrial(trial: Trial, baseRecipe: Recipe, options: LaunchOptions & { log: (l: string) => void }, label: string, parentRunId?: string, resumeRunId?: string): Promise<TrialOutcome> {
    const started = Date.now();
    const runLog: string[] = [];
    const previousLog = (dir?: string) => {
      // A resumed run keeps the log of its earlier attempts.
      const path = dir ? join(dir, 'artifacts', 'run.log') : undefined;
      return resumeRunId && path && existsSync(path) ? `${readFileSync(path, 'utf8')}--- resumed ${new Date().toISOString()} ---\n` : '';
    };
    const log = (line: string) => {
      runLog.push(line);
      options.log(line);
    };
    const runName = `${baseRecipe.name}${trial.variant ? `/${trial.variant}` : ''}${Object.keys(trial.setting).length ? ` ${Object.entries(trial.setting).map(([k, v]) => `${k.split('.').pop()}=${JSON.stringify(v)}`).join(' ')}` : ''} seed=${trial.seed}${trial.restart !== undefined ? ` restart=${trial.restart}` : ''}`;
    const tracker = await this.tracker.startRun({
      runId: resumeRunId,
      runName,
      recipe: baseRecipe.name,
      recipeVersion: baseRecipe.version,
      seed: trial.runSeed,
      backend: options.backend,
      parentRunId,
      variant: trial.variant,
      setting: trial.setting,
      tags: { 'anneal.trial_id': trial.id, ...(trial.variant ? { 'anneal.variant': trial.variant } : {}), ...(options.quick ? { 'anneal.quick': 'true' } : {}) },
    });
    const earlierLog = previousLog(tracker.localDir);
    let plan: ExecutionPlan | undefined;
    let trainer: Trainer | undefined;
    try {
      const trainEpochSteps = { total: 0 };
      const progress = createProgressObserver({
        label,
        get totalSteps() {
          return trainEpochSteps.total;
        },
        stream: options.progressStream,
        tty: options.tty,
        log,
      } as Parameters<typeof createProgressObserver>[0]);
      plan = await buildPlan(this.plugins, {
        recipe: trial.recipe,
        seed: trial.runSeed,
        runName,
        variant: trial.variant,
        backend: options.backend,
        extraPlugins: options.extraPlugins,
        dataDir: options.dataDir,
        runtimeObservers: [progress, createTrackingObserver(tracker)],
      });
      const perEpoch = Math.floor(plan.dataset.instance.splits.train.size / plan.training.batchSize);
      const total = plan.training.phases.reduce((a, p) => a + p.epochs * perEpoch, 0);
      trainEpochSteps.total = plan.training.maxSteps ? Math.min(plan.training.maxSteps, total) : total;
      const planText = formatPlan(plan);
      if (options.printPlan) log(planText);
      const params = {
        ...flattenToStrings(plan.resolvedConfig),
        ...Object.fromEntries(
          [...plan.stages['pre-clip'], ...plan.stages.clip, ...plan.stages['post-clip'], ...plan.stages['pre-update'], plan.stages.update, ...plan.stages['post-update'], ...plan.forward].map((e) => [`plugin_versions.${e.name}`, `${e.plugin}@${e.version}`]),
        ),
        'plugin_versions.model': `${plan.model.family}@${plan.model.version}`,
        'plugin_versions.dataset': `${plan.dataset.name}@${plan.dataset.version}`,
      };
      if (!resumeRunId) {
        await tracker.logParams(params);
        const stored: StoredTrialConfig = {
          trial: { id: trial.id, variant: trial.variant, setting: trial.setting, seed: trial.seed, runSeed: trial.runSeed, restart: trial.restart, label: trial.label, recipe: trial.recipe },
          extraPlugins: options.extraPlugins ?? [],
          extraPluginModules: options.extraPluginModules ?? [],
          resolved: plan.resolvedConfig,
          plan: planText,
        };
        await tracker.logArtifact('config.json', `${JSON.stringify(stored, null, 2)}\n`);
      }
      await tracker.setTags({ backend: options.backend, recipe: baseRecipe.name });
      if (!tracker.localDir) throw new AnnealError('ANNEAL_ERR_TRACKING', 'the tracker gave no local run directory (needed for checkpoints).');
      trainer = new Trainer(plan, {
        runId: tracker.runId,
        checkpointDir: join(tracker.localDir, 'checkpoint'),
        resume: Boolean(resumeRunId),
        signal: options.signal,
        stopAfterSteps: options.stopAfterSteps,
        params,
        onObserverFailure: (f) => log(`${label} observer '${f.observer}' failed on ${f.event}: ${f.error instanceof Error ? f.error.message : String(f.error)}`),
      });
      const result = await trainer.run();
      const finalText = Object.entries(result.final)
        .filter(([k]) => /accuracy|error/.test(k))
        .map(([k, v]) => `${k} ${(v * 100).toFixed(2)}%`)
        .join(', ');
      log(`${label} ${result.status} after ${result.steps} steps${result.diverged ? ' (loss diverged to NaN/Inf)' : ''}: ${finalText} (${((Date.now() - started) / 1000).toFixed(1)} s) run ${tracker.runId}`);
      const status = result.status === 'STOPPED' ? 'KILLED' : result.status;
      const outcome: TrialOutcome = { trialId: trial.id, runId: tracker.runId, variant: trial.variant, setting: trial.setting, seed: trial.seed, restart: trial.restart, status: result.status, final: result.final, steps: result.steps, epochs: result.epochs, durationMs: Date.now() - started };
      if (result.status === 'FINISHED') {
        await writeModelArtifacts(tracker, plan, result.final, result.steps);
        await tracker.flush();
        if (this.store) {
          const svg = await runCurvesSvg(this.store.readMetrics(tracker.runId), runName).catch((e: Error) => (log(`${label} plot failed: ${e.message}`), undefined));
          if (svg) await tracker.logArtifact('plots/training-curves.svg', svg);
        }
        await tracker.setTags({ 'anneal.final': JSON.stringify(result.final), ...(result.diverged ? { 'anneal.diverged': 'true' } : {}) });
        if (options.afterTrial) await options.afterTrial(outcome, tracker, plan);
      } else {
        log(`${label} stopped at step ${result.steps}; continue with: anneal run --resume ${tracker.runId}`);
      }
      await tracker.logArtifact('run.log', `${earlierLog}${runLog.join('\n')}\n`);
      await tracker.end(status);
      return outcome;
    } catch (error) {
      const killed = options.signal?.aborted;
      if (trainer) await trainer.fail(killed ? 'KILLED' : 'FAILED', error, 0).catch(() => undefined);
      runLog.push(`FAILED: ${(error as Error).stack ?? String(error)}`);
      await tracker.logArtifact('run.log', `${earlierLog}${runLog.join('\n')}\n`).catch(() => undefined);
      await tracker.end(killed ? 'KILLED' : 'FAILED', (error as Error).message);
      throw error;
    } finally {
      trainer?.dispose();
      plan?.model.instance.dispose();
      plan?.dataset.instance.dispose?.();
    }
  }
}
