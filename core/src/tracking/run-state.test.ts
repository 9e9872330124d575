import test from 'ava';
import { formatDuration, isProcessAlive, observeRunState, staleAfterMs, type LivenessProbe } from './run-state.js';
import type { RunMeta } from './tracker.js';

const T0 = 1_700_000_000_000;
const base: RunMeta = { runId: 'r1', runName: 'r', status: 'RUNNING', startTime: T0, recipe: 'x', seed: 1, backend: 'cpu', pid: 4242, hostname: 'here', heartbeatAt: T0, heartbeatEveryMs: 30_000 };
const probe = (now: number, alive: readonly number[] = [4242]): LivenessProbe => ({ now, hostname: 'here', isAlive: (pid) => alive.includes(pid) });

test('the stale limit is four heartbeats plus a minute: 3 min at the default 30 s, 100 s at 10 s', (t) => {
  t.is(staleAfterMs({}), 180_000);
  t.is(staleAfterMs({ heartbeatEveryMs: 30_000 }), 180_000);
  t.is(staleAfterMs({ heartbeatEveryMs: 10_000 }), 100_000);
});

test('an ended run shows its stored status, whatever its process does', (t) => {
  for (const status of ['FINISHED', 'FAILED', 'KILLED'] as const) {
    t.deepEqual(observeRunState({ ...base, status }, probe(T0 + 10 * 86_400_000, [])), { state: status });
  }
});

test('same host: a gone pid is DEAD at once; an alive pid is RUNNING until it is silent past the limit', (t) => {
  const dead = observeRunState(base, probe(T0 + 5_000, []));
  t.is(dead.state, 'DEAD');
  t.is(dead.reason, 'process 4242 on here (this host) is gone; last sign of life 5 s ago');
  t.deepEqual(observeRunState(base, probe(T0 + 180_000)), { state: 'RUNNING' }, 'exactly at the limit: still running');
  t.is(observeRunState(base, probe(T0 + 180_001)).state, 'STALE', 'one ms past the limit');
  t.is(observeRunState(base, probe(T0 + 300_000)).reason, 'process 4242 on here (this host) exists but gave no heartbeat for 5 min (limit 3 min): hung, or its pid was reused');
  t.deepEqual(observeRunState(base, probe(T0 + 400_000), T0 + 300_000), { state: 'RUNNING' }, 'a newer sign of life (a metric append) counts');
});

test('another host: only the heartbeat can tell, so the run is STALE once silent past the limit, never DEAD', (t) => {
  const there: RunMeta = { ...base, hostname: 'elsewhere' };
  t.deepEqual(observeRunState(there, probe(T0 + 170_000, [])), { state: 'RUNNING' }, 'the local pid table says nothing about another host');
  const stale = observeRunState(there, probe(T0 + 600_000, []));
  t.is(stale.state, 'STALE');
  t.is(stale.reason, 'no heartbeat from process 4242 on elsewhere for 10 min (limit 3 min)');
});

test('a run that recorded no pid (made before heartbeats) is judged by its last write', (t) => {
  const { pid: _p, hostname: _h, heartbeatAt: _b, heartbeatEveryMs: _e, ...legacy } = base;
  t.deepEqual(observeRunState(legacy, probe(T0 + 60_000, [])), { state: 'RUNNING' });
  t.deepEqual(observeRunState(legacy, probe(T0 + 3_600_000, []), T0 + 3_500_000), { state: 'RUNNING' }, 'metrics appended 100 s ago');
  const stale = observeRunState(legacy, probe(T0 + 7_200_000, []), T0 + 3_600_000);
  t.is(stale.state, 'STALE');
  t.is(stale.reason, 'no heartbeat from a process that recorded no pid for 60 min (limit 3 min)');
});

test('durations read as a person would say them', (t) => {
  t.is(formatDuration(0), '0 s');
  t.is(formatDuration(119_400), '119 s');
  t.is(formatDuration(120_000), '2 min');
  t.is(formatDuration(7_500_000), '2 h 5 min');
  t.is(formatDuration((3 * 24 + 4) * 3_600_000), '3 d 4 h');
});

test('isProcessAlive: this process is, pid 0 and negative pids are not', (t) => {
  t.true(isProcessAlive(process.pid));
  t.false(isProcessAlive(0));
  t.false(isProcessAlive(-1));
});
