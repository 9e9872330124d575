import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { AnnealError } from '../errors/anneal-error.js';
import { didYouMean } from '../errors/nearest-names.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic-write.js';
import { currentGitCommit } from '../util/git-commit.js';
import { Heartbeat } from './heartbeat.js';
import { parentStatusFromChildren, type ChildView } from './parent-status.js';
import { newRunId } from './run-id.js';
import { DEFAULT_HEARTBEAT_MS, localProbe, observeRunState, type LivenessProbe, type ObservedState } from './run-state.js';
import type { MetricPoint, RunMeta, RunStartInfo, RunStatus, RunTracker, Tracker } from './tracker.js';

/** `.anneal` under the working directory, or $ANNEAL_HOME. */
export function resolveAnnealHome(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  return resolve(cwd, env.ANNEAL_HOME && env.ANNEAL_HOME.trim() !== '' ? env.ANNEAL_HOME : '.anneal');
}

/** Everything the store holds about one run. */
export interface StoredRun {
  readonly meta: RunMeta;
  readonly params: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly metrics: readonly MetricPoint[];
}

export interface LocalRunStoreOptions {
  /** How often a running run refreshes `heartbeatAt` in meta.json (default ANNEAL_HEARTBEAT_SECONDS, else 30 s). */
  readonly heartbeatEveryMs?: number;
}

/** ANNEAL_HEARTBEAT_SECONDS (a positive number), else the default. */
export function heartbeatEveryMsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const s = Number(env.ANNEAL_HEARTBEAT_SECONDS);
  return Number.isFinite(s) && s > 0 ? s * 1000 : DEFAULT_HEARTBEAT_MS;
}

/**
 * The local run store: `<home>/runs/<run-id>/` with meta.json, params.json, tags.json,
 * metrics.jsonl (one {key,value,step,timestamp} per line) and artifacts/. JSON files are written
 * atomically; metric lines are appended whole, and a torn last line (crash mid-append) is ignored
 * by the reader. It is the default Tracker and the write-ahead spool for MLflow.
 *
 * Run states: meta.json records the pid and host of the process running the run, and that process
 * refreshes `heartbeatAt` (at most every `heartbeatEveryMs`), so `runState` can tell a run that is
 * running from one whose process died (DEAD, STALE). The stored status is never rewritten for that.
 * A parent whose own process has ended follows its children: when a child starts or ends, the
 * store recomputes the parent's status from theirs (`followChildren`).
 */
export class LocalRunStore implements Tracker {
  readonly kind = 'local';
  readonly home: string;
  readonly heartbeatEveryMs: number;
  constructor(home: string = resolveAnnealHome(), options: LocalRunStoreOptions = {}) {
    this.home = resolve(home);
    this.heartbeatEveryMs = options.heartbeatEveryMs ?? heartbeatEveryMsFromEnv();
  }
  get location(): string {
    return this.runsDir;
  }
  get runsDir(): string {
    return join(this.home, 'runs');
  }
  runDir(runId: string): string {
    return join(this.runsDir, runId);
  }
  hasRun(runId: string): boolean {
    return existsSync(join(this.runDir(runId), 'meta.json'));
  }

