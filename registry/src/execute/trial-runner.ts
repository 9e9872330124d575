import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AnnealError,
  Trainer,
  createTrackingObserver,
  flattenToStrings,
  formatPlan,
  planEntries,
  type ExecutionPlan,
  type LocalRunStore,
  type RunTracker,
  type Tracker,
} from '@anneal/core';
import type { PluginCatalog } from '../catalog/plugin-catalog.js';
import { instantiate } from '../plan/instantiate.js';
import { runCurvesSvg } from '../report/run-curves-plot.js';
import type { TrialOutcome, TrialSpec } from '../trials/trial-spec.js';
import { formatFinal } from './format-final.js';
import { writeModelArtifacts } from './model-artifacts.js';
import { createProgressObserver } from './progress-observer.js';
import type { TrialJob, TrialRunOptions } from './trial-job.js';
import { ensureBackend, tensorflowThreadsInUse } from '../backend/select-backend.js';
import { tensorflowThreadsNote } from '../backend/tensorflow-threads.js';

/** What every run's artifacts/config.json holds: the trial spec (enough for --resume), the plan as text. */
export interface StoredTrialConfig {
  readonly trial: TrialSpec;
  readonly resolved: unknown;
  readonly plan: string;
}

/** Reads a run's stored trial spec (for --resume). */
export function readStoredTrial(runDir: string, runId: string): TrialSpec {
  const path = join(runDir, 'artifacts', 'config.json');
  if (!existsSync(path)) throw new AnnealError('ANNEAL_ERR_RESUME', `run ${runId} has no artifacts/config.json; it cannot be resumed.`);
  const stored = JSON.parse(readFileSync(path, 'utf8')) as Partial<StoredTrialConfig>;
  if (stored.trial?.format !== 1 || !stored.trial.plan) {
    throw new AnnealError('ANNEAL_ERR_RESUME', `run ${runId} was made by an older anneal (its config.json has no trial spec); start it afresh.`);
  }
  return stored.trial;
}

/**
 * Runs one trial as its own tracked run: instantiates its plan, trains, writes params, config,
 * metrics (through its own tracking listener), model artifacts, plots and the run log, and ends the
 * run. It is the only writer of that run. Every executor (in-process, worker pool) runs trials here.
 */
export class TrialRunner {
  constructor(
    private readonly catalog: PluginCatalog,
    private readonly tracker: Tracker,
    private readonly store?: LocalRunStore,
  ) {}

