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

/** "1 TensorFlow thread", "2 TensorFlow threads". */
export function formatTensorflowThreads(n: number): string {
  return `${n} TensorFlow thread${n === 1 ? '' : 's'}`;
}

/** A line for the run's log when a trial asked for other threads than the process's TensorFlow has (undefined: none). */
export function tensorflowThreadsNote(asked: number | undefined, inUse: number | undefined): string | undefined {
  if (asked === undefined || inUse === undefined || asked === inUse) return undefined;
  return `training.tensorflowThreads = ${asked}, but TensorFlow was already loaded in this process with ${inUse} thread${inUse === 1 ? '' : 's'} (ANNEAL_TF_THREADS or an earlier run); this run uses ${inUse} and records tensorflow_threads=${inUse}`;
}
