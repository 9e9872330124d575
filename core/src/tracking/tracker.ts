/** One metric value, as stored and as sent to MLflow. */
export interface MetricPoint {
  readonly key: string;
  readonly value: number;
  readonly step: number;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
}

export type RunStatus = 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED';

/**
 * What a run is doing as far as anyone can tell: its stored status, except that a RUNNING run whose
 * process is gone shows as DEAD (same host, pid gone) or STALE (no heartbeat for too long).
 */
export type RunState = RunStatus | 'DEAD' | 'STALE';

export interface RunMeta {
  readonly runId: string;
  readonly status: RunStatus;
  readonly startTime: number;
  readonly endTime?: number;
  readonly recipe: string;
  readonly recipeVersion?: number;
  readonly runName: string;
  readonly seed: number;
  readonly backend: string;
  readonly gitCommit?: string;
  readonly parentRunId?: string;
  readonly variant?: string;
  readonly setting?: Readonly<Record<string, unknown>>;
  readonly annealVersion?: string;
  readonly error?: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** The process that runs it (set at every start and resume). */
  readonly pid?: number;
  readonly hostname?: string;
  /** Refreshed by the running process at most every `heartbeatEveryMs`. */
  readonly heartbeatAt?: number;
  readonly heartbeatEveryMs?: number;
  /** The status was set by the store from the run's children (a parent whose own process had ended). */
  readonly statusFromChildren?: boolean;
}

export interface RunStartInfo {
  /** Given when resuming an existing run. */
  readonly runId?: string;
  readonly runName: string;
  readonly recipe: string;
  readonly recipeVersion?: number;
  readonly seed: number;
  readonly backend: string;
  readonly parentRunId?: string;
  readonly variant?: string;
  readonly setting?: Readonly<Record<string, unknown>>;
  readonly tags?: Readonly<Record<string, string>>;
}

/** The tracking of one run. Writes are buffered; `flush` makes them durable. */
export interface RunTracker {
  readonly runId: string;
  /** Directory of the run in the local store (the spool), when there is one. */
  readonly localDir?: string;
  logParams(params: Readonly<Record<string, string>>): Promise<void>;
  setTags(tags: Readonly<Record<string, string>>): Promise<void>;
  logMetrics(points: readonly MetricPoint[]): Promise<void>;
  /** Writes an artifact file at `relPath` (e.g. "model/weights.bin"). */
  logArtifact(relPath: string, data: Uint8Array | string): Promise<void>;
  flush(): Promise<void>;
  end(status: Exclude<RunStatus, 'RUNNING'>, error?: string): Promise<void>;
}

/** Creates run trackers: the local run store, or MLflow on top of it. */
export interface Tracker {
  readonly kind: string;
  /** Where runs can be seen (a directory or a URL). */
  readonly location: string;
  startRun(info: RunStartInfo): Promise<RunTracker>;
  close(): Promise<void>;
}
