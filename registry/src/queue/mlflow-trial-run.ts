import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMlflowError, type MlflowClient, type Run } from '@anneal/tracker-mlflow';
import type { CheckpointCopy } from '../execute/trial-job.js';
import { parseFinal } from '../report/local-source.js';
import type { TrialOutcome } from '../trials/trial-spec.js';
import type { QueuedTrial } from './trial-queue.js';

/** Where a queued trial keeps its latest checkpoint among its MLflow run's artifacts. */
export const CHECKPOINT_ARTIFACTS = 'checkpoint';
const LATEST = `${CHECKPOINT_ARTIFACTS}/latest.json`;

const quote = (s: string) => `'${s.replace(/'/g, "\\'")}'`;
const tagsOf = (run: Run): Record<string, string> => Object.fromEntries((run.data?.tags ?? []).map((t) => [t.key, t.value]));

/** The trial's MLflow run under its sweep (every attempt on every worker writes this one run). */
export async function findTrialRun(client: MlflowClient, trial: QueuedTrial): Promise<Run | undefined> {
  const filter = `tags.\`anneal.trial_id\` = ${quote(trial.spec.id)} and tags.\`mlflow.parentRunId\` = ${quote(trial.sweepMlflowRunId)}`;
  const { runs } = await client.searchRuns({ experimentIds: [trial.experimentId], filter, maxResults: 10, orderBy: ['attributes.start_time ASC'] });
  return runs.find((r) => r.info.status === 'FINISHED') ?? runs[0];
}

/**
 * Creates the trial's MLflow run, nested under the sweep's, before any worker trains it: later
 * attempts (a retry, a stalled job taken over by another machine) attach to the same run, so each
 * trial has one MLflow run. (The create is not retried by the client; a job retry looks it up first.)
 */
export async function createTrialRun(client: MlflowClient, trial: QueuedTrial): Promise<Run> {
  return client.createRun({
    experimentId: trial.experimentId,
    runName: trial.spec.runName,
    tags: [
      { key: 'mlflow.parentRunId', value: trial.sweepMlflowRunId },
      { key: 'anneal.trial_id', value: trial.spec.id },
      { key: 'anneal.sweep_id', value: trial.sweepId },
      { key: 'recipe', value: trial.spec.recipe.name },
    ],
  });
}

/** Uploads one checkpoint under checkpoint/<step>/, then points checkpoint/latest.json at it (a reader never sees half a pair). */
export async function uploadCheckpoint(client: MlflowClient, artifactUri: string, copy: CheckpointCopy): Promise<void> {
  const dir = `${CHECKPOINT_ARTIFACTS}/step-${copy.step}`;
  await client.uploadArtifact(artifactUri, `${dir}/checkpoint.bin`, copy.bin, { contentType: 'application/octet-stream' });
  await client.uploadArtifact(artifactUri, `${dir}/checkpoint.json`, copy.json, { contentType: 'application/json' });
  await client.uploadArtifact(artifactUri, LATEST, `${JSON.stringify({ step: copy.step, dir })}\n`);
}

/** Downloads the run's latest uploaded checkpoint into `checkpointDir`; false when it has none. */
export async function downloadCheckpoint(client: MlflowClient, artifactUri: string, checkpointDir: string): Promise<{ step: number } | undefined> {
  let latest: { step: number; dir: string };
  try {
    latest = JSON.parse((await client.downloadArtifact(artifactUri, LATEST)).toString('utf8')) as { step: number; dir: string };
  } catch (error) {
    if (isMlflowError(error) && error.httpStatus === 404) return undefined;
    throw error;
  }
  const bin = await client.downloadArtifact(artifactUri, `${latest.dir}/checkpoint.bin`);
  const json = await client.downloadArtifact(artifactUri, `${latest.dir}/checkpoint.json`);
  mkdirSync(checkpointDir, { recursive: true });
  writeFileSync(join(checkpointDir, 'checkpoint.bin'), bin);
  writeFileSync(join(checkpointDir, 'checkpoint.json'), json);
  return { step: latest.step };
}

/** The outcome recorded on a FINISHED trial run (a job redelivered after its trial finished does not train again). */
export function outcomeOfRun(run: Run, trial: QueuedTrial): TrialOutcome {
  const tags = tagsOf(run);
  return {
    trialId: trial.spec.id,
    runId: tags['anneal.run_id'] ?? run.info.run_id,
    variant: trial.spec.variant,
    setting: trial.spec.setting,
    seed: trial.spec.seed,
    restart: trial.spec.restart,
    status: 'FINISHED',
    final: parseFinal(tags['anneal.final']),
    steps: Number(tags['anneal.steps'] ?? 0),
    epochs: Number(tags['anneal.epochs'] ?? 0),
    durationMs: (run.info.end_time ?? 0) - (run.info.start_time ?? 0),
  };
}
