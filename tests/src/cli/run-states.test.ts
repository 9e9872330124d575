import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRunStore, type RunMeta } from '@anneal/core';
import { CLI, REPO_ROOT, runCli } from '../helpers/run-cli.js';

interface ListedRun extends RunMeta {
  readonly state: string;
  readonly stateReason?: string;
}

function tempHome(t: { teardown(fn: () => void): void }): string {
  const home = mkdtempSync(join(tmpdir(), 'anneal-states-cli-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  return home;
}

/** A real `anneal run` in the background (no TTY), to be signalled; resolves its exit code. */
function startCli(args: readonly string[], home: string): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, env: { ...process.env, ANNEAL_BACKEND: 'cpu', ANNEAL_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => out };
}

/** Polls the store until `find` returns a run (or the process ends, or 120 s pass). */
async function waitForRun(store: LocalRunStore, find: (runs: RunMeta[]) => RunMeta | undefined, cli: { exited: Promise<number | null>; output: () => string }): Promise<RunMeta> {
  let ended = false;
  void cli.exited.then(() => (ended = true));
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && !ended) {
    const found = find(store.listRuns());
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the run never appeared; anneal printed:\n${cli.output()}`);
}

const TRAINING = ['--set', 'training.epochs=12', '--set', 'dataset.config.trainSize=1000'];
const training = (store: LocalRunStore, variant: string) => (runs: RunMeta[]) =>
  runs.find((m) => m.variant === variant && m.status === 'RUNNING' && existsSync(join(store.artifactsDir(m.runId), 'config.json')));

async function listed(home: string): Promise<ListedRun[]> {
  const r = await runCli(['runs', 'ls', '--json'], { env: { ANNEAL_HOME: home } });
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as ListedRun[];
}

test('anneal run SIGKILLed mid-training: runs ls/show (and --json) show its runs DEAD, the stored status still RUNNING', async (t) => {
  const home = tempHome(t);
  const store = new LocalRunStore(home);
  const cli = startCli(['run', 'mlp-smoke', ...TRAINING], home);
  const child = await waitForRun(store, training(store, 'no-noise'), cli);
  cli.child.kill('SIGKILL');
  t.is(await cli.exited, null, 'killed, no exit code');

  const runs = await listed(home);
  t.is(runs.length, 2, 'the parent and the first trial');
  for (const r of runs) {
    t.is(r.status, 'RUNNING', `${r.runName}: stored status untouched`);
    t.is(r.state, 'DEAD', r.runName);
    t.regex(r.stateReason ?? '', new RegExp(`^process ${cli.child.pid} on .+ \\(this host\\) is gone`));
  }
  const table = await runCli(['runs', 'ls'], { env: { ANNEAL_HOME: home } });
  t.regex(table.stdout, new RegExp(`${child.runId.slice(0, 12)}\\s+DEAD\\s`));
  const show = await runCli(['runs', 'show', child.runId, '--json'], { env: { ANNEAL_HOME: home } });
  const shown = JSON.parse(show.stdout) as { meta: RunMeta; state: string; stateReason: string };
  t.is(shown.meta.status, 'RUNNING');
  t.is(shown.state, 'DEAD');
  const text = await runCli(['runs', 'show', child.runId.slice(0, 8)], { env: { ANNEAL_HOME: home } });
  t.regex(text.stdout, new RegExp(`^run ${child.runId}  DEAD  `));
  t.regex(text.stdout, /state DEAD \(stored status RUNNING\): process \d+ on .+ \(this host\) is gone/);
});

test('anneal run Ctrl-C-ed in its last trial (parent KILLED), then that trial resumed: the parent shows FINISHED', async (t) => {
  const home = tempHome(t);
  const store = new LocalRunStore(home);
  const cli = startCli(['run', 'mlp-smoke', ...TRAINING], home);
  const last = await waitForRun(store, training(store, 'noise'), cli);
  cli.child.kill('SIGINT');
  t.is(await cli.exited, 130, cli.output());
  const parentId = last.parentRunId!;
  t.is(store.readMeta(parentId).status, 'KILLED', 'interrupted');
  t.is(store.readMeta(last.runId).status, 'KILLED');
  t.is((await listed(home)).find((r) => r.runId === parentId)?.state, 'KILLED');

  const resumed = await runCli(['run', '--resume', last.runId], { env: { ANNEAL_HOME: home } });
  t.is(resumed.code, 0, resumed.stderr);
  const runs = await listed(home);
  t.deepEqual(runs.map((r) => r.state), ['FINISHED', 'FINISHED', 'FINISHED'], 'parent and both trials');
  const parent = runs.find((r) => r.runId === parentId)!;
  t.is(parent.status, 'FINISHED');
  t.true(parent.statusFromChildren);
  t.is(parent.error, undefined);
  const show = await runCli(['runs', 'show', parentId], { env: { ANNEAL_HOME: home } });
  t.regex(show.stdout, /status FINISHED follows its children/);
});
