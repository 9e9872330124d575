import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalRunStore } from '@anneal/core';
import { runToEnd, startCli, tempHome } from '../sweep/sweep-cli.js';
import { allRuns, machineEnv, startQueueServers, startWorker, stopWorker, trialRunsOf, type QueueServers } from './queue-kit.js';

let servers: QueueServers;
test.before(async () => {
  servers = await startQueueServers();
});
test.after.always(async () => {
  await servers?.dispose();
});

// One trial of 4 epochs × 40 steps; a checkpoint at the end of each epoch.
const TRIAL = ['mlp-smoke', '--variant', 'noise', '--seed', '1', '--set', 'dataset.config.trainSize=2000', '--set', 'dataset.config.testSize=200', '--set', 'training.epochs=4', '--backend', 'cpu'];

/** Resolves once the trial's first checkpoint is uploaded to its MLflow run. */
async function firstCheckpointUploaded(servers: QueueServers, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const run of await allRuns(servers.client)) {
      if (!run.tags['anneal.trial_id'] || run.info.status !== 'RUNNING') continue;
      const ok = await servers.client.downloadArtifact(run.info.artifact_uri!, 'checkpoint/latest.json').then(() => true, () => false);
      if (ok) return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no checkpoint reached MLflow');
}

test.serial('a worker killed with SIGKILL mid-trial: the trial continues on the other worker from its MLflow checkpoint, with bit-identical final weights and one MLflow run', async (t) => {
  // The same trial uninterrupted, on this machine alone (no MLflow).
  const home = tempHome(t);
  const ref = await runToEnd(['sweep', ...TRIAL, '--workers', '1', '--json', '--no-plots'], { ANNEAL_HOME: home });
  t.is(ref.code, 0, ref.stderr);
  const refRunId = (JSON.parse(ref.stdout) as { trials: { runId: string }[] }).trials[0].runId;
  const expected = readFileSync(join(new LocalRunStore(home).artifactsDir(refRunId), 'model', 'weights.bin'));

  const doomed = await startWorker(servers, 'doomed');
  const sweep = startCli(['sweep', ...TRIAL, '--queue', servers.redis.url, '--json', '--no-plots'], machineEnv(servers, 'origin'));
  await doomed.waitFor(/attempt 1 on/, 120_000);
  await firstCheckpointUploaded(servers);
  doomed.child.kill('SIGKILL');
  const survivor = await startWorker(servers, 'survivor');
  try {
    const killed = await doomed.exited;
    t.is(killed.signal, 'SIGKILL', doomed.stderr);
    const end = await sweep.exited;
    t.is(end.code, 0, sweep.stderr);
    const out = JSON.parse(sweep.stdout) as { sweepId: string; counts: Record<string, number> };
    t.like(out.counts, { total: 1, finished: 1, failed: 0 });
    t.regex(survivor.stderr, /attempt 2 on .*\n(.*\n)*.*continues from a checkpoint of an earlier attempt/, survivor.stderr);
    t.regex(survivor.stderr, /FINISHED after 160 steps/);
    const runs = await trialRunsOf(servers.client, out.sweepId);
    t.is(runs.length, 1, 'both attempts wrote the one MLflow run of the trial');
    t.is(runs[0].info.status, 'FINISHED');
    const weights = await servers.client.downloadArtifact(runs[0].info.artifact_uri!, 'model/weights.bin');
    t.true(weights.equals(expected), 'final weights are bit-identical to the uninterrupted run');
  } finally {
    t.is((await stopWorker(survivor)).code, 0);
  }
});

test.serial('SIGTERM: the worker checkpoints the running trial, hands it back to the queue and exits 0; another worker finishes it', async (t) => {
  const first = await startWorker(servers, 'first');
  const sweep = startCli(['sweep', ...TRIAL.map((a) => (a === '1' ? '2' : a)), '--queue', servers.redis.url, '--json', '--no-plots'], machineEnv(servers, 'origin'));
  await first.waitFor(/epoch 1 step/, 120_000);
  await new Promise((r) => setTimeout(r, 500));
  t.is((await stopWorker(first)).code, 0, first.stderr);
  t.regex(first.stderr, /stopped/);
  const second = await startWorker(servers, 'second');
  try {
    const end = await sweep.exited;
    t.is(end.code, 0, sweep.stderr);
    t.regex(second.stderr, /continues from a checkpoint of an earlier attempt/);
    const out = JSON.parse(sweep.stdout) as { sweepId: string };
    const runs = await trialRunsOf(servers.client, out.sweepId);
    t.is(runs.length, 1);
    t.is(runs[0].info.status, 'FINISHED');
  } finally {
    await stopWorker(second);
  }
});
