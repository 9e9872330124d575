import test from 'ava';
import { enqueueTrials, openQueue, parseQueueUrl, type QueuedTrial } from '@anneal/registry';
import { FAIL_FIXTURE, TINY, runToEnd, startCli } from '../sweep/sweep-cli.js';
import { allRuns, machineEnv, startQueueServers, startWorker, stopWorker, trialRunsOf, type QueueServers } from './queue-kit.js';

// A password in the Redis URL: it must never reach output, params or tags.
const PASSWORD = 'pw-Zq81xK-secret';
let servers: QueueServers;
test.before(async () => {
  servers = await startQueueServers({ password: PASSWORD });
});
test.after.always(async () => {
  await servers?.dispose();
});

interface SweepJson {
  sweepId: string;
  status: string;
  counts: Record<string, number>;
  trials: { id: string; status: string; seed: number; variant: string; message?: string }[];
}

test.serial('two workers on two "machines" finish a queued sweep, each trial once, with one FINISHED MLflow run each; enqueueing again adds nothing', async (t) => {
  const workers = [await startWorker(servers, 'a'), await startWorker(servers, 'b')];
  try {
    const r = await runToEnd(['sweep', 'mlp-smoke', '--queue', servers.redis.url, '--seed', '1', '--seed', '2', ...TINY, '--json', '--no-plots'], machineEnv(servers, 'origin'));
    t.is(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as SweepJson;
    t.like(out.counts, { total: 4, finished: 4, failed: 0, notRun: 0 });
    const runs = await trialRunsOf(servers.client, out.sweepId);
    t.is(runs.length, 4, 'one MLflow run per trial');
    t.deepEqual(runs.map((x) => x.tags['anneal.trial_id']).sort(), out.trials.map((x) => x.id).sort());
    t.true(runs.every((x) => x.info.status === 'FINISHED'));
    t.true(runs.every((x) => x.tags['anneal.final']?.includes('test/accuracy')), 'final metrics tagged for the report');
    t.regex(r.stderr, /start \[\d\/4 [^\]]+\] \(worker [^)]+:\d+\)/, 'the progress says which worker runs what');
    t.regex(r.stdout, /no-noise/, 'the report was built from MLflow');

    // Enqueueing the same trials again adds nothing.
    const queue = openQueue(parseQueueUrl(servers.redis.url));
    try {
      const before = await queue.getJobCounts();
      const jobs = await queue.getJobs(['completed']);
      const mine = jobs.filter((j) => j.data.sweepId === out.sweepId).map((j) => j.data as QueuedTrial);
      t.is(mine.length, 4);
      t.deepEqual(await enqueueTrials(queue, mine), { added: 0, present: 4 });
      t.deepEqual(await queue.getJobCounts(), before);
    } finally {
      await queue.close();
    }
    const status = await runToEnd(['sweep', '--status', out.sweepId, '--queue', servers.redis.url], machineEnv(servers, 'elsewhere'));
    t.is(status.code, 0, status.stderr);
    t.regex(status.stdout, /4\/4 done · 0 failed · 0 running · 0 queued/);

    // The password never shows: not in any output, not in MLflow params or tags.
    for (const text of [r.stdout, r.stderr, status.stdout, status.stderr, ...workers.map((w) => w.stderr + w.stdout)]) t.false(text.includes(PASSWORD));
    for (const run of await allRuns(servers.client)) {
      const values = [...(run.data?.params ?? []), ...(run.data?.tags ?? [])].map((p) => `${p.key}=${p.value}`).join('\n');
      t.false(values.includes(PASSWORD), `run ${run.info.run_id}`);
    }
  } finally {
    for (const w of workers) t.is((await stopWorker(w)).code, 0, 'SIGTERM: the worker exits 0');
  }
});

test.serial('a trial that throws is retried with backoff, then recorded FAILED; it keeps one MLflow run', async (t) => {
  const worker = await startWorker(servers, 'c', { ANNEAL_FIXTURE_THROW_SEEDS: '2' });
  try {
    const args = ['sweep', 'mlp-smoke', '--queue', servers.redis.url, '--variant', 'noise', '--seed', '2', ...TINY, '--plugin', FAIL_FIXTURE, '--retries', '1', '--retry-backoff', '300', '--json', '--no-plots'];
    const r = await runToEnd(args, machineEnv(servers, 'origin'));
    t.is(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as SweepJson;
    t.is(out.status, 'FAILED');
    t.like(out.counts, { total: 1, finished: 0, failed: 1 });
    t.regex(out.trials[0].message ?? '', /fixture: failing on purpose at step 3 \(after 2 attempts\)/);
    t.is(worker.stderr.match(/attempt \d on/g)?.length, 2, worker.stderr);
    const runs = await trialRunsOf(servers.client, out.sweepId);
    t.is(runs.length, 1);
    t.is(runs[0].info.status, 'FAILED');
  } finally {
    t.is((await stopWorker(worker)).code, 0);
  }
});

test.serial('Redis killed and restarted mid-sweep: workers and the waiting sweep reconnect, and every trial finishes once', async (t) => {
  const workers = [await startWorker(servers, 'd'), await startWorker(servers, 'e')];
  try {
    const args = ['sweep', 'mlp-smoke', '--queue', servers.redis.url, '--seed', '3', '--seed', '4', ...TINY, '--set', 'dataset.config.trainSize=1000', '--set', 'training.epochs=2', '--json', '--no-plots'];
    const sweep = startCli(args, machineEnv(servers, 'origin'));
    await sweep.waitFor(/\[1\/4\] FINISHED/, 180_000);
    servers.redis.process.kill('SIGKILL');
    await servers.redis.stop();
    await new Promise((r) => setTimeout(r, 1500));
    await servers.restartRedis();
    const end = await sweep.exited;
    t.is(end.code, 0, sweep.stderr);
    const out = JSON.parse(sweep.stdout) as SweepJson;
    t.like(out.counts, { total: 4, finished: 4, failed: 0 });
    const runs = await trialRunsOf(servers.client, out.sweepId);
    t.is(runs.length, 4);
    t.true(runs.every((x) => x.info.status === 'FINISHED'));
    t.regex(workers.map((w) => w.stderr).join('\n'), /reconnected to redis:\/\/\*\*\*@127\.0\.0\.1/);
  } finally {
    for (const w of workers) await stopWorker(w);
  }
});
