import type { RunState, RunStatus } from './tracker.js';

/** What the parent's status is computed from, per child run. */
export interface ChildView {
  readonly runId: string;
  /** Runs of one trial (a restart after a failure, say) share it; a child without one is its own trial. */
  readonly trialId?: string;
  /** The child's observed state (DEAD/STALE for a RUNNING child whose process is gone or silent). */
  readonly state: RunState;
  readonly startTime: number;
  readonly endTime?: number;
}

/** A parent's status as its children say. */
export interface ParentVerdict {
  readonly status: RunStatus;
  /** When the last trial ended (FINISHED verdicts only). */
  readonly endTime?: number;
  /** Why the parent is not FINISHED, with counts. */
  readonly error?: string;
}

const SEVERITY: Record<Exclude<RunStatus, 'RUNNING'>, number> = { FINISHED: 0, KILLED: 1, FAILED: 2 };

/**
 * The status of a parent run from its children, one trial at a time: a trial is FINISHED when any
 * of its runs finished, else it is in the state of its latest run (a DEAD run counts as KILLED, a
 * STALE one as possibly still RUNNING). Trials the parent planned (`expectedTrials`) that have no
 * run at all never started, and count as KILLED. Then: any trial RUNNING → RUNNING; all FINISHED →
 * FINISHED; else the worst (FAILED over KILLED).
 */
export function parentStatusFromChildren(children: readonly ChildView[], expectedTrials?: number): ParentVerdict {
  const byTrial = new Map<string, ChildView[]>();
  for (const c of children) {
    const key = c.trialId ?? `run:${c.runId}`;
    byTrial.set(key, [...(byTrial.get(key) ?? []), c]);
  }
  const trials: { status: RunStatus; endTime?: number }[] = [...byTrial.values()].map((runs) => {
    const finished = runs.filter((r) => r.state === 'FINISHED');
    if (finished.length) return { status: 'FINISHED', endTime: Math.max(...finished.map((r) => r.endTime ?? r.startTime)) };
    const latest = [...runs].sort((a, b) => b.startTime - a.startTime)[0];
    return { status: latest.state === 'DEAD' ? 'KILLED' : latest.state === 'STALE' ? 'RUNNING' : latest.state };
  });
  const notStarted = Math.max(0, (expectedTrials ?? 0) - trials.length);
  const count = (s: RunStatus) => trials.filter((x) => x.status === s).length;
  if (count('RUNNING') > 0) return { status: 'RUNNING' };
  if (notStarted === 0 && count('FINISHED') === trials.length) return { status: 'FINISHED', endTime: Math.max(...trials.map((x) => x.endTime ?? 0)) };
  const worst = trials.reduce<Exclude<RunStatus, 'RUNNING'>>((w, x) => (SEVERITY[x.status as Exclude<RunStatus, 'RUNNING'>] > SEVERITY[w] ? (x.status as Exclude<RunStatus, 'RUNNING'>) : w), notStarted > 0 ? 'KILLED' : 'FINISHED');
  const total = trials.length + notStarted;
  const parts = [`${count('FINISHED')} of ${total} trials FINISHED`];
  if (count('FAILED')) parts.push(`${count('FAILED')} FAILED`);
  if (count('KILLED')) parts.push(`${count('KILLED')} KILLED`);
  if (notStarted) parts.push(`${notStarted} never started`);
  return { status: worst, error: parts.join(', ') };
}
