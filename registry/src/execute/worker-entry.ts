/**
 * A worker process (forked by the WorkerPoolExecutor): boots anneal once, then runs the trial jobs it
 * is sent, one at a time, through a TrialRunner, each as its own tracked run nested under the job's parent. It stops (ending the
 * current run as KILLED, with a checkpoint) on a 'stop' message, on SIGINT/SIGTERM, or when the
 * sweep process goes away (IPC disconnect) — a second signal exits at once.
 */
import 'reflect-metadata';
import { hostname } from 'node:os';
import { LocalRunStore, resolveAnnealHome, type RunStartInfo, type RunTracker, type Tracker } from '@anneal/core';
import { selectBackend } from '../backend/select-backend.js';
import { bootAnneal, createTracker, type Booted } from '../boot.js';
import { DatasetCache } from '../plan/dataset-cache.js';
import { TrialRunner } from './trial-runner.js';
import type { ParentMessage, WorkerInit, WorkerJob, WorkerMessage } from './worker-protocol.js';

/** A tracker that tells the sweep process the run id of each run it starts (to clean up after a crash). */
class NotifyingTracker implements Tracker {
  constructor(
    private readonly inner: Tracker,
    private readonly onStart: (info: RunStartInfo, tracker: RunTracker) => void,
  ) {}
  get kind(): string {
    return this.inner.kind;
  }
  get location(): string {
    return this.inner.location;
  }
  async startRun(info: RunStartInfo): Promise<RunTracker> {
    const t = await this.inner.startRun(info);
    await t.setTags({ 'anneal.worker_pid': String(process.pid), 'anneal.worker_host': hostname() });
    this.onStart(info, t);
    return t;
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

const controller = new AbortController();
let booted: Booted | undefined;
let init: WorkerInit | undefined;
let runner: TrialRunner | undefined;
const datasets = new DatasetCache(process.env.ANNEAL_DATA_DIR);
let busy = false;
let stopping = false;
let signals = 0;
let currentRunId: string | undefined;

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    try {
      process.send(message, undefined, {}, () => resolve());
    } catch {
      resolve();
    }
  });
}

async function shutdown(code = 0): Promise<never> {
  try {
    await datasets.dispose();
    await booted?.tracker.close();
  } catch {
    // nothing more to do: the local store has everything
  }
  if (process.connected) process.disconnect();
  process.exit(code);
}

function stop(): void {
  if (stopping) return;
  stopping = true;
  controller.abort();
  if (!busy) void shutdown(0);
}

async function boot(message: WorkerInit): Promise<void> {
  init = message;
  try {
    const env = process.env;
    const store = new LocalRunStore(resolveAnnealHome(env));
    const tracker = new NotifyingTracker(createTracker(env, store), (info, t) => {
      const trialId = info.tags?.['anneal.trial_id'];
      currentRunId = t.runId;
      if (trialId) void send({ type: 'started', trialId, runId: t.runId });
    });
    const backend = await selectBackend(message.backend, { tensorflowThreads: message.tensorflowThreads });
    booted = await bootAnneal({ env, pluginModules: message.pluginModules, tracker });
    runner = new TrialRunner(booted.plugins, tracker, store);
    await send({ type: 'ready', workerId: message.workerId, backend: backend.name });
  } catch (error) {
    await send({ type: 'boot-failed', message: (error as Error).message });
    await shutdown(1);
  }
}

async function runJob({ job }: WorkerJob): Promise<void> {
  if (!booted || !init || !runner) return;
  busy = true;
  currentRunId = undefined;
  try {
    const outcome = await runner.run(job, {
      backend: init.backend,
      dataDir: process.env.ANNEAL_DATA_DIR,
      datasets,
      signal: controller.signal,
      tty: false,
      log: (line) => void send({ type: 'log', trialId: job.spec.id, line }),
    });
    await send({ type: 'done', trialId: job.spec.id, outcome });
  } catch (error) {
    await send({ type: 'failed', trialId: job.spec.id, runId: currentRunId, message: (error as Error).message });
  } finally {
    busy = false;
    if (stopping) await shutdown(0);
  }
}

process.on('message', (message: ParentMessage) => {
  switch (message.type) {
    case 'init':
      void boot(message);
      break;
    case 'run':
      if (stopping || busy) return;
      void runJob(message);
      break;
    case 'stop':
      stop();
      break;
    case 'exit':
      stopping = true;
      if (!busy) void shutdown(0);
      break;
  }
});
process.on('disconnect', stop);
const onSignal = () => {
  signals++;
  if (signals > 1) process.exit(130);
  stop();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
