import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Heartbeat } from './heartbeat.js';
import { LocalRunStore } from './local-run-store.js';
import type { RunStartInfo } from './tracker.js';

const CORE_INDEX = fileURLToPath(new URL('../index.js', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tempStore(t: { teardown(fn: () => void): void }, heartbeatEveryMs?: number): LocalRunStore {
  const home = mkdtempSync(join(tmpdir(), 'anneal-states-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  return new LocalRunStore(home, { heartbeatEveryMs });
}

const info = (runName: string, extra: Partial<RunStartInfo> = {}): RunStartInfo => ({ runName, recipe: 'states', seed: 1, backend: 'cpu', ...extra });

/**
 * Starts a run in a real separate node process and SIGKILLs that process once the run is in the
 * store: what a power cut or `kill -9` leaves behind.
 */
async function startRunAndDie(store: LocalRunStore, runInfo: RunStartInfo): Promise<{ runId: string; pid: number }> {
  const script = `import { LocalRunStore } from ${JSON.stringify(CORE_INDEX)};
const run = await new LocalRunStore(process.argv[1]).startRun(JSON.parse(process.argv[2]));
process.stdout.write(run.runId + '\\n');
setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, store.home, JSON.stringify(runInfo)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const runId = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.trim());
    });
    child.on('exit', (code) => reject(new Error(`run process exited early (${code})`)));
  });
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGKILL');
  await exited;
  return { runId, pid: child.pid! };
}

test('a run records its process and host; once that process is SIGKILLed the run shows DEAD, its stored status still RUNNING', async (t) => {
  const store = tempStore(t);
  const { runId, pid } = await startRunAndDie(store, info('doomed'));
  const meta = store.readMeta(runId);
  t.is(meta.status, 'RUNNING', 'nothing rewrote the stored status');
  t.is(meta.pid, pid);
  t.is(typeof meta.hostname, 'string');
  t.is(meta.heartbeatEveryMs, 30_000);
  const observed = store.runState(meta);
  t.is(observed.state, 'DEAD');
  t.regex(observed.reason ?? '', new RegExp(`^process ${pid} on .+ \\(this host\\) is gone`));
  const live = await store.startRun(info('alive'));
  t.deepEqual(store.runState(store.readMeta(live.runId)), { state: 'RUNNING' }, 'a run of this (live) process');
});

test('Heartbeat: beats at most once per interval, on the clock it is given', (t) => {
  const beats: number[] = [];
  const hb = new Heartbeat((now) => beats.push(now), 1000, 0);
  t.false(hb.maybeBeat(999));
  t.true(hb.maybeBeat(1000));
  t.false(hb.maybeBeat(1500));
  t.false(hb.maybeBeat(1999));
  t.true(hb.maybeBeat(2600));
  hb.stop();
  t.false(hb.maybeBeat(10_000), 'stopped');
  t.deepEqual(beats, [1000, 2600]);
});

// Serial: the other tests' synchronous work (git, spawning) would stall this one's clock.
test.serial('the store heartbeat: no meta.json rewrite per logged step, one after the interval, and one from the timer while nothing is logged', async (t) => {
  const store = tempStore(t, 1000);
  const run = await store.startRun(info('beating'));
  const metaPath = join(store.runDir(run.runId), 'meta.json');
  const first = store.readMeta(run.runId).heartbeatAt!;
  const mtime = statSync(metaPath).mtimeMs;
  for (let step = 0; step < 1000; step++) await run.logMetrics([{ key: 'train/loss', value: 1, step, timestamp: Date.now() }]);
  t.true(Date.now() - first < 1000, 'precondition: 1000 steps logged within one interval');
  t.is(store.readMeta(run.runId).heartbeatAt, first, 'no rewrite within the interval');
  t.is(statSync(metaPath).mtimeMs, mtime);
  await sleep(first + 1050 - Date.now());
  await run.logMetrics([{ key: 'train/loss', value: 1, step: 1000, timestamp: Date.now() }]);
  const second = store.readMeta(run.runId).heartbeatAt!;
  t.true(second - first >= 1000, `beat after ${second - first} ms`);
  await sleep(second + 1700 - Date.now()); // nothing logged: the timer (every 500 ms) beats
  t.true(store.readMeta(run.runId).heartbeatAt! - second >= 1000, 'the timer refreshed it');
  await run.end('FINISHED');
  const ended = store.readMeta(run.runId);
  store.touchHeartbeat(run.runId);
  t.deepEqual(store.readMeta(run.runId), ended, 'an ended run is never touched again');
});

test('a parent follows its children once its own process has ended: KILLED → RUNNING on resume → FINISHED; while it runs it is left alone', async (t) => {
  const store = tempStore(t);
  const parent = await store.startRun(info('parent', { tags: { 'anneal.trials': '2' } }));
  const a = await store.startRun(info('a', { parentRunId: parent.runId, tags: { 'anneal.trial_id': 'A' } }));
  await a.end('FINISHED');
  const b = await store.startRun(info('b', { parentRunId: parent.runId, tags: { 'anneal.trial_id': 'B' } }));
  await b.end('KILLED');
  const owned = store.readMeta(parent.runId);
  t.is(owned.status, 'RUNNING', 'the launcher owns its live parent');
  t.is(owned.statusFromChildren, undefined);
  await parent.end('KILLED', 'interrupted');
  t.is(store.readMeta(parent.runId).status, 'KILLED');

  const resumed = await store.startRun(info('b', { runId: b.runId, parentRunId: parent.runId }));
  const running = store.readMeta(parent.runId);
  t.is(running.status, 'RUNNING');
  t.true(running.statusFromChildren);
  t.deepEqual(store.runState(running), { state: 'RUNNING' }, 'as alive as its resumed child');
  await resumed.end('FINISHED');
  const done = store.readMeta(parent.runId);
  t.is(done.status, 'FINISHED');
  t.is(done.endTime, store.readMeta(b.runId).endTime, 'ended when its last trial ended');
  t.is(done.error, undefined, "the interruption's message is gone with it");
  t.is(store.followChildren(parent.runId), undefined, 'idempotent: nothing left to change');
});

test('a parent whose process was SIGKILLed follows its children; trials that never started keep it from FINISHED', async (t) => {
  const store = tempStore(t);
  const { runId: parentId } = await startRunAndDie(store, info('parent', { tags: { 'anneal.trials': '3' } }));
  t.is(store.runState(store.readMeta(parentId)).state, 'DEAD');
  for (const trial of ['A', 'B']) {
    const c = await store.startRun(info(trial, { parentRunId: parentId, tags: { 'anneal.trial_id': trial } }));
    await c.end('FINISHED');
  }
  const parent = store.readMeta(parentId);
  t.is(parent.status, 'KILLED');
  t.is(parent.error, '2 of 3 trials FINISHED, 1 never started');
  t.true(parent.statusFromChildren);
});

test('a parent RUNNING because of a resumed child is DEAD when that child process dies too', async (t) => {
  const store = tempStore(t);
  const parent = await store.startRun(info('parent', { tags: { 'anneal.trials': '1' } }));
  const child = await store.startRun(info('c', { parentRunId: parent.runId }));
  await child.end('KILLED');
  await parent.end('KILLED');
  await startRunAndDie(store, info('c', { runId: child.runId, parentRunId: parent.runId }));
  const meta = store.readMeta(parent.runId);
  t.is(meta.status, 'RUNNING', 'the resume set it RUNNING');
  t.is(store.runState(store.readMeta(child.runId)).state, 'DEAD');
  const observed = store.runState(meta);
  t.is(observed.state, 'DEAD');
  t.is(observed.reason, 'RUNNING as its children were, but their processes are gone (0 of 1 trials FINISHED, 1 KILLED)');
});
