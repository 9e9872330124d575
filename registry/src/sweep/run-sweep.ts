import { existsSync } from 'node:fs';
import { hostname, availableParallelism } from 'node:os';
import { join } from 'node:path';
import { AnnealError, hasCheckpoint, type Recipe, type RunMeta, type RunTracker } from '@anneal/core';
import type { Booted } from '../boot.js';
import { formatFinal } from '../execute/format-final.js';
import { checkDataLoads } from '../plan/check-data-loads.js';
import { DatasetCache } from '../plan/dataset-cache.js';
import { resolveBase, resolveTrials } from '../trials/resolve-trials.js';
import { tensorflowOversubscriptionNote, tensorflowThreadsOf, workerComputeThreads } from '../backend/tensorflow-threads.js';
import { childProcessEnv } from '../backend/select-backend.js';
import { absoluteModule } from '../trials/plugin-modules.js';
import { checkTrialPlugins } from '../trials/check-trial-plugins.js';
import { WorkerPoolExecutor } from '../execute/worker-pool-executor.js';
import type { TrialExecutor } from '../execute/executor.js';
import type { RunSource } from '../report/report-run.js';
import { shardTrials, type Shard } from './shards.js';
import type { TrialJob, TrialResult } from '../execute/trial-job.js';
import { LocalRunSource, runTags } from '../report/local-source.js';
import { familyMetrics, recipeFactsOf } from '../report/recipe-facts.js';
import { writeReportArtifacts, type ReportResult } from '../report/report-artifacts.js';
import { makeReport } from '../report/run-report.js';
import type { TrialOutcome } from '../trials/trial-spec.js';
import { readSweepManifest, SWEEP_KIND, SWEEP_MANIFEST, type SweepManifest, type SweepTrial } from '../report/sweep-manifest.js';
import { SweepProgress, formatDuration, type ProgressStream } from './sweep-progress.js';
import { workerNoisePrefetchEnv } from './worker-noise-prefetch.js';

export interface SweepOptions {
  /** Recipe or its name (a new sweep); with `resume`, the name must match the sweep's recipe when given. */
  readonly recipe?: string | Recipe;
  /** Sweep run id (or unique prefix) to resume. */
  readonly resume?: string;
  readonly quick?: boolean;
  readonly seeds?: readonly number[];
  readonly variants?: readonly string[];
  readonly sets?: readonly { path: string; value: unknown }[];
  /** --plugin module specifiers (as given; paths are made absolute). */
  readonly pluginModules?: readonly string[];
  /** The resolved backend name (cpu, wasm, tensorflow, …); on resume, undefined = the sweep's. */
  readonly backend?: string;
  /** Worker processes (default: os.availableParallelism()). */
  readonly workers?: number;
  readonly signal?: AbortSignal;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Progress output (default stderr) and TTY override. */
  readonly progress?: ProgressStream;
  readonly tty?: boolean;
  /** Forward every worker log line (epochs, evaluations) to the progress output. */
  readonly verbose?: boolean;
  /** Render plots at the end (default true). */
  readonly plots?: boolean;
  /** Worker entry override (tests). */
  readonly workerEntry?: string;
  /** Runs the trials elsewhere (the BullMQ queue); default: worker processes on this host. */
  readonly executor?: (sweep: { readonly tracker: RunTracker; readonly manifest: SweepManifest; readonly backend: string }) => Promise<TrialExecutor>;
  /** Where the end-of-sweep report reads the trial runs (default: the local store). */
  readonly reportSource?: RunSource;
  /** Return once the executor has the trials (a queue), leaving the sweep run RUNNING. */
  readonly detach?: boolean;
  /** A new sweep of only shard `index` (0-based) of `count` (shards.ts). */
  readonly shard?: Shard;
}

export interface SweepTrialResult {
  readonly trial: SweepTrial;
  readonly status: 'FINISHED' | 'FAILED' | 'KILLED' | 'SKIPPED' | 'NOT_RUN';
  readonly runId?: string;
  readonly message?: string;
  readonly outcome?: TrialOutcome;
  /** Continued from a checkpoint of an earlier attempt. */
  readonly resumed?: boolean;
}

export interface SweepResult {
  readonly sweepId: string;
  readonly recipe: string;
  readonly quick: boolean;
  readonly status: 'FINISHED' | 'FAILED' | 'KILLED';
  readonly workers: number;
  readonly trials: readonly SweepTrialResult[];
  readonly counts: { readonly total: number; readonly skipped: number; readonly finished: number; readonly failed: number; readonly killed: number; readonly notRun: number; readonly resumed: number };
  readonly report?: ReportResult;
  /** Where the sweep's artifacts (summary, plots) are in the local store. */
  readonly artifactsDir: string;
  readonly timing: { readonly startedAt: number; readonly firstWorkerReadyAt?: number; readonly trialsEndedAt: number; readonly endedAt: number };
  readonly resumeCommand?: string;
  /** --detach: the trials were handed over and the sweep run is still RUNNING. */
  readonly detached?: boolean;
}

