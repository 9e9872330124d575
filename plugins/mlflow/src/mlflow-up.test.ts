// `anneal mlflow up` against the real mlflow executable of the pinned venv.
import test from 'ava';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runMlflowCommand } from './cli/commands.js';
import { isPortFree } from './cli/mlflow-up.js';
import { MlflowClient } from './client/mlflow-client.js';
import { VENV_MISSING_MESSAGE, findVenvMlflow, freePort } from './testing/mlflow-server.js';
import { waitFor } from './testing/fixtures.js';

test('`anneal mlflow up` serves SQLite + artifacts under ANNEAL_HOME/mlflow, prints the URI, stops cleanly on SIGINT', async (t) => {
  const exe = findVenvMlflow();
  if (!exe) throw new Error(VENV_MISSING_MESSAGE);
  const cwd = mkdtempSync(join(tmpdir(), 'anneal-up-'));
  const home = join(cwd, '.anneal');
  const port = await freePort();
  const out: string[] = [];
  const err: string[] = [];
  const env = { ...process.env, PATH: `${dirname(exe)}:${process.env.PATH ?? ''}`, ANNEAL_HOME: home };
  const done = runMlflowCommand(['up', '--port', String(port)], { env, cwd, out: (l) => out.push(l), err: (l) => err.push(l) });
  try {
    await waitFor(() => out.some((l) => l.includes('Press Ctrl-C')), 120_000, 'the server to come up');
    t.true(out.includes(`  export MLFLOW_TRACKING_URI=http://127.0.0.1:${port}`));
    const client = new MlflowClient({ trackingUri: `http://127.0.0.1:${port}` });
    t.true(await client.health());
    const { experiment } = await client.getOrCreateExperiment('up-test');
    t.is(experiment.artifact_location, `mlflow-artifacts:/${experiment.experiment_id}`);
    t.true(existsSync(join(home, 'mlflow', 'mlflow.db')));
    t.true(existsSync(join(home, 'mlflow', 'artifacts')));
    t.false(await isPortFree(port));
  } finally {
    process.emit('SIGINT' as never);
  }
  t.is(await done, 0);
  t.true(out.includes('MLflow stopped.'));
  t.true(await isPortFree(port), 'the server is gone after Ctrl-C');
  t.deepEqual(err, []);
  rmSync(cwd, { recursive: true, force: true });
});