  async run(job: TrialJob, options: TrialRunOptions): Promise<TrialOutcome> {
    const { spec, label } = job;
    const started = Date.now();
    const runLog: string[] = [];
    const log = (line: string) => {
      runLog.push(line);
      (options.log ?? ((l: string) => process.stdout.write(`${l}\n`)))(line);
    };
    const askedThreads = spec.plan.training.tensorflowThreads;
    await ensureBackend(options.backend, { tensorflowThreads: askedThreads });
    const threadsInUse = options.backend.startsWith('tensorflow') ? tensorflowThreadsInUse() : undefined;
    const tracker = await this.tracker.startRun({
      runId: job.resumeRunId,
      runName: spec.runName,
      recipe: spec.recipe.name,
      recipeVersion: spec.recipe.version,
      seed: spec.runSeed,
      backend: options.backend,
      parentRunId: job.parentRunId,
      variant: spec.variant,
      setting: spec.setting,
      tags: { 'anneal.trial_id': spec.id, ...(spec.variant ? { 'anneal.variant': spec.variant } : {}), ...(spec.quick ? { 'anneal.quick': 'true' } : {}) },
    });
    const logPath = tracker.localDir ? join(tracker.localDir, 'artifacts', 'run.log') : undefined;
    // A resumed run keeps the log of its earlier attempts.
    const earlierLog = job.resumeRunId && logPath && existsSync(logPath) ? `${readFileSync(logPath, 'utf8')}--- resumed ${new Date().toISOString()} ---\n` : '';
    let plan: ExecutionPlan | undefined;
    let trainer: Trainer | undefined;
    let copying = Promise.resolve();
    try {
      const total = { steps: 0 };
      const progress = createProgressObserver({
        label,
        get totalSteps() {
          return total.steps;
        },
        stream: options.progressStream,
        tty: options.tty,
        log,
        metrics: () => spec.plan.metrics,
      } as Parameters<typeof createProgressObserver>[0]);
      plan = await instantiate(this.catalog, spec, { backend: options.backend, datasets: options.datasets, dataDir: options.dataDir, runtimeObservers: [progress] });
      const perEpoch = Math.floor(plan.dataset.instance.splits.train.size / plan.training.batchSize);
      const all = plan.training.phases.reduce((a, p) => a + p.epochs * perEpoch, 0);
      total.steps = plan.training.maxSteps ? Math.min(plan.training.maxSteps, all) : all;
      const planText = formatPlan(plan);
      if (options.printPlan) log(planText);
      const params = {
        ...flattenToStrings(plan.resolvedConfig),
        ...Object.fromEntries(planEntries(plan).map((e) => [`plugin_versions.${e.name}`, `${e.plugin}@${e.version}`])),
        'plugin_versions.model': `${plan.model.family}@${plan.model.version}`,
        'plugin_versions.dataset': `${plan.dataset.name}@${plan.dataset.version}`,
      };
      if (!job.resumeRunId) {
        await tracker.logParams(params);
        const stored: StoredTrialConfig = { trial: spec, resolved: plan.resolvedConfig, plan: planText };
        await tracker.logArtifact('config.json', `${JSON.stringify(stored, null, 2)}\n`);
      }
      await tracker.setTags({ backend: options.backend, recipe: spec.recipe.name, ...(threadsInUse !== undefined ? { tensorflow_threads: String(threadsInUse) } : {}) });
      const threadsNote = tensorflowThreadsNote(askedThreads, threadsInUse);
      if (threadsNote) log(`${label} ${threadsNote}`);
      if (!tracker.localDir) throw new AnnealError('ANNEAL_ERR_TRACKING', 'the tracker gave no local run directory (needed for checkpoints).');
      const checkpointDir = join(tracker.localDir, 'checkpoint');
      const restored = !job.resumeRunId && options.restoreCheckpoint ? await options.restoreCheckpoint(checkpointDir) : false;
      if (restored) log(`${label} continues from a checkpoint of an earlier attempt`);
      const onCheckpoint = options.onCheckpoint;
      trainer = new Trainer(plan, {
        runId: tracker.runId,
        checkpointDir,
        resume: Boolean(job.resumeRunId) || restored,
        onCheckpoint: onCheckpoint
          ? (position) => {
              // Read now: the next checkpoint overwrites these files.
              const copy = { step: position.step, json: readFileSync(join(checkpointDir, 'checkpoint.json')), bin: readFileSync(join(checkpointDir, 'checkpoint.bin')) };
              copying = copying.then(() => onCheckpoint(copy)).catch((e: Error) => log(`${label} checkpoint copy at step ${copy.step} failed: ${e.message}`));
            }
          : undefined,
        signal: options.signal,
        stopAfterSteps: options.stopAfterSteps,
        params,
        onObserverFailure: (f) => log(`${label} observer '${f.observer}' failed on ${f.event}: ${f.error instanceof Error ? f.error.message : String(f.error)}`),
      });
      // The runner's own listener writes the run's metrics (after every other observer).
      trainer.events.attach([createTrackingObserver(tracker)]);
      const result = await trainer.run();
      await copying;
      log(`${label} ${result.status} after ${result.steps} steps${result.diverged ? ' (loss diverged to NaN/Inf)' : ''}: ${formatFinal(result.final, spec)} (${((Date.now() - started) / 1000).toFixed(1)} s) run ${tracker.runId}`);
      const outcome: TrialOutcome = {
        trialId: spec.id,
        runId: tracker.runId,
        variant: spec.variant,
        setting: spec.setting,
        seed: spec.seed,
        restart: spec.restart,
        status: result.status,
        final: result.final,
        steps: result.steps,
        epochs: result.epochs,
        durationMs: Date.now() - started,
      };
      if (result.status === 'FINISHED') {
        await writeModelArtifacts(tracker, plan, result.final, result.steps);
        await tracker.flush();
        if (this.store) {
          const svg = await runCurvesSvg(this.store.readMetrics(tracker.runId), spec.runName).catch((e: Error) => (log(`${label} plot failed: ${e.message}`), undefined));
          if (svg) await tracker.logArtifact('plots/training-curves.svg', svg);
        }
        await tracker.setTags({
          'anneal.final': JSON.stringify(result.final),
          'anneal.steps': String(result.steps),
          'anneal.epochs': String(result.epochs),
          ...(result.diverged ? { 'anneal.diverged': 'true' } : {}),
        });
        if (options.afterTrial) await options.afterTrial(outcome, tracker, plan);
      } else {
        log(`${label} stopped at step ${result.steps}; continue with: anneal run --resume ${tracker.runId}`);
      }
      await tracker.logArtifact('run.log', `${earlierLog}${runLog.join('\n')}\n`);
      await tracker.end(result.status === 'STOPPED' ? 'KILLED' : result.status);
      return outcome;
    } catch (error) {
      const killed = options.signal?.aborted;
      if (trainer) await trainer.fail(killed ? 'KILLED' : 'FAILED', error, 0).catch(() => undefined);
      await copying;
      runLog.push(`FAILED: ${(error as Error).stack ?? String(error)}`);
      await tracker.logArtifact('run.log', `${earlierLog}${runLog.join('\n')}\n`).catch(() => undefined);
      await tracker.end(killed ? 'KILLED' : 'FAILED', (error as Error).message);
      throw error;
    } finally {
      trainer?.dispose();
      plan?.model.instance.dispose();
      if (plan && !options.datasets) plan.dataset.instance.dispose?.();
    }
  }
}

export type { RunTracker };
