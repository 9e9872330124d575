import { AnnealError, type RunTracker } from '@anneal/core';
import { MlflowClient, type MlflowEnvConfig } from '@anneal/tracker-mlflow';
import type { TrialExecutor } from '../execute/executor.js';
import { MlflowRunSource } from '../report/mlflow-source.js';
import { SWEEP_MANIFEST, type SweepManifest } from '../report/sweep-manifest.js';
import type { SweepOptions } from '../sweep/run-sweep.js';
import { QueueExecutor } from './queue-executor.js';
import type { QueueConnection } from './queue-url.js';
import type { RetryPolicy } from './trial-queue.js';

/** Waits until the sweep run exists on the MLflow server (the MLflow tracker creates it in the background). */
async function sweepMlflowRunId(tracker: RunTracker, trackingUri: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const id = (tracker as RunTracker & { mlflowRunId?: string }).mlflowRunId;
    if (id) return id;
    if (!('mlflowRunId' in tracker)) throw new AnnealError('ANNEAL_ERR_TRACKING_URI', 'a queued sweep needs the MLflow tracker (set MLFLOW_TRACKING_URI).');
    if (Date.now() > deadline) {
      throw new AnnealError('ANNEAL_ERR_TRACKING', `the sweep run did not reach MLflow at ${trackingUri} within ${Math.round(timeoutMs / 1000)} s; is the server up (anneal mlflow up)? Nothing was enqueued.`);
    }
    await tracker.flush();
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface QueueSweepOptions {
  readonly connection: QueueConnection;
  readonly mlflow: MlflowEnvConfig;
  readonly retry?: RetryPolicy;
  readonly detach?: boolean;
}

/**
 * The runSweep options that send a sweep's trials through the queue: the sweep run (and its
 * manifest) are put on MLflow first, the trials are enqueued nested under it, and the end-of-sweep
 * report reads the trial runs from MLflow, where the workers wrote them.
 */
export function queueSweepOptions(options: QueueSweepOptions): Pick<SweepOptions, 'executor' | 'reportSource' | 'detach'> {
  const client = MlflowClient.fromConfig(options.mlflow);
  const executor = async ({ tracker, manifest, backend }: { tracker: RunTracker; manifest: SweepManifest; backend: string }): Promise<TrialExecutor> => {
    const mlflowRunId = await sweepMlflowRunId(tracker, client.trackingUri, 30_000);
    const run = await client.getRun(mlflowRunId);
    // Other machines read the manifest (anneal report, --status) before the sweep ends.
    await client.uploadArtifact(run.info.artifact_uri ?? '', SWEEP_MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
    await tracker.setTags({ 'anneal.queue': options.connection.safeUrl });
    return new QueueExecutor({
      connection: options.connection,
      sweep: { sweepId: tracker.runId, recipe: manifest.recipe.name, quick: manifest.quick, createdAt: manifest.createdAt, sweepMlflowRunId: mlflowRunId },
      experimentId: run.info.experiment_id,
      backend,
      retry: options.retry,
      detach: options.detach,
    });
  };
  return { executor, reportSource: new MlflowRunSource(client, { experimentId: options.mlflow.experimentId, experimentName: options.mlflow.experimentName }), detach: options.detach };
}