  async startRun(info: RunStartInfo): Promise<LocalRunTracker> {
    const resuming = info.runId !== undefined && this.hasRun(info.runId);
    const runId = info.runId ?? newRunId();
    const dir = this.runDir(runId);
    mkdirSync(join(dir, 'artifacts'), { recursive: true });
    const previous = resuming ? this.readMeta(runId) : undefined;
    const meta: RunMeta = {
      ...(previous ?? {}),
      runId,
      runName: info.runName,
      status: 'RUNNING',
      startTime: previous?.startTime ?? Date.now(),
      endTime: undefined,
      error: undefined,
      recipe: info.recipe,
      recipeVersion: info.recipeVersion,
      seed: info.seed,
      backend: info.backend,
      gitCommit: previous?.gitCommit ?? currentGitCommit(),
      parentRunId: info.parentRunId,
      variant: info.variant,
      setting: info.setting,
      annealVersion: ANNEAL_VERSION,
      tags: { ...(previous?.tags ?? {}), ...(info.tags ?? {}) },
      pid: process.pid,
      hostname: hostname(),
      heartbeatAt: Date.now(),
      heartbeatEveryMs: this.heartbeatEveryMs,
      statusFromChildren: undefined,
    };
    writeJsonAtomic(join(dir, 'meta.json'), meta);
    if (!existsSync(join(dir, 'params.json'))) writeJsonAtomic(join(dir, 'params.json'), {});
    if (!existsSync(join(dir, 'tags.json'))) writeJsonAtomic(join(dir, 'tags.json'), {});
    if (info.parentRunId) this.followChildrenQuietly(info.parentRunId);
    return new LocalRunTracker(this, runId, dir, meta.heartbeatAt);
  }

  /**
   * The honest state of a run (see run-state.ts). A parent whose RUNNING status came from its
   * children is as alive as they are. `all` (the store's runs) saves re-reading them for listings.
   */
  runState(meta: RunMeta, probe: LivenessProbe = localProbe(), all?: readonly RunMeta[]): ObservedState {
    if (meta.status !== 'RUNNING') return { state: meta.status };
    if (!meta.statusFromChildren) return observeRunState(meta, probe, this.lastSignOfLife(meta));
    const children = this.childViews(meta.runId, probe, all);
    const verdict = parentStatusFromChildren(children, expectedTrials(meta));
    if (verdict.status !== 'RUNNING') return { state: 'DEAD', reason: `RUNNING as its children were, but their processes are gone (${verdict.error ?? verdict.status})` };
    return children.some((c) => c.state === 'RUNNING') ? { state: 'RUNNING' } : { state: 'STALE', reason: 'RUNNING as its children are, but none of them gave a heartbeat lately' };
  }

  /**
   * Recomputes the status of a parent that no live process owns any more (it ended, or its process
   * died) from its children: all trials FINISHED → FINISHED, any RUNNING → RUNNING, else the worst
   * (parent-status.ts). A parent whose own process is alive (or silent on another host) is left to
   * it. Concurrent callers converge: each re-reads after writing until the parent stops changing.
   * Returns the parent's meta when this call changed it.
   */
  followChildren(parentRunId: string, probe: LivenessProbe = localProbe()): RunMeta | undefined {
    if (!this.hasRun(parentRunId)) return undefined;
    let changed: RunMeta | undefined;
    for (let attempt = 0; attempt < 5; attempt++) {
      const parent = this.readMeta(parentRunId);
      const owned = parent.status === 'RUNNING' && !parent.statusFromChildren && observeRunState(parent, probe, this.lastSignOfLife(parent)).state !== 'DEAD';
      if (owned) return changed;
      const verdict = parentStatusFromChildren(this.childViews(parentRunId, probe), expectedTrials(parent));
      if (parent.statusFromChildren && parent.status === verdict.status && parent.endTime === verdict.endTime && parent.error === verdict.error) return changed;
      changed = { ...parent, status: verdict.status, endTime: verdict.endTime, error: verdict.error, statusFromChildren: true };
      writeJsonAtomic(join(this.runDir(parentRunId), 'meta.json'), changed);
    }
    return changed;
  }

  /** @internal followChildren for run starts and ends: an unreadable parent stays as it was, the child goes on. */
  followChildrenQuietly(parentRunId: string): void {
    try {
      this.followChildren(parentRunId);
    } catch {
      // The child's own record is written; `anneal runs ls` still shows each child's state.
    }
  }

