import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRunStore, type RunMeta } from '@anneal/core';
import { CLI, REPO_ROOT } from '../helpers/run-cli.js';

export const FAIL_FIXTURE = join(REPO_ROOT, 'tests', 'fixtures', 'anneal-plugin-fail-on-seed', 'index.js');

/** Tiny trials: mlp-smoke on 500 images, 1 epoch of 10 steps (about a second each on cpu). */
export const TINY = ['--set', 'dataset.config.trainSize=500', '--set', 'dataset.config.testSize=200', '--set', 'training.epochs=1', '--backend', 'cpu'];

export function tempHome(t: { teardown(fn: () => void): void }): string {
  const home = mkdtempSync(join(tmpdir(), 'anneal-sweep-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  return home;
}

export interface Running {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  /** Resolves when stderr matches (rejects after timeoutMs or on exit without a match). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Exit code (or 128 + signal number style: -1 when killed by a signal). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the real CLI (no TTY) with a private ANNEAL_HOME and no MLflow. */
export function startCli(args: readonly string[], env: NodeJS.ProcessEnv): Running {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ANNEAL_BACKEND: 'cpu', MLFLOW_TRACKING_URI: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const r: Running = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal }))),
    waitFor(re, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = r.stderr.match(re);
          if (m) {
            cleanup();
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${re}; stderr so far:\n${r.stderr}`));
        }, timeoutMs);
        const onClose = () => {
          check();
          cleanup();
          reject(new Error(`process exited before ${re}; stderr:\n${r.stderr}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          child.stderr!.off('data', check);
          child.off('close', onClose);
        };
        child.stderr!.on('data', check);
        child.on('close', onClose);
        check();
      });
    },
  };
  child.stdout!.on('data', (d) => (r.stdout += d));
  child.stderr!.on('data', (d) => (r.stderr += d));
  return r;
}

export async function runToEnd(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const r = startCli(args, env);
  const { code } = await r.exited;
  return { code, stdout: r.stdout, stderr: r.stderr };
}

/** The trial runs of a sweep in a store, with their trial ids. */
export function sweepChildren(home: string, sweepId: string): (RunMeta & { trialId: string })[] {
  const store = new LocalRunStore(home);
  return store
    .listRuns()
    .filter((m) => m.parentRunId === sweepId)
    .map((m) => ({ ...m, trialId: { ...(m.tags ?? {}), ...store.readTags(m.runId) }['anneal.trial_id'] }));
}

/** Waits until no child of the sweep is RUNNING (workers of a killed sweep end their runs). */
export async function settle(home: string, sweepId: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (sweepChildren(home, sweepId).some((m) => m.status === 'RUNNING')) {
    if (Date.now() > deadline) throw new Error('sweep children still RUNNING');
    await new Promise((r) => setTimeout(r, 200));
  }
}
