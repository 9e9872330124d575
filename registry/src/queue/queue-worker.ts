import { hostname } from 'node:os';
import { AnnealError, LocalRunStore, resolveAnnealHome } from '@anneal/core';
import { MlflowClient, MlflowTracker, mlflowConfigFromEnv, type MlflowEnvConfig } from '@anneal/tracker-mlflow';
import { DelayedError, Worker, type Job } from 'bullmq';
import { selectBackend } from '../backend/select-backend.js';
import { bootAnneal, type Booted } from '../boot.js';
import { TrialRunner } from '../execute/trial-runner.js';
import { DatasetCache } from '../plan/dataset-cache.js';
import { createTrialRun, downloadCheckpoint, findTrialRun, outcomeOfRun, uploadCheckpoint } from './mlflow-trial-run.js';
import { redactSecrets, type QueueConnection } from './queue-url.js';
import { QUEUE_NAME, type QueuedOutcome, type QueuedTrial, type TrialProgress } from './trial-queue.js';

export interface QueueWorkerOptions {
  readonly connection: QueueConnection;
  readonly env: NodeJS.ProcessEnv;
  /** The backend to run trials on (--backend; default ANNEAL_BACKEND, else auto). */
  readonly backend?: string;
  /** Plugin modules to load at boot (--plugin), besides the ones each trial names. */
  readonly pluginModules?: readonly string[];
  readonly log?: (line: string) => void;
  /** How long a job's lock lasts without renewal: a killed worker's job is taken over after about this long (default 30 s). */
  readonly lockMs?: number;
  /** How often stalled jobs are looked for (default lockMs). */
  readonly stalledIntervalMs?: number;
}

/** MLFLOW_TRACKING_URI is required: trials of a queued sweep are tracked (and checkpointed) on the shared MLflow server. */
export function requireMlflow(env: NodeJS.ProcessEnv, who: string): MlflowEnvConfig {
  const config = mlflowConfigFromEnv(env);
  if (!config) {
    throw new AnnealError(
      'ANNEAL_ERR_TRACKING_URI',
      `${who} with --queue needs MLFLOW_TRACKING_URI (the MLflow server every machine tracks to, e.g. export MLFLOW_TRACKING_URI=http://mlflow-host:5000; start one with 'anneal mlflow up'). Nothing was started.`,
    );
  }
  return config;
}

/**
 * `anneal worker --queue …`: pulls trials from the BullMQ queue one at a time and runs each through a
 * TrialRunner with its plugins, tracked into the trial's one MLflow run (created before the first
 * attempt, attached to by later ones). Every checkpoint is uploaded to that run, so a job taken over
 * after this worker died continues from it on any machine. stop() (SIGTERM) checkpoints the current
 * trial, hands its job back to the queue, and resolves.
 */
export class QueueWorker {
  readonly name = `${hostname()}:${process.pid}`;
  private worker?: Worker<QueuedTrial, QueuedOutcome>;
  private readonly controller = new AbortController();
  private readonly boots = new Map<string, Promise<Booted>>();
  private readonly datasets: DatasetCache;
  private readonly store: LocalRunStore;
  private readonly client: MlflowClient;
  private readonly config: MlflowEnvConfig;
  private readonly log: (line: string) => void;
  private closed?: Promise<void>;

  constructor(private readonly options: QueueWorkerOptions) {
    this.config = requireMlflow(options.env, 'anneal worker');
    this.client = MlflowClient.fromConfig(this.config);
    this.store = new LocalRunStore(resolveAnnealHome(options.env));
    this.datasets = new DatasetCache(options.env.ANNEAL_DATA_DIR);
    const secrets = options.connection.secrets;
    const out = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    this.log = (line) => out(redactSecrets(line, secrets));
  }

  /** The backend every trial of this worker runs on (--backend, else ANNEAL_BACKEND, else auto). */
  backend?: string;

