import { openQueue, parseQueueUrl } from '@anneal/registry';
import { startQueueServers, machineEnv, startWorker, stopWorker } from '../queue/queue-kit.js';
import { runToEnd } from '../sweep/sweep-cli.js';

export interface QueueOverhead {
  /** Median time from a job's enqueue to a worker taking it (ms), with 2 idle workers waiting. */
  readonly enqueueToStartMs: number;
  /** Trials/minute of a queued sweep on 2 local `anneal worker` processes (workers up before the sweep). */
  readonly queueRate: number;
  /** Trials/minute of the same sweep on the in-process pool with 2 worker processes (both track to MLflow). */
  readonly poolRate: number;
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Queue overhead on mlp-smoke (tiny trials, about a second each): a real Redis and MLflow server on
 * 127.0.0.1, two `anneal worker` processes, `anneal sweep --queue` vs `anneal sweep --workers 2`.
 * Target: queueRate / poolRate ≥ 0.95.
 */
export async function benchQueueOverhead(options: { seeds?: number; log?: (line: string) => void } = {}): Promise<QueueOverhead> {
  const servers = await startQueueServers();
  const seedArgs = Array.from({ length: options.seeds ?? 6 }, (_, i) => ['--seed', String(i + 1)]).flat();
  const common = ['mlp-smoke', ...seedArgs, '--set', 'dataset.config.testSize=500', '--backend', 'cpu', '--json', '--no-plots'];
  const rate = (stdout: string) => {
    const out = JSON.parse(stdout) as { sweepId: string; counts: { finished: number }; timing: { startedAt: number; trialsEndedAt: number } };
    return { out, rate: (out.counts.finished / (out.timing.trialsEndedAt - out.timing.startedAt)) * 60_000 };
  };
  try {
    const pool = await runToEnd(['sweep', ...common, '--workers', '2'], machineEnv(servers, 'pool'));
    if (pool.code !== 0) throw new Error(`queue bench: pool sweep failed: ${pool.stderr}`);
    const workers = [await startWorker(servers, 'a'), await startWorker(servers, 'b')];
    try {
      const queued = await runToEnd(['sweep', ...common, '--queue', servers.redis.url], machineEnv(servers, 'origin'));
      if (queued.code !== 0) throw new Error(`queue bench: queued sweep failed: ${queued.stderr}`);
      const q = rate(queued.stdout);
      const queue = openQueue(parseQueueUrl(servers.redis.url));
      const jobs = (await queue.getJobs(['completed'])).filter((j) => j.data.sweepId === q.out.sweepId);
      await queue.close();
      // The first two jobs start at once; the rest wait for a free worker, so only those are queue overhead.
      const latencies = jobs.map((j) => (j.processedOn ?? 0) - j.timestamp).sort((a, b) => a - b).slice(0, 2);
      const result = { enqueueToStartMs: median(latencies), queueRate: q.rate, poolRate: rate(pool.stdout).rate };
      options.log?.(`queue: ${q.out.counts.finished} trials, ${result.queueRate.toFixed(1)} trials/min; pool: ${result.poolRate.toFixed(1)} trials/min; enqueue → start ${result.enqueueToStartMs} ms (median of the jobs taken at once)`);
      return result;
    } finally {
      for (const w of workers) await stopWorker(w);
    }
  } finally {
    await servers.dispose();
  }
}
