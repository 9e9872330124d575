import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { RunStatus } from '@anneal/core';

/** Delivery progress of one local run to one MLflow server. Written only after the server acknowledged. */
export interface TargetState {
  /** Tracking URI without credentials. */
  trackingUri: string;
  experimentId?: string;
  experimentName?: string;
  mlflowRunId?: string;
  /** The MLflow run was not created by anneal but attached to through MLFLOW_RUN_ID. */
  attached?: boolean;
  artifactUri?: string;
  /** Complete lines of metrics.jsonl delivered (the next line to send is this index). */
  metricLinesDelivered: number;
  /** Params delivered: sent key → sent value. */
  params: Record<string, string>;
  /** Tags delivered: sent key → sent value. */
  tags: Record<string, string>;
  /** Artifacts delivered: run-relative path → "<size>:<mtimeMs>" of the file sent. */
  artifacts: Record<string, string>;
  /** The status last set on the MLflow run (RUNNING after create). */
  statusDelivered?: RunStatus;
  endTimeDelivered?: number;
  /** Params the server refused (e.g. a changed value of an immutable param): key → reason. */
  rejected?: Record<string, string>;
  updatedAt?: number;
}

export interface SyncStateFile {
  version: 1;
  /** One entry per tracking URI the run was delivered to. */
  targets: Record<string, TargetState>;
}

export const SYNC_STATE_FILE = 'mlflow-sync.json';
export const SYNC_LOCK_FILE = 'mlflow-sync.lock';

export function emptyTarget(trackingUri: string): TargetState {
  return { trackingUri, metricLinesDelivered: 0, params: {}, tags: {}, artifacts: {} };
}

/**
 * Reads `<runDir>/mlflow-sync.json`. An unreadable file counts as empty: re-delivery is idempotent
 * (the run is found again by its anneal.run_id tag, duplicate metric rows are dropped by the server).
 */
export function readSyncState(runDir: string): SyncStateFile {
  const path = join(runDir, SYNC_STATE_FILE);
  if (!existsSync(path)) return { version: 1, targets: {} };
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as SyncStateFile;
    if (parsed && parsed.version === 1 && parsed.targets && typeof parsed.targets === 'object') return parsed;
  } catch {
    // fall through
  }
  return { version: 1, targets: {} };
}

export function readTargetState(runDir: string, trackingUri: string): TargetState {
  const t = readSyncState(runDir).targets[trackingUri];
  return t ? { ...emptyTarget(trackingUri), ...t } : emptyTarget(trackingUri);
}

/**
 * Replaces this target's entry atomically (temp file + rename). No fsync: losing the newest state
 * in a power cut only means some data is sent again, which the server de-duplicates.
 */
export function writeTargetState(runDir: string, state: TargetState): void {
  const file = readSyncState(runDir);
  file.targets[state.trackingUri] = { ...state, updatedAt: Date.now() };
  const path = join(runDir, SYNC_STATE_FILE);
  const tmp = join(runDir, `.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`);
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

/** The process currently delivering this run, if it is alive (a stale lock is ignored). */
export function lockHolder(runDir: string): number | undefined {
  const path = join(runDir, SYNC_LOCK_FILE);
  if (!existsSync(path)) return undefined;
  try {
    const pid = Number(JSON.parse(readFileSync(path, 'utf8')).pid);
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    if (pid === process.pid) return pid;
    try {
      process.kill(pid, 0);
    } catch (error) {
      // EPERM: the process exists but belongs to someone else.
      return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
    }
    return pid;
  } catch {
    return undefined;
  }
}

export function acquireLock(runDir: string): void {
  writeFileSync(join(runDir, SYNC_LOCK_FILE), JSON.stringify({ pid: process.pid, since: Date.now() }));
}

export function releaseLock(runDir: string): void {
  try {
    const path = join(runDir, SYNC_LOCK_FILE);
    if (existsSync(path) && Number(JSON.parse(readFileSync(path, 'utf8')).pid) === process.pid) rmSync(path, { force: true });
  } catch {
    // ignore
  }
}
