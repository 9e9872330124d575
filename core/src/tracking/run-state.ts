import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { RunMeta, RunState } from './tracker.js';

/** How often a running process refreshes `heartbeatAt` unless told otherwise (ANNEAL_HEARTBEAT_SECONDS). */
export const DEFAULT_HEARTBEAT_MS = 30_000;

/** A run's observed state, with the evidence when it differs from the stored status. */
export interface ObservedState {
  readonly state: RunState;
  readonly reason?: string;
}

/** What the observer knows about the world: the clock, its own host, and which pids are alive here. */
export interface LivenessProbe {
  readonly now: number;
  readonly hostname: string;
  isAlive(pid: number): boolean;
}

/**
 * How long a RUNNING run may stay silent before it counts as STALE: four missed heartbeats plus a
 * minute of slack (a long evaluation or checkpoint write blocks the heartbeat), 3 min at the default.
 */
export function staleAfterMs(meta: Pick<RunMeta, 'heartbeatEveryMs'>): number {
  return 4 * (meta.heartbeatEveryMs ?? DEFAULT_HEARTBEAT_MS) + 60_000;
}

/**
 * The honest state of a run. A stored status other than RUNNING is final and shown as is. A RUNNING
 * run is DEAD when it was started on this host and its pid is gone; STALE when it gave no sign of
 * life for `staleAfterMs` (another host, a hung process, a reused pid, or a run that recorded no pid);
 * else RUNNING. `lastSignOfLife` is the newest heartbeat or write the caller saw.
 */
export function observeRunState(meta: RunMeta, probe: LivenessProbe, lastSignOfLife = meta.heartbeatAt ?? meta.startTime): ObservedState {
  if (meta.status !== 'RUNNING') return { state: meta.status };
  const silentMs = probe.now - Math.max(lastSignOfLife, meta.startTime);
  const limitMs = staleAfterMs(meta);
  const where = meta.pid !== undefined ? `process ${meta.pid} on ${meta.hostname ?? 'an unknown host'}` : 'a process that recorded no pid';
  if (meta.pid !== undefined && meta.hostname === probe.hostname) {
    if (!probe.isAlive(meta.pid)) return { state: 'DEAD', reason: `${where} (this host) is gone; last sign of life ${formatDuration(silentMs)} ago` };
    if (silentMs > limitMs) return { state: 'STALE', reason: `${where} (this host) exists but gave no heartbeat for ${formatDuration(silentMs)} (limit ${formatDuration(limitMs)}): hung, or its pid was reused` };
    return { state: 'RUNNING' };
  }
  if (silentMs > limitMs) return { state: 'STALE', reason: `no heartbeat from ${where} for ${formatDuration(silentMs)} (limit ${formatDuration(limitMs)})` };
  return { state: 'RUNNING' };
}

/** The probe of this process: the wall clock, os.hostname() and signal 0 (a zombie counts as gone). */
export function localProbe(now = Date.now()): LivenessProbe {
  return { now, hostname: hostname(), isAlive: isProcessAlive };
}

/** True when a process with this pid exists on this host and is not a zombie. */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/** Linux only: a killed process nobody has reaped yet still answers signal 0. */
function isZombie(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  try {
    const text = readFileSync(stat, 'utf8');
    // "<pid> (<comm>) <state> …"; comm may contain spaces and parentheses.
    return text.slice(text.lastIndexOf(')') + 2, text.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

/** 45 s, 3 min, 2 h 5 min, 3 d 4 h. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}
