import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MlflowClient, type Run } from '@anneal/tracker-mlflow';
import { freePort, startMlflowServer, type MlflowTestServer } from '@anneal/tracker-mlflow/testing';
import { startRedisServer, type RedisServer } from '@anneal/registry';
import { startCli, type Running } from '../sweep/sweep-cli.js';

/** A real Redis and a real MLflow server on 127.0.0.1 and free ports, stopped at the end of the file's tests. */
export interface QueueServers {
  readonly redis: RedisServer;
  readonly mlflow: MlflowTestServer;
  readonly client: MlflowClient;
  readonly dir: string;
  /** Starts Redis again on the same port and data directory. */
  restartRedis(): Promise<RedisServer>;
  dispose(): Promise<void>;
}

export async function startQueueServers(options: { password?: string } = {}): Promise<QueueServers> {
  const dir = mkdtempSync(join(tmpdir(), 'anneal-queue-'));
  const port = await freePort();
  const redisOptions = { port, dir: join(dir, 'redis'), appendfsync: 'always' as const, password: options.password };
  let redis = await startRedisServer(redisOptions);
  const mlflow = await startMlflowServer({ dir: join(dir, 'mlflow') });
  const servers: QueueServers = {
    get redis() {
      return redis;
    },
    mlflow,
    client: new MlflowClient({ trackingUri: mlflow.uri }),
    dir,
    restartRedis: async () => (redis = await startRedisServer(redisOptions)),
    dispose: async () => {
      await redis.stop().catch(() => undefined);
      await mlflow.dispose().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return servers;
}

/** The environment of a "machine": its own ANNEAL_HOME, the shared MLflow, short job locks. */
export function machineEnv(servers: QueueServers, name: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ANNEAL_HOME: join(servers.dir, `home-${name}`), MLFLOW_TRACKING_URI: servers.mlflow.uri, ANNEAL_QUEUE_LOCK_MS: '3000', ANNEAL_MLFLOW_END_TIMEOUT: '20', ...extra };
}

/** `anneal worker --queue <url>` as its own machine; resolves once it pulls from the queue. */
export async function startWorker(servers: QueueServers, name: string, extra: NodeJS.ProcessEnv = {}, args: readonly string[] = []): Promise<Running> {
  const w = startCli(['worker', '--queue', servers.redis.url, '--backend', 'cpu', ...args], machineEnv(servers, name, extra));
  await w.waitFor(/pulling trials from/, 120_000);
  return w;
}

export async function stopWorker(w: Running): Promise<{ code: number | null }> {
  if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
  return w.exited;
}

const tagsOf = (run: Run): Record<string, string> => Object.fromEntries((run.data?.tags ?? []).map((t) => [t.key, t.value]));

/** Every MLflow run of every experiment, with its tags. */
export async function allRuns(client: MlflowClient): Promise<(Run & { tags: Record<string, string> })[]> {
  const { experiments } = await client.searchExperiments({ maxResults: 1000 });
  const { runs } = await client.searchRuns({ experimentIds: experiments.map((e) => e.experiment_id), maxResults: 1000 });
  return runs.map((r) => ({ ...r, tags: tagsOf(r) }));
}

/** The trial runs under a sweep (by its anneal run id), from MLflow. */
export async function trialRunsOf(client: MlflowClient, sweepId: string): Promise<(Run & { tags: Record<string, string> })[]> {
  const runs = await allRuns(client);
  const sweep = runs.find((r) => r.tags['anneal.run_id'] === sweepId && r.tags['anneal.kind'] === 'sweep');
  if (!sweep) throw new Error(`sweep ${sweepId} is not in MLflow`);
  return runs.filter((r) => r.tags['mlflow.parentRunId'] === sweep.info.run_id);
}
