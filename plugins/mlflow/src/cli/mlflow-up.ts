import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join, resolve } from 'node:path';
import { resolveAnnealHome } from '@anneal/core';

/** The mlflow version anneal is tested against (scripts/ensure-mlflow-venv.sh installs it). */
export const PINNED_MLFLOW_VERSION = '3.17.2';

export const INSTALL_HINT = [
  'The `mlflow` Python package is not installed. Install it into ./.mlflow-venv:',
  '',
  `  python3 -m venv .mlflow-venv && .mlflow-venv/bin/pip install mlflow==${PINNED_MLFLOW_VERSION}`,
  '',
  '(or run scripts/ensure-mlflow-venv.sh from the anneal repository), then run `anneal mlflow up` again.',
].join('\n');

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** ./.mlflow-venv/bin/mlflow, then `mlflow` on PATH; undefined when neither exists. */
export function findMlflowExecutable(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string | undefined {
  const venv = join(resolve(cwd, '.mlflow-venv'), 'bin', 'mlflow');
  if (isExecutable(venv)) return venv;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'mlflow');
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const srv = createServer();
    srv.once('error', () => resolvePromise(false));
    srv.listen(port, host, () => srv.close(() => resolvePromise(true)));
  });
}

export async function waitForHealth(url: string, timeoutMs: number, isAlive: () => boolean = () => true): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive()) return false;
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

/** Stops a server started in its own process group: SIGTERM to the group, SIGKILL after `graceMs`. */
export async function stopProcessGroup(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const kill = (sig: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, sig);
    } catch {
      try {
        child.kill(sig);
      } catch {
        // gone
      }
    }
  };
  kill(graceMs <= 0 ? 'SIGKILL' : 'SIGTERM');
  const timer = setTimeout(() => kill('SIGKILL'), Math.max(graceMs, 0));
  await exited;
  clearTimeout(timer);
}

export interface MlflowUpOptions {
  readonly port?: number;
  readonly host?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Stops the server when aborted (the CLI aborts on SIGINT / SIGTERM). */
  readonly signal?: AbortSignal;
  readonly out?: (line: string) => void;
  readonly err?: (line: string) => void;
  /** Called once the server answers /health. */
  readonly onReady?: (uri: string) => void;
  /** Show the server's own log on the terminal instead of writing it to <home>/mlflow/server.log. */
  readonly verbose?: boolean;
}

/**
 * `anneal mlflow up`: serves a local MLflow (SQLite at <home>/mlflow/mlflow.db, artifacts under
 * <home>/mlflow/artifacts, 127.0.0.1) until `signal` aborts; returns the exit code.
 */
export async function runMlflowUp(options: MlflowUpOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const out = options.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const err = options.err ?? ((l: string) => process.stderr.write(`${l}\n`));
  const port = options.port ?? 5000;
  const host = options.host ?? '127.0.0.1';
  const exe = findMlflowExecutable(env, cwd);
  if (!exe) {
    err(INSTALL_HINT);
    return 1;
  }
  if (!(await isPortFree(port, host))) {
    err(`port ${port} on ${host} is in use (another MLflow server?). Choose another: anneal mlflow up --port ${port + 1}`);
    return 1;
  }
  const home = resolveAnnealHome(env, cwd);
  const dir = join(home, 'mlflow');
  const artifacts = join(dir, 'artifacts');
  mkdirSync(artifacts, { recursive: true });
  const backend = `sqlite:///${join(dir, 'mlflow.db')}`;
  const logPath = join(dir, 'server.log');
  const args = ['server', '--host', host, '--port', String(port), '--workers', '1', '--backend-store-uri', backend, '--default-artifact-root', 'mlflow-artifacts:/', '--artifacts-destination', artifacts];
  const logFd = options.verbose ? undefined : openSync(logPath, 'a');
  const child = spawn(exe, args, {
    cwd: dir,
    // Server-side jobs (GenAI evaluation) start 7 extra worker processes anneal does not use.
    env: { ...env, MLFLOW_DISABLE_TELEMETRY: env.MLFLOW_DISABLE_TELEMETRY ?? 'true', MLFLOW_SERVER_ENABLE_JOB_EXECUTION: env.MLFLOW_SERVER_ENABLE_JOB_EXECUTION ?? 'false' },
    detached: true,
    stdio: ['ignore', logFd ?? 'inherit', logFd ?? 'inherit'],
  });
  if (logFd !== undefined) closeSync(logFd);
  let exitCode: number | null = null;
  const exited = new Promise<void>((r) =>
    child.once('exit', (code, sig) => {
      exitCode = code ?? (sig ? 1 : 0);
      r();
    }),
  );
  child.once('error', (e) => err(`could not start ${exe}: ${e.message}`));
  const uri = `http://${host}:${port}`;
  out(`starting MLflow ${exe} (backend ${backend}, artifacts ${artifacts})…`);
  const ready = await waitForHealth(uri, 120_000, () => exitCode === null && !options.signal?.aborted);
  if (!ready) {
    if (exitCode === null) await stopProcessGroup(child);
    if (options.signal?.aborted) return 0;
    err(`MLflow server did not come up.${logFd !== undefined && existsSync(logPath) ? ` Last lines of ${logPath}:\n${tail(logPath, 15)}` : ''}`);
    return 1;
  }
  out(`MLflow is up: ${uri}`);
  out('Log anneal runs to it from another shell with:');
  out(`  export MLFLOW_TRACKING_URI=${uri}`);
  out('Press Ctrl-C to stop the server.');
  options.onReady?.(uri);
  await Promise.race([exited, new Promise<void>((r) => (options.signal?.aborted ? r() : options.signal?.addEventListener('abort', () => r(), { once: true })))]);
  if (exitCode !== null) {
    err(`MLflow server exited with code ${exitCode}.${logFd !== undefined ? ` See ${logPath}.` : ''}`);
    return 1;
  }
  out('stopping MLflow…');
  await stopProcessGroup(child);
  out('MLflow stopped.');
  return 0;
}

function tail(path: string, lines: number): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
