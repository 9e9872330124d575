import type { MetricPoint, RunStartInfo, RunStatus, RunTracker, Tracker } from '@anneal/core';
import { MlflowTracker } from './mlflow-tracker.js';

/** A tracker that knows its runs still in progress. */
export interface KillableTracker extends Tracker {
  readonly inner: Tracker;
  activeRuns(): RunTracker[];
  /** Ends every active run with `status` (children before parents), then closes the inner tracker. */
  endActiveRuns(status: Exclude<RunStatus, 'RUNNING'>, error?: string): Promise<void>;
}

/** Wraps any Tracker (local store or MLflow) so its active runs can be ended on a signal. */
export function killableTracker(inner: Tracker): KillableTracker {
  const active = new Map<RunTracker, number>();
  let order = 0;
  const wrapRun = (run: RunTracker): RunTracker => {
    const wrapped: RunTracker = {
      runId: run.runId,
      localDir: run.localDir,
      logParams: (p: Readonly<Record<string, string>>) => run.logParams(p),
      setTags: (t: Readonly<Record<string, string>>) => run.setTags(t),
      logMetrics: (points: readonly MetricPoint[]) => run.logMetrics(points),
      logArtifact: (rel: string, data: Uint8Array | string) => run.logArtifact(rel, data),
      flush: () => run.flush(),
      // Only the first end() counts: after a signal ended the run as KILLED, the runner's own
      // end('FINISHED' | 'FAILED') must not overwrite it.
      end: async (status, error) => {
        if (!active.has(wrapped)) return;
        active.delete(wrapped);
        await run.end(status, error);
      },
    };
    active.set(wrapped, order++);
    return wrapped;
  };
  return {
    inner,
    get kind() {
      return inner.kind;
    },
    get location() {
      return inner.location;
    },
    startRun: async (info: RunStartInfo) => wrapRun(await inner.startRun(info)),
    close: () => inner.close(),
    activeRuns: () => [...active.keys()],
    endActiveRuns: async (status, error) => {
      // Newest first: nested children end before their parent.
      const runs = [...active.entries()].sort((a, b) => b[1] - a[1]).map(([r]) => r);
      for (const r of runs) await r.end(status, error).catch(() => undefined);
    },
  };
}

export interface KillSignalOptions {
  readonly signals?: readonly NodeJS.Signals[];
  /**
   * Called instead of exiting after the runs were ended and the tracker closed. Default: exit the
   * process with 128 + signal number (130 for SIGINT, 143 for SIGTERM).
   */
  readonly onKilled?: (signal: NodeJS.Signals) => void;
  /** Cap on the MLflow end-of-run delivery after a signal (default 5 s); the rest stays spooled. */
  readonly deliveryBudgetMs?: number;
  readonly log?: (line: string) => void;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };

/**
 * On SIGINT / SIGTERM: ends every active run of `tracker` as KILLED (local store first, MLflow within
 * a short budget; anything undelivered stays spooled for `anneal mlflow sync`), closes the tracker,
 * then exits 130 / 143. A second signal exits at once. Returns a function removing the handlers.
 */
export function installKillSignalHandlers(tracker: KillableTracker, options: KillSignalOptions = {}): () => void {
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  let handling = false;
  const handler = (signal: NodeJS.Signals) => {
    const code = 128 + (SIGNAL_NUMBERS[signal] ?? 1);
    if (handling) {
      log(`${signal} again: exiting now (undelivered data stays spooled; run 'anneal mlflow sync').`);
      process.exit(code);
    }
    handling = true;
    const n = tracker.activeRuns().length;
    log(`${signal}: ending ${n} active run${n === 1 ? '' : 's'} as KILLED…`);
    if (tracker.inner instanceof MlflowTracker) tracker.inner.capEndTimeout(options.deliveryBudgetMs ?? 5_000);
    void (async () => {
      try {
        await tracker.endActiveRuns('KILLED', `interrupted by ${signal}`);
        await tracker.close();
      } catch (error) {
        log(`while ending runs: ${(error as Error).message}`);
      } finally {
        if (options.onKilled) options.onKilled(signal);
        else process.exit(code);
      }
    })();
  };
  const listeners = signals.map((s) => [s, () => handler(s)] as const);
  for (const [s, l] of listeners) process.on(s, l);
  return () => {
    for (const [s, l] of listeners) process.off(s, l);
  };
}
