import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopProcessGroup, waitForHealth } from '../cli/mlflow-up.js';

/**
 * A real `mlflow server` for tests: 127.0.0.1, a free port, a temporary SQLite database and artifact
 * directory, one worker, telemetry off. `stop()` kills its process group; `start()` brings it back on
 * the same port with the same database (for fault tests).
 */
export interface MlflowTestServer {
  readonly uri: string;
  readonly port: number;
  readonly dir: string;
  readonly backendStoreUri: string;
  readonly artifactsDir: string;
  readonly running: boolean;
  start(): Promise<void>;
  /** SIGTERM to the process group (graceful, ~5 s), or SIGKILL with `hard` (a crash; instant). */
  stop(options?: { hard?: boolean }): Promise<void>;
  /** Stops the server and removes its directory. */
  dispose(): Promise<void>;
}

export const VENV_MISSING_MESSAGE =
  'The MLflow tests need a real MLflow server from the pinned venv, and none was found. ' +
  'Create it from the repository root with:  scripts/ensure-mlflow-venv.sh  (CI: .ci/run does this). ' +
  'Or point MLFLOW_VENV at a venv that has `mlflow` installed.';

/** The `mlflow` executable of ./.mlflow-venv (searched upwards from here and from the cwd) or $MLFLOW_VENV. */
export function findVenvMlflow(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates: string[] = [];
  if (env.MLFLOW_VENV) candidates.push(join(resolve(env.MLFLOW_VENV), 'bin', 'mlflow'));
  for (const start of [dirname(fileURLToPath(import.meta.url)), process.cwd()]) {
    let dir = start;
    for (let i = 0; i < 8; i++) {
      candidates.push(join(dir, '.mlflow-venv', 'bin', 'mlflow'));
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  return candidates.find((c) => existsSync(c));
}

export function freePort(): Promise<number> {
  return new Promise((resolvePromise, rejectPromise) => {
    const srv = createServer();
    srv.once('error', rejectPromise);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePromise(port));
    });
  });
}

export interface StartMlflowServerOptions {
  readonly port?: number;
  /** Directory for mlflow.db, artifacts/ and server.log (default: a new temp dir). */
  readonly dir?: string;
  /** Health deadline (default 90 s). */
  readonly startTimeoutMs?: number;
  readonly extraArgs?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

/** Starts a real MLflow server; throws VENV_MISSING_MESSAGE when the venv is missing (never skips). */
export async function startMlflowServer(options: StartMlflowServerOptions = {}): Promise<MlflowTestServer> {
  const exe = findVenvMlflow(options.env ?? process.env);
  if (!exe) throw new Error(VENV_MISSING_MESSAGE);
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'anneal-mlflow-'));
  const artifactsDir = join(dir, 'artifacts');
  mkdirSync(artifactsDir, { recursive: true });
  const port = options.port ?? (await freePort());
  const backendStoreUri = `sqlite:///${join(dir, 'mlflow.db')}`;
  const uri = `http://127.0.0.1:${port}`;
  const logPath = join(dir, 'server.log');
  let child: ChildProcess | undefined;
  let exited = true;

  const start = async () => {
    if (child && !exited) return;
    const fd = openSync(logPath, 'a');
    child = spawn(
      exe,
      [
        'server',
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--workers',
        '1',
        '--backend-store-uri',
        backendStoreUri,
        '--default-artifact-root',
        'mlflow-artifacts:/',
        '--artifacts-destination',
        artifactsDir,
        ...(options.extraArgs ?? []),
      ],
      { cwd: dir, detached: true, stdio: ['ignore', fd, fd], env: { ...process.env, ...(options.env ?? {}), MLFLOW_DISABLE_TELEMETRY: 'true', MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false' } },
    );
    closeSync(fd);
    exited = false;
    child.once('exit', () => {
      exited = true;
    });
    const ok = await waitForHealth(uri, options.startTimeoutMs ?? 90_000, () => !exited);
    if (!ok) {
      const log = existsSync(logPath) ? readFileSync(logPath, 'utf8').trimEnd().split('\n').slice(-25).join('\n') : '';
      if (child && !exited) await stopProcessGroup(child, 5_000);
      throw new Error(`mlflow server (${exe}) did not answer ${uri}/health within ${(options.startTimeoutMs ?? 90_000) / 1000} s. Last lines of ${logPath}:\n${log}`);
    }
  };
  const stop = async (opts: { hard?: boolean } = {}) => {
    if (child && !exited) await stopProcessGroup(child, opts.hard ? 0 : 10_000);
  };
  await start();
  return {
    uri,
    port,
    dir,
    backendStoreUri,
    artifactsDir,
    get running() {
      return !exited;
    },
    start,
    stop,
    dispose: async () => {
      await stop({ hard: true });
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
