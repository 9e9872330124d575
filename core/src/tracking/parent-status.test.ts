import test from 'ava';
import { parentStatusFromChildren, type ChildView } from './parent-status.js';

const child = (runId: string, state: ChildView['state'], startTime: number, extra: Partial<ChildView> = {}): ChildView => ({ runId, state, startTime, ...extra });

test('all trials FINISHED → FINISHED, ended when the last trial ended', (t) => {
  t.deepEqual(parentStatusFromChildren([child('a', 'FINISHED', 10, { endTime: 50 }), child('b', 'FINISHED', 60, { endTime: 90 })], 2), { status: 'FINISHED', endTime: 90 });
});

test('any trial RUNNING → RUNNING, even next to a failure; a STALE child may still be running', (t) => {
  t.deepEqual(parentStatusFromChildren([child('a', 'FAILED', 10), child('b', 'RUNNING', 20)], 2), { status: 'RUNNING' });
  t.deepEqual(parentStatusFromChildren([child('a', 'FINISHED', 10), child('b', 'STALE', 20)], 2), { status: 'RUNNING' });
});

test('otherwise the worst: FAILED over KILLED; a DEAD child counts as KILLED', (t) => {
  t.deepEqual(parentStatusFromChildren([child('a', 'FINISHED', 1), child('b', 'KILLED', 2), child('c', 'FAILED', 3)], 3), { status: 'FAILED', error: '1 of 3 trials FINISHED, 1 FAILED, 1 KILLED' });
  t.deepEqual(parentStatusFromChildren([child('a', 'FINISHED', 1), child('b', 'DEAD', 2)], 2), { status: 'KILLED', error: '1 of 2 trials FINISHED, 1 KILLED' });
});

test('planned trials without any run never started: the parent cannot be FINISHED', (t) => {
  t.deepEqual(parentStatusFromChildren([child('a', 'FINISHED', 1, { endTime: 5 })], 3), { status: 'KILLED', error: '1 of 3 trials FINISHED, 2 never started' });
  t.deepEqual(parentStatusFromChildren([child('a', 'FINISHED', 1, { endTime: 5 })]), { status: 'FINISHED', endTime: 5 }, 'no plan recorded: the children are all there is');
});

test('runs of one trial: any FINISHED run finishes the trial, else its latest run decides', (t) => {
  const retried = [child('a1', 'FAILED', 1, { trialId: 'A' }), child('a2', 'FINISHED', 2, { trialId: 'A', endTime: 9 })];
  t.deepEqual(parentStatusFromChildren(retried, 1), { status: 'FINISHED', endTime: 9 });
  const relaunched = [child('b1', 'FAILED', 1, { trialId: 'B' }), child('b2', 'KILLED', 5, { trialId: 'B' })];
  t.deepEqual(parentStatusFromChildren(relaunched, 1), { status: 'KILLED', error: '0 of 1 trials FINISHED, 1 KILLED' });
});