  /** The children of a run, with their observed states and trial ids. */
  childViews(parentRunId: string, probe: LivenessProbe = localProbe(), all: readonly RunMeta[] = this.listRuns()): ChildView[] {
    return all
      .filter((m) => m.parentRunId === parentRunId)
      .map((m) => ({
        runId: m.runId,
        trialId: m.tags?.['anneal.trial_id'] ?? this.readTags(m.runId)['anneal.trial_id'],
        state: this.runState(m, probe, all).state,
        startTime: m.startTime,
        endTime: m.endTime,
      }));
  }

  /** The newest heartbeat or metric append of a run. */
  private lastSignOfLife(meta: RunMeta): number {
    const metrics = join(this.runDir(meta.runId), 'metrics.jsonl');
    const appended = existsSync(metrics) ? statSync(metrics).mtimeMs : 0;
    return Math.max(meta.heartbeatAt ?? 0, appended, meta.startTime);
  }

  /** @internal Refreshes `heartbeatAt` of a run this process is running (never revives an ended run). */
  touchHeartbeat(runId: string, now = Date.now()): void {
    const meta = this.readMeta(runId);
    if (meta.status !== 'RUNNING' || meta.pid !== process.pid) return;
    writeJsonAtomic(join(this.runDir(runId), 'meta.json'), { ...meta, heartbeatAt: now });
  }

  async close(): Promise<void> {}

  /** All runs, newest first. Runs whose meta.json cannot be read are skipped. */
  listRuns(): RunMeta[] {
    if (!existsSync(this.runsDir)) return [];
    const metas: RunMeta[] = [];
    for (const id of readdirSync(this.runsDir)) {
      try {
        metas.push(this.readMeta(id));
      } catch {
        // not a run directory
      }
    }
    return metas.sort((a, b) => b.startTime - a.startTime);
  }

  /** Resolves a full id or a unique prefix (≥ 4 chars) to a run id. */
  resolveRunId(idOrPrefix: string): string {
    if (this.hasRun(idOrPrefix)) return idOrPrefix;
    const ids = this.listRuns().map((m) => m.runId);
    const matches = idOrPrefix.length >= 4 ? ids.filter((id) => id.startsWith(idOrPrefix)) : [];
    if (matches.length === 1) return matches[0];
    if (matches.length > 1) {
      throw new AnnealError('ANNEAL_ERR_RUN_UNKNOWN', `run id prefix '${idOrPrefix}' matches ${matches.length} runs (${matches.slice(0, 3).join(', ')}…); give more characters.`);
    }
    throw new AnnealError(
      'ANNEAL_ERR_RUN_UNKNOWN',
      `no run '${idOrPrefix}' in ${this.runsDir}.${didYouMean(idOrPrefix, ids)} List runs with 'anneal runs ls' (ANNEAL_HOME selects another store).`,
      { runId: idOrPrefix },
    );
  }

  readMeta(runId: string): RunMeta {
    return readJson<RunMeta>(join(this.runDir(runId), 'meta.json'));
  }
  readParams(runId: string): Record<string, string> {
    return readJson<Record<string, string>>(join(this.runDir(runId), 'params.json'), {});
  }
  readTags(runId: string): Record<string, string> {
    return readJson<Record<string, string>>(join(this.runDir(runId), 'tags.json'), {});
  }
  /** Metric points in file order; a torn trailing line is ignored. */
  readMetrics(runId: string): MetricPoint[] {
    const path = join(this.runDir(runId), 'metrics.jsonl');
    if (!existsSync(path)) return [];
    const text = readFileSync(path, 'utf8');
    const lines = text.split('\n');
    const complete = text.endsWith('\n') ? lines.slice(0, -1) : lines.slice(0, -1);
    const points: MetricPoint[] = [];
    for (const line of complete) {
      if (line.trim() === '') continue;
      points.push(JSON.parse(line) as MetricPoint);
    }
    return points;
  }
  readRun(runId: string): StoredRun {
    return { meta: this.readMeta(runId), params: this.readParams(runId), tags: this.readTags(runId), metrics: this.readMetrics(runId) };
  }
  artifactsDir(runId: string): string {
    return join(this.runDir(runId), 'artifacts');
  }
  /** Lists artifact paths relative to artifacts/ (recursive, sorted). */
  listArtifacts(runId: string): string[] {
    const root = this.artifactsDir(runId);
    const out: string[] = [];
    const walk = (rel: string) => {
      const abs = join(root, rel);
      if (!existsSync(abs)) return;
      for (const entry of readdirSync(abs, { withFileTypes: true })) {
        if (entry.name.startsWith('.') && entry.name.endsWith('.tmp')) continue;
        const childRel = rel ? `${rel}/${entry.name}` : entry.name;
        if (entry.isDirectory()) walk(childRel);
        else out.push(childRel);
      }
    };
    walk('');
    return out.sort();
  }
}