/** What to do with each trial of a sweep, from its children in the local store. */
export interface TrialPlan<T extends { readonly id: string } = SweepTrial> {
  readonly trial: T;
  readonly action: 'skip' | 'resume' | 'run';
  /** The finished run (skip) or the run to continue (resume). */
  readonly runId?: string;
  /** Stale RUNNING runs of the trial with no checkpoint, to be closed as KILLED. */
  readonly stale: readonly string[];
}

/**
 * Decides per trial: skip (a FINISHED child exists), resume (the latest unfinished child — KILLED,
 * or RUNNING left behind by a crash — has a checkpoint: continue it in place, so the trial keeps one
 * run), or run afresh (no child, a FAILED child, or no checkpoint). Each trial thus ends with exactly
 * one FINISHED run under the sweep.
 */
export function planTrials<T extends { readonly id: string }>(booted: Pick<Booted, 'store'>, sweepId: string, trials: readonly T[]): TrialPlan<T>[] {
  const store = booted.store;
  const children = store.listRuns().filter((m) => m.parentRunId === sweepId);
  const byTrial = new Map<string, RunMeta[]>();
  for (const m of children) {
    const id = runTags(store, m)['anneal.trial_id'];
    if (!id) continue;
    byTrial.set(id, [...(byTrial.get(id) ?? []), m]);
  }
  return trials.map((trial) => {
    const runs = (byTrial.get(trial.id) ?? []).sort((a, b) => b.startTime - a.startTime);
    const finished = runs.find((r) => r.status === 'FINISHED');
    if (finished) return { trial, action: 'skip', runId: finished.runId, stale: [] };
    const latest = runs[0];
    const unfinished = latest && (latest.status === 'KILLED' || latest.status === 'RUNNING');
    const resumable = unfinished && existsSync(join(store.artifactsDir(latest.runId), 'config.json')) && hasCheckpoint(join(store.runDir(latest.runId), 'checkpoint'));
    const stale = runs.filter((r) => r.status === 'RUNNING' && !(resumable && r.runId === latest.runId)).map((r) => r.runId);
    return resumable ? { trial, action: 'resume', runId: latest.runId, stale } : { trial, action: 'run', stale };
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const trialStatus = (r: TrialResult): 'FINISHED' | 'FAILED' | 'KILLED' =>
  r.kind === 'done' ? (r.outcome.status === 'FINISHED' ? 'FINISHED' : r.outcome.status === 'FAILED' ? 'FAILED' : 'KILLED') : 'FAILED';

/**
 * Waits (up to `timeoutMs`) while children of the sweep are RUNNING in a worker process that is
 * still alive on this host (tag anneal.worker_pid): after the sweep process is killed, its workers
 * notice the lost IPC channel, checkpoint and end their runs as KILLED within seconds.
 */
export async function waitForLiveWorkers(booted: Pick<Booted, 'store'>, sweepId: string, say: (line: string) => void, timeoutMs = 120_000): Promise<void> {
  const host = hostname();
  const live = () =>
    booted.store
      .listRuns()
      .filter((m) => m.parentRunId === sweepId && m.status === 'RUNNING')
      .map((m) => ({ m, tags: runTags(booted.store, m) }))
      .filter(({ tags }) => tags['anneal.worker_host'] === host && Number(tags['anneal.worker_pid']) !== process.pid && isAlive(Number(tags['anneal.worker_pid'])));
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (let busy = live(); busy.length > 0; busy = live()) {
    if (Date.now() > deadline) {
      throw new AnnealError('ANNEAL_ERR_RESUME', `trial run(s) ${busy.map((b) => `${b.m.runId} (process ${b.tags['anneal.worker_pid']})`).join(', ')} of sweep ${sweepId} are still running; stop those processes first.`);
    }
    if (!told) say(`sweep: waiting for ${busy.length} worker process(es) of the previous sweep process to end their runs…`);
    told = true;
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Closes a run left RUNNING by a dead process (status + reason), through the tracker so MLflow hears of it too. */
async function closeRun(booted: Booted, runId: string, status: 'FAILED' | 'KILLED', reason: string): Promise<void> {
  const meta = booted.store.readMeta(runId);
  if (meta.status !== 'RUNNING') return;
  const t = await booted.tracker.startRun({
    runId,
    runName: meta.runName,
    recipe: meta.recipe,
    recipeVersion: meta.recipeVersion,
    seed: meta.seed,
    backend: meta.backend,
    parentRunId: meta.parentRunId,
    variant: meta.variant,
    setting: meta.setting,
    tags: meta.tags,
  });
  await t.end(status, reason);
}

/**
 * `anneal sweep`: runs a recipe's trials (variants × grid × seeds × restarts) in N worker processes,
 * each trial its own run nested under one sweep run; resumable; ends with the paper-style summary
 * and plots logged as the sweep run's artifacts.
 */
export async function runSweep(booted: Booted, options: SweepOptions): Promise<SweepResult> {
  const startedAt = Date.now();
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const progressStream = options.progress ?? process.stderr;
  const say = (line: string) => progressStream.write(`${line}\n`);
  const store = booted.store;

  let manifest: SweepManifest;
  let sweep: RunTracker;
  if (options.resume) {
    const sweepId = store.resolveRunId(options.resume);
    const meta = store.readMeta(sweepId);
    const tags = runTags(store, meta);
    if (tags['anneal.kind'] !== SWEEP_KIND) {
      throw new AnnealError('ANNEAL_ERR_RESUME', `run ${sweepId} is not a sweep (anneal.kind=${tags['anneal.kind'] ?? 'none'}); resume single runs with 'anneal run --resume ${sweepId}'.`);
    }
    manifest = readSweepManifest(store.artifactsDir(sweepId), sweepId);
    const asked = typeof options.recipe === 'string' ? options.recipe : options.recipe?.name;
    if (asked && asked !== manifest.recipe.name) {
      throw new AnnealError('ANNEAL_ERR_RESUME', `sweep ${sweepId} is a sweep of '${manifest.recipe.name}', not '${asked}'; drop the recipe name or give the right one.`);
    }
    const pid = Number(tags['anneal.sweep_pid']);
    if (meta.status === 'RUNNING' && tags['anneal.sweep_host'] === hostname() && Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) {
      throw new AnnealError('ANNEAL_ERR_RESUME', `sweep ${sweepId} is still running (process ${pid}); stop it first (Ctrl-C, or kill -INT ${pid}).`);
    }
    if (meta.status === 'FINISHED') say(`sweep ${sweepId} already FINISHED; checking its trials.`);
    if (booted.recipes.has(manifest.recipe.name) && booted.recipes.get(manifest.recipe.name).version !== manifest.recipe.version) {
      say(`sweep: note — recipe ${manifest.recipe.name} is now version ${booted.recipes.get(manifest.recipe.name).version}; the sweep keeps running version ${manifest.recipe.version} as planned.`);
    }
    checkTrialPlugins(booted.plugins, manifest.trials, manifest.pluginModules);
    sweep = await booted.tracker.startRun({
      runId: sweepId,
      runName: meta.runName,
      recipe: meta.recipe,
      recipeVersion: meta.recipeVersion,
      seed: meta.seed,
      backend: options.backend ?? manifest.backend,
      tags: meta.tags,
    });
  } else {
    if (!options.recipe) throw new AnnealError('ANNEAL_ERR_CLI_USAGE', 'sweep: give a recipe name (anneal recipes ls), or --resume <sweep-id>.');
    if (!options.backend) throw new AnnealError('ANNEAL_ERR_BACKEND', 'sweep: no backend resolved.');
    const recipe = typeof options.recipe === 'string' ? booted.recipes.get(options.recipe) : options.recipe;
    const trials = shardTrials(resolveTrials(booted.plugins, recipe, {
      quick: options.quick,
      seeds: options.seeds,
      variants: options.variants,
      sets: options.sets,
      extraPlugins: booted.extraPluginNames,
      pluginModules: (options.pluginModules ?? []).map((m) => absoluteModule(m, cwd)),
    }), options.shard);
    const shardName = options.shard ? ` shard ${options.shard.index}/${options.shard.count}` : '';
    if (trials.length === 0) throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `--shard ${options.shard?.index}/${options.shard?.count} has no trials (the recipe has fewer trials than shards); use fewer shards.`);
    // Workers load the modules the trials' plugins come from (--plugin and the recipe's `load` list).
    const pluginModules = trials[0]?.pluginModules ?? [];
    const datasets = new DatasetCache(env.ANNEAL_DATA_DIR);
    await checkDataLoads(booted.plugins, trials, datasets).finally(() => datasets.dispose());
    const base = resolveBase(recipe, options.quick);
    const quick = Boolean(options.quick);
    sweep = await booted.tracker.startRun({
      runName: `${recipe.name} sweep${quick ? ' (quick)' : ''}${shardName}`,
      recipe: recipe.name,
      recipeVersion: recipe.version,
      seed: trials[0].seed,
      backend: options.backend,
      tags: { 'anneal.kind': SWEEP_KIND, 'anneal.trials': String(trials.length), 'anneal.trial_ids': trials.map((t) => t.id).join(','), 'anneal.quick': String(quick), ...(options.shard ? { 'anneal.shard': `${options.shard.index}/${options.shard.count}` } : {}) },
    });
    manifest = {
      format: 1,
      sweepId: sweep.runId,
      createdAt: Date.now(),
      recipe: recipeFactsOf(recipe, quick, familyMetrics(booted.plugins, recipe)),
      quick,
      seeds: options.seeds,
      sets: options.sets ?? [],
      pluginModules,
      extraPlugins: booted.extraPluginNames,
      backend: options.backend,
      trials,
    };
    await sweep.logParams({ recipe: recipe.name, recipe_version: String(recipe.version), quick: String(quick), trials: String(trials.length), sets: JSON.stringify(manifest.sets), seeds: JSON.stringify(options.seeds ?? base.seeds) });
    await sweep.logArtifact(SWEEP_MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
  }
  const sweepId = sweep.runId;
  const backend = options.backend ?? manifest.backend;
  await sweep.setTags({ 'anneal.sweep_pid': String(process.pid), 'anneal.sweep_host': hostname() });

  // Workers of a sweep process that was killed may still be ending their runs: let them finish first.
  if (options.resume) await waitForLiveWorkers(booted, sweepId, say);
  // What to do with each trial.
  const plans = planTrials(booted, sweepId, manifest.trials);
  for (const p of plans) for (const runId of p.stale) await closeRun(booted, runId, 'KILLED', 'left RUNNING by a sweep process that died; superseded on resume');
  const total = manifest.trials.length;
  const jobs: TrialJob[] = plans
    .filter((p) => p.action !== 'skip')
    .map((p) => ({ spec: p.trial, parentRunId: sweepId, resumeRunId: p.action === 'resume' ? p.runId : undefined, label: `[${p.trial.index + 1}/${total} ${p.trial.label}]` }));
  const skipped = plans.filter((p) => p.action === 'skip');
  const workers = Math.max(1, Math.min(options.workers ?? availableParallelism(), Math.max(1, jobs.length)));
  say(
    `sweep ${sweepId}: ${manifest.recipe.name}${manifest.quick ? ' (quick)' : ''}, ${total} trials` +
      (skipped.length ? ` (${skipped.length} already finished, ${jobs.filter((j) => j.resumeRunId).length} to resume from a checkpoint)` : '') +
      `, ${jobs.length ? (options.executor ? 'queued for anneal worker processes' : `${workers} worker process${workers === 1 ? '' : 'es'}`) : 'nothing to run'}, backend ${backend}; tracking: ${booted.tracker.kind} at ${booted.tracker.location}`,
  );

  const tfThreads = tensorflowThreadsOf(jobs.map((j) => j.spec));
  const oversubscribed = !options.executor && backend.startsWith('tensorflow') && tfThreads !== undefined && env.ANNEAL_TF_THREADS === undefined ? tensorflowOversubscriptionNote(workers, tfThreads, availableParallelism()) : undefined;
  if (oversubscribed) say(oversubscribed);
  const results = new Map<string, SweepTrialResult>();
  for (const p of skipped) results.set(p.trial.id, { trial: p.trial, status: 'SKIPPED', runId: p.runId });
  const progress = new SweepProgress(progressStream, { total, alreadyDone: skipped.length, workers, queued: () => pool.queued, tty: options.tty });
  const pool: TrialExecutor = options.executor
    ? await options.executor({ tracker: sweep, manifest, backend })
    : new WorkerPoolExecutor({
        size: workers,
        init: { pluginModules: manifest.pluginModules, backend, tensorflowThreads: tfThreads },
        env: {
          ...childProcessEnv(env),
          ...workerNoisePrefetchEnv(env, workers, workerComputeThreads(backend, env, tfThreads), availableParallelism()),
          ANNEAL_HOME: store.home,
          ANNEAL_BACKEND: backend,
        },
        cwd,
        entry: options.workerEntry,
      });
  const events = {
      onStart: (job: TrialJob, workerId: number | string) => progress.trialStarted(job.spec.id, job.label, workerId, Boolean(job.resumeRunId)),
      onLog: (line: string) => {
        if (options.verbose) progress.line(`  ${line}`);
      },
      onEnd: async (job: TrialJob, result: TrialResult, workerId: number | string, durationMs: number) => {
        const status = trialStatus(result);
        let message: string | undefined;
        if (result.kind === 'crashed') {
          message = result.message;
          if (result.runId) await closeRun(booted, result.runId, 'FAILED', result.message).catch(() => undefined);
        } else if (result.kind === 'failed') message = result.message;
        const runId = result.kind === 'done' ? result.outcome.runId : result.runId;
        results.set(job.spec.id, { trial: job.spec, status, runId, message, outcome: result.kind === 'done' ? result.outcome : undefined, resumed: Boolean(job.resumeRunId) });
        const final = result.kind === 'done' ? formatFinal(result.outcome.final, job.spec) : '';
        const what = status === 'FINISHED' ? final : status === 'KILLED' ? 'stopped (checkpoint kept)' : (message ?? '').split('\n')[0];
        progress.ended(job.spec.id, status, `${status} ${job.spec.label}${what ? ` — ${what}` : ''} (${formatDuration(durationMs)}, worker ${workerId}${runId ? `, run ${runId.slice(0, 12)}` : ''})`, durationMs);
      },
  };
  const onAbort = () => {
    progress.line(`sweep: interrupted — stopping ${pool.running} running trial(s) (their runs end as KILLED with a checkpoint)…`);
    pool.stop();
  };
  if (options.signal?.aborted) pool.stop();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  let poolError: Error | undefined;
  try {
    await pool.run(jobs, events);
  } catch (error) {
    poolError = error as Error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    progress.close();
  }
  const trialsEndedAt = Date.now();
  if (options.detach && !poolError) {
    await sweep.flush();
    const none = { total, skipped: skipped.length, finished: 0, failed: 0, killed: 0, notRun: 0, resumed: 0 };
    const timing = { startedAt, trialsEndedAt, endedAt: Date.now() };
    return { sweepId, recipe: manifest.recipe.name, quick: manifest.quick, status: 'KILLED', workers, trials: [], counts: none, artifactsDir: store.artifactsDir(sweepId), timing, detached: true };
  }
  for (const job of [...pool.leftover, ...jobs]) if (!results.has(job.spec.id)) results.set(job.spec.id, { trial: job.spec, status: 'NOT_RUN' });
  if (pool.gaveUp) say(`sweep: ${pool.gaveUp}.`);

  const list = manifest.trials.map((t) => results.get(t.id)!);
  const counts = {
    total,
    skipped: list.filter((r) => r.status === 'SKIPPED').length,
    finished: list.filter((r) => r.status === 'FINISHED').length,
    failed: list.filter((r) => r.status === 'FAILED').length,
    killed: list.filter((r) => r.status === 'KILLED').length,
    notRun: list.filter((r) => r.status === 'NOT_RUN').length,
    resumed: list.filter((r) => r.resumed).length,
  };
  const interrupted = Boolean(options.signal?.aborted);
  const status: SweepResult['status'] = interrupted ? 'KILLED' : counts.failed + counts.notRun > 0 || poolError ? 'FAILED' : counts.killed > 0 ? 'KILLED' : 'FINISHED';

  // Summary and plots from the store: every trial of the sweep once (this session's and earlier ones).
  let report: ReportResult | undefined;
  if (counts.finished + counts.skipped > 0) {
    try {
      report = await makeReport({ source: options.reportSource ?? new LocalRunSource(store), target: sweepId, plots: options.plots !== false, liveSweep: true });
      await writeReportArtifacts(sweep, report);
    } catch (error) {
      say(`sweep: the summary could not be built: ${(error as Error).message}`);
    }
  }
  await sweep.setTags({ 'anneal.finished': String(counts.finished + counts.skipped), 'anneal.failed': String(counts.failed) });
  await sweep.end(status, poolError?.message ?? (status === 'KILLED' ? 'interrupted; resume with anneal sweep --resume' : counts.failed ? `${counts.failed} trial(s) failed` : undefined));
  if (poolError) throw poolError;
  const resumeCommand = status === 'FINISHED' ? undefined : `anneal sweep --resume ${sweepId}`;
  return {
    sweepId,
    recipe: manifest.recipe.name,
    quick: manifest.quick,
    status,
    workers,
    trials: list,
    counts,
    report,
    artifactsDir: store.artifactsDir(sweepId),
    timing: { startedAt, firstWorkerReadyAt: pool.firstReadyAt, trialsEndedAt, endedAt: Date.now() },
    resumeCommand,
  };
}
