import { AnnealError } from '@anneal/core';
import { openQueue, readSweep, trialJobStatus, type QueuedSweep, type TrialJobStatus } from './trial-queue.js';
import type { QueueConnection } from './queue-url.js';

export interface QueuedSweepStatus {
  readonly sweep: QueuedSweep;
  readonly trials: readonly (TrialJobStatus & { readonly label: string })[];
  readonly counts: { readonly done: number; readonly failed: number; readonly running: number; readonly queued: number; readonly total: number };
}

/** A queued sweep's trials as the queue sees them, from any machine that reaches Redis. */
export async function queuedSweepStatus(connection: QueueConnection, sweepId: string): Promise<QueuedSweepStatus> {
  const queue = openQueue(connection);
  try {
    const sweep = await readSweep(queue, sweepId);
    if (!sweep) throw new AnnealError('ANNEAL_ERR_RUN_UNKNOWN', `no queued sweep '${sweepId}' in ${connection.safeUrl}; give the full sweep id that 'anneal sweep … --queue' printed.`);
    const trials: (TrialJobStatus & { label: string })[] = [];
    for (const t of sweep.trials) trials.push({ ...(await trialJobStatus(queue, sweep.sweepId, t.id)), label: t.label });
    const count = (...states: string[]) => trials.filter((t) => states.includes(t.state)).length;
    return { sweep, trials, counts: { done: count('completed'), failed: count('failed', 'unknown'), running: count('active'), queued: count('waiting', 'delayed', 'prioritized', 'waiting-children'), total: trials.length } };
  } finally {
    await queue.close().catch(() => undefined);
  }
}

export function formatSweepStatus(s: QueuedSweepStatus): string {
  const c = s.counts;
  const lines = [`sweep ${s.sweep.sweepId}: ${s.sweep.recipe}${s.sweep.quick ? ' (quick)' : ''} — ${c.done}/${c.total} done · ${c.failed} failed · ${c.running} running · ${c.queued} queued`];
  for (const t of s.trials) {
    const where = t.progress ? ` on ${t.progress.worker} (attempt ${t.progress.attempt}, MLflow run ${t.progress.mlflowRunId})` : '';
    const why = t.state === 'failed' && t.failedReason ? ` — ${t.failedReason.split('\n')[0]}` : '';
    lines.push(`  ${t.state.padEnd(9)} ${t.label}${where}${why}`);
  }
  return `${lines.join('\n')}\n`;
}