/** Package version recorded with every run. */
export const ANNEAL_VERSION = '0.1.0';

/** The number of trials a parent planned (its anneal.trials tag), when it recorded one. */
function expectedTrials(parent: RunMeta): number | undefined {
  const n = Number(parent.tags?.['anneal.trials']);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

function readJson<T>(path: string, fallback?: T): T {
  if (!existsSync(path)) {
    if (fallback !== undefined) return fallback;
    throw new AnnealError('ANNEAL_ERR_RUN_UNKNOWN', `missing ${path}`);
  }
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Tracking of one run in the local store. Metric points are buffered and appended on flush. */
export class LocalRunTracker implements RunTracker {
  private pending: string[] = [];
  private readonly heartbeat: Heartbeat;
  /** `lastBeatAt`: the heartbeat meta.json holds now (the interval runs from it, not from when this tracker was made). */
  constructor(
    private readonly store: LocalRunStore,
    readonly runId: string,
    readonly localDir: string,
    lastBeatAt = Date.now(),
  ) {
    this.heartbeat = new Heartbeat((now) => store.touchHeartbeat(runId, now), store.heartbeatEveryMs, lastBeatAt);
  }

  async logParams(params: Readonly<Record<string, string>>): Promise<void> {
    const path = join(this.localDir, 'params.json');
    const current = readJson<Record<string, string>>(path, {});
    writeJsonAtomic(path, { ...current, ...params });
  }

  async setTags(tags: Readonly<Record<string, string>>): Promise<void> {
    const path = join(this.localDir, 'tags.json');
    const current = readJson<Record<string, string>>(path, {});
    writeJsonAtomic(path, { ...current, ...tags });
  }

  async logMetrics(points: readonly MetricPoint[]): Promise<void> {
    for (const p of points) this.pending.push(JSON.stringify({ key: p.key, value: Number.isFinite(p.value) ? p.value : String(p.value), step: p.step, timestamp: p.timestamp }));
    if (this.pending.length >= 2000) await this.flush();
    this.heartbeat.maybeBeat();
  }

  async logArtifact(relPath: string, data: Uint8Array | string): Promise<void> {
    if (relPath.startsWith('/') || relPath.split('/').includes('..')) throw new AnnealError('ANNEAL_ERR_TRACKING', `artifact path '${relPath}' must be relative, without '..'`);
    writeFileAtomic(join(this.localDir, 'artifacts', relPath), data);
  }

  async flush(): Promise<void> {
    this.heartbeat.maybeBeat();
    if (this.pending.length === 0) return;
    const chunk = `${this.pending.join('\n')}\n`;
    this.pending = [];
    appendFileSync(join(this.localDir, 'metrics.jsonl'), chunk);
  }

  /** Ends the run; a parent that no live process owns follows (LocalRunStore.followChildren). */
  async end(status: Exclude<RunStatus, 'RUNNING'>, error?: string): Promise<void> {
    this.heartbeat.stop();
    await this.flush();
    const meta = this.store.readMeta(this.runId);
    writeJsonAtomic(join(this.localDir, 'meta.json'), { ...meta, status, endTime: Date.now(), ...(error ? { error } : {}) });
    if (meta.parentRunId) this.store.followChildrenQuietly(meta.parentRunId);
  }
}