  /** Boots (built-in plugins plus --plugin modules), selects the backend, and starts pulling jobs. */
  async start(): Promise<void> {
    await this.booted([]);
    this.backend = (await selectBackend(this.options.backend ?? this.options.env.ANNEAL_BACKEND ?? 'auto')).name;
    const lockMs = this.options.lockMs ?? 30_000;
    this.worker = new Worker<QueuedTrial, QueuedOutcome>(QUEUE_NAME, (job, token) => this.process(job, token), {
      connection: this.options.connection.options,
      concurrency: 1,
      lockDuration: lockMs,
      stalledInterval: this.options.stalledIntervalMs ?? lockMs,
      maxStalledCount: 3,
      autorun: true,
    });
    let down = false;
    this.worker.on('error', (error) => {
      if (down) return;
      down = true;
      this.log(`worker ${this.name}: Redis at ${this.options.connection.safeUrl} unreachable (${error.message}); reconnecting…`);
    });
    this.worker.on('failed', (job, error) => {
      if (job && !(error instanceof DelayedError)) this.log(`${job.data.label} attempt ${job.attemptsMade} failed on ${this.name}: ${error.message}`);
    });
    this.worker.on('stalled', (jobId) => this.log(`worker ${this.name}: job ${jobId} stalled (its worker died?); it goes back to the queue`));
    this.worker.on('ready', () => {
      if (down) this.log(`worker ${this.name}: reconnected to ${this.options.connection.safeUrl}`);
      down = false;
    });
    this.log(`worker ${this.name}: pulling trials from ${this.options.connection.safeUrl} (queue ${QUEUE_NAME}), backend ${this.backend}; tracking: MLflow at ${this.client.trackingUri}`);
  }

  /** Checkpoints the running trial (its job goes back to the queue), closes the connections; resolves when done. */
  stop(): Promise<void> {
    this.closed ??= (async () => {
      this.controller.abort();
      await this.worker?.close();
      await this.datasets.dispose().catch(() => undefined);
    })();
    return this.closed;
  }

  /** Boots anneal with the plugin modules a trial needs (once per set of modules). */
  private booted(trialModules: readonly string[]): Promise<Booted> {
    const modules = [...new Set([...(this.options.pluginModules ?? []), ...trialModules])].sort();
    const key = modules.join('\n');
    let boot = this.boots.get(key);
    if (!boot) {
      boot = bootAnneal({ env: this.options.env, pluginModules: modules, tracker: this.store }).catch((error: Error) => {
        this.boots.delete(key);
        throw new AnnealError(
          'ANNEAL_ERR_PLUGIN_LOAD',
          `worker ${this.name} cannot load the trial's plugin modules [${modules.join(', ')}]: ${error.message}. Install the package on this machine (npm install …) or give a path that exists on every worker.`,
        );
      });
      this.boots.set(key, boot);
    }
    return boot;
  }

  private async process(job: Job<QueuedTrial, QueuedOutcome>, token?: string): Promise<QueuedOutcome> {
    const trial = job.data;
    const booted = await this.booted(trial.spec.pluginModules ?? []);
    let run = await findTrialRun(this.client, trial);
    if (run?.info.status === 'FINISHED') {
      this.log(`${trial.label} already FINISHED in MLflow run ${run.info.run_id}; not training it again`);
      return { ...outcomeOfRun(run, trial), mlflowRunId: run.info.run_id, worker: this.name };
    }
    run ??= await createTrialRun(this.client, trial);
    const mlflowRunId = run.info.run_id;
    const artifactUri = run.info.artifact_uri ?? '';
    const progress: TrialProgress = { worker: this.name, mlflowRunId, attempt: Math.max(job.attemptsStarted ?? 0, job.attemptsMade + 1) };
    await job.updateProgress(progress as unknown as object);
    this.log(`${trial.label} attempt ${progress.attempt} on ${this.name} → MLflow run ${mlflowRunId}`);
    // One tracker per trial: it attaches the new local run to the trial's MLflow run.
    const tracker = new MlflowTracker({ config: { ...this.config, runId: mlflowRunId }, store: this.store, log: (l) => this.log(`[mlflow] ${l}`) });
    try {
      const outcome = await new TrialRunner(booted.plugins, tracker, this.store).run(
        { spec: trial.spec, label: trial.label },
        {
          backend: this.backend ?? trial.backend,
          dataDir: this.options.env.ANNEAL_DATA_DIR,
          datasets: this.datasets,
          signal: this.controller.signal,
          tty: false,
          log: (line) => this.log(line),
          restoreCheckpoint: async (dir) => Boolean(await downloadCheckpoint(this.client, artifactUri, dir)),
          onCheckpoint: (copy) => uploadCheckpoint(this.client, artifactUri, copy),
        },
      );
      if (outcome.status !== 'FINISHED') {
        // Stopped (SIGTERM) with its checkpoint uploaded: back to the queue, not counted as an attempt.
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError(`${trial.label} checkpointed at step ${outcome.steps} by a stopping worker`);
      }
      return { ...outcome, mlflowRunId, worker: this.name };
    } finally {
      await tracker.close();
    }
  }
}
