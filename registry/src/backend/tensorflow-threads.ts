import { AnnealError } from '@anneal/core';
import type { TrialSpec } from '../trials/trial-spec.js';

/**
 * The TensorFlow thread count that trials about to run in one process ask for (`training.tensorflowThreads`), for
 * selectBackend. The pools are fixed when TensorFlow loads, so the trials must agree: two different requests are a
 * config error at boot, naming both and the ways out. Undefined when none asks (the default applies).
 */
export function tensorflowThreadsOf(trials: readonly Pick<TrialSpec, 'label' | 'plan'>[]): number | undefined {
  const asked = new Map<number, string>();
  for (const t of trials) {
    const n = t.plan.training.tensorflowThreads;
    if (n !== undefined && !asked.has(n)) asked.set(n, t.label);
  }
  if (asked.size > 1) {
    const list = [...asked].map(([n, label]) => `${n} (${label})`).join(' and ');
    throw new AnnealError(
      'ANNEAL_ERR_CONFIG_VALUE',
      `training.tensorflowThreads differs between the trials of this run: ${list}. TensorFlow's thread pools are fixed for a process, so give all trials one value (--set training.tensorflowThreads=N), run them separately, or set ANNEAL_TF_THREADS.`,
      { key: 'training.tensorflowThreads' },
    );
  }
  return asked.keys().next().value;
}

/**
 * The compute threads of a worker process started with `env` for trials that ask for `asked`: 1 on wasm and cpu; on
 * tensorflow what selectBackend gives it (ANNEAL_TF_THREADS, else the trials' training.tensorflowThreads, else 1).
 */
export function workerComputeThreads(backend: string, env: NodeJS.ProcessEnv, asked: number | undefined): number {
  return backend.startsWith('tensorflow') ? Number(env.ANNEAL_TF_THREADS) || asked || 1 : 1;
}

/** A line for a sweep's log when its workers' TensorFlow threads outnumber the cores (undefined: they do not). */
export function tensorflowOversubscriptionNote(workers: number, asked: number, cores: number): string | undefined {
  if (workers * asked <= cores) return undefined;
  return `note: ${workers} workers × ${asked} TensorFlow threads (training.tensorflowThreads) > ${cores} cores; with fewer cores than threads each step waits for the others. Use --workers ${Math.max(1, Math.floor(cores / asked))} or ANNEAL_TF_THREADS=1.`;
}

/** "1 TensorFlow thread", "2 TensorFlow threads". */
export function formatTensorflowThreads(n: number): string {
  return `${n} TensorFlow thread${n === 1 ? '' : 's'}`;
}

/** A line for the run's log when a trial asked for other threads than the process's TensorFlow has (undefined: none). */
export function tensorflowThreadsNote(asked: number | undefined, inUse: number | undefined): string | undefined {
  if (asked === undefined || inUse === undefined || asked === inUse) return undefined;
  return `training.tensorflowThreads = ${asked}, but TensorFlow was already loaded in this process with ${inUse} thread${inUse === 1 ? '' : 's'} (ANNEAL_TF_THREADS or an earlier run); this run uses ${inUse} and records tensorflow_threads=${inUse}`;
}
