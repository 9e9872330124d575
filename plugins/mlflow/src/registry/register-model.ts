import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AnnealError, writeFileAtomic, type RunMeta } from '@anneal/core';
import { abortableSleep, type MlflowClient } from '../client/mlflow-client.js';
import { isMlflowError } from '../client/errors.js';
import type { ModelVersion } from '../client/types.js';
import { connect, type MlflowConnectionOptions } from '../sync/sync-runs.js';

export interface RegisterModelOptions extends MlflowConnectionOptions {
  /** Local run id (or unique prefix) whose `model/` artifacts are registered. */
  readonly runId: string;
  /** Registered model name. */
  readonly name: string;
  /** Alias to point at the new version (e.g. "champion"); aliases, not stages. */
  readonly alias?: string;
  readonly description?: string;
  /** How long to wait for the version to become READY (default 60 s). */
  readonly waitMs?: number;
  readonly signal?: AbortSignal;
}

export interface RegisteredVersion {
  readonly name: string;
  readonly version: string;
  readonly source: string;
  readonly mlflowRunId: string;
  readonly localRunId: string;
  readonly status: string;
  readonly alias?: string;
  /** True when an existing version of the same run and source was reused. */
  readonly reused: boolean;
  readonly url: string;
}

const MODEL_DIR = 'model';

/** Alias rules of the server (`_validate_model_alias_name`), checked before any request. */
export function validateAlias(alias: string): void {
  if (!/^[\w-]{1,255}$/.test(alias) || alias.toLowerCase() === 'latest' || /^v\d+$/i.test(alias)) {
    throw new AnnealError('ANNEAL_ERR_CLI_USAGE', `invalid model alias '${alias}': use letters, digits, '_' or '-' (≤ 255), not 'latest' and not 'v<number>'.`, { alias });
  }
}

function q(s: string): string {
  return JSON.stringify(s); // a JSON string is a valid YAML double-quoted scalar
}

/** The MLmodel file (YAML) for anneal's model artifacts. */
export function mlmodelYaml(args: { mlflowRunId: string; meta: RunMeta; files: readonly string[]; created?: Date }): { yaml: string; json: Record<string, unknown> } {
  const created = (args.created ?? new Date()).toISOString().replace('T', ' ').replace('Z', '').replace(/\.(\d{3})$/, '.$1000');
  const has = (f: string) => args.files.includes(`${MODEL_DIR}/${f}`);
  const flavor: Record<string, string> = {
    anneal_version: args.meta.annealVersion ?? 'unknown',
    framework: '@tensorflow/tfjs',
    recipe: args.meta.recipe,
    backend: args.meta.backend,
    anneal_run_id: args.meta.runId,
  };
  if (has('weights.bin')) flavor.weights = 'weights.bin';
  if (has('weights.json')) flavor.weights_manifest = 'weights.json';
  if (has('model-card.md')) flavor.model_card = 'model-card.md';
  const modelUuid = randomBytes(16).toString('hex');
  const lines = [
    `artifact_path: ${MODEL_DIR}`,
    'flavors:',
    '  anneal:',
    ...Object.entries(flavor).map(([k, v]) => `    ${k}: ${q(v)}`),
    `model_uuid: ${q(modelUuid)}`,
    `run_id: ${q(args.mlflowRunId)}`,
    `utc_time_created: ${q(created)}`,
    '',
  ];
  const json = { artifact_path: MODEL_DIR, flavors: { anneal: flavor }, model_uuid: modelUuid, run_id: args.mlflowRunId, utc_time_created: created };
  return { yaml: lines.join('\n'), json };
}

async function waitReady(client: MlflowClient, mv: ModelVersion, waitMs: number, signal?: AbortSignal): Promise<ModelVersion> {
  const deadline = Date.now() + waitMs;
  let current = mv;
  while (current.status === 'PENDING_REGISTRATION' && Date.now() < deadline) {
    await abortableSleep(500, signal);
    current = await client.getModelVersion(mv.name, mv.version, { signal });
  }
  if (current.status === 'FAILED_REGISTRATION') {
    throw new AnnealError('ANNEAL_ERR_TRACKING', `model version ${mv.name}/${mv.version} failed to register: ${current.status_message ?? ''}`);
  }
  return current;
}

/**
 * Registers the `model/` artifacts of a run as a new version of a registered model (created if
 * needed; RESOURCE_ALREADY_EXISTS is fine) and points `alias` at it. Delivers the run first when it
 * is not on the server yet, and writes + uploads `model/MLmodel`. Registering the same run twice
 * reuses its version instead of adding a duplicate.
 */
export async function registerModel(options: RegisterModelOptions): Promise<RegisteredVersion> {
  if (options.alias !== undefined) validateAlias(options.alias);
  const { client, store, session } = connect(options);
  const localRunId = store.resolveRunId(options.runId);
  const meta = store.readMeta(localRunId);
  const files = store.listArtifacts(localRunId);
  if (!files.some((f) => f.startsWith(`${MODEL_DIR}/`) && f !== `${MODEL_DIR}/MLmodel`)) {
    throw new AnnealError(
      'ANNEAL_ERR_TRACKING',
      `run ${localRunId} has no model artifacts (expected ${MODEL_DIR}/weights.bin and ${MODEL_DIR}/weights.json under ${store.artifactsDir(localRunId)}); only runs that saved their final weights can be registered.`,
      { runId: localRunId },
    );
  }
  const callOpts = { signal: options.signal };
  const deliverer = session.deliverer(localRunId);
  await deliverer.ensureRun(callOpts);
  const mlflowRunId = deliverer.mlflowRunId!;
  const mlmodelPath = join(store.artifactsDir(localRunId), MODEL_DIR, 'MLmodel');
  let mlmodelJson: Record<string, unknown> | undefined;
  const current = existsSync(mlmodelPath) ? readFileSync(mlmodelPath, 'utf8') : '';
  if (!current.includes(`run_id: ${q(mlflowRunId)}`)) {
    const { yaml, json } = mlmodelYaml({ mlflowRunId, meta, files });
    writeFileAtomic(mlmodelPath, yaml);
    mlmodelJson = json;
  }
  // Everything of the run (including the MLmodel just written) must be on the server first.
  await deliverer.pass({ artifacts: true, ...callOpts });
  const pending = deliverer.pending();
  if (pending.artifacts > 0) {
    throw new AnnealError('ANNEAL_ERR_TRACKING', `could not upload the model artifacts of run ${localRunId} (${deliverer.describePending()}); is the server proxying artifacts?`);
  }
  if (mlmodelJson) {
    await client.logModel(mlflowRunId, mlmodelJson, callOpts).catch((error) => {
      session.log(`runs/log-model for ${mlflowRunId} failed (the version is registered anyway): ${(error as Error).message}`);
    });
  }
  const source = `${deliverer.artifactUri}/${MODEL_DIR}`;
  await client.getOrCreateRegisteredModel(options.name, { description: options.description }, callOpts);
  const escaped = options.name.replace(/'/g, "\\'");
  const { versions } = await client.searchModelVersions({ filter: `name='${escaped}' and run_id='${mlflowRunId}'` }, callOpts);
  let mv = versions.find((v) => v.source === source && v.status !== 'FAILED_REGISTRATION');
  const reused = mv !== undefined;
  if (!mv) {
    try {
      mv = await client.createModelVersion({ name: options.name, source, runId: mlflowRunId, description: options.description }, callOpts);
    } catch (error) {
      if (!isMlflowError(error) || !error.retryable) throw error;
      // The create may have happened: look again before one more try.
      const again = await client.searchModelVersions({ filter: `name='${escaped}' and run_id='${mlflowRunId}'` }, callOpts);
      mv = again.versions.find((v) => v.source === source) ?? (await client.createModelVersion({ name: options.name, source, runId: mlflowRunId, description: options.description }, callOpts));
    }
  }
  mv = await waitReady(client, mv, options.waitMs ?? 60_000, options.signal);
  if (options.alias) await client.setRegisteredModelAlias(options.name, options.alias, mv.version, callOpts);
  return {
    name: options.name,
    version: mv.version,
    source,
    mlflowRunId,
    localRunId,
    status: mv.status ?? 'READY',
    alias: options.alias,
    reused,
    url: `${client.trackingUri}/#/models/${encodeURIComponent(options.name)}/versions/${mv.version}`,
  };
}

export interface ModelListing {
  readonly name: string;
  readonly description?: string;
  readonly aliases: Record<string, string>;
  readonly versions: {
    readonly version: string;
    readonly status?: string;
    readonly runId?: string;
    readonly source?: string;
    readonly created?: number;
    readonly aliases: string[];
  }[];
}

/** Every registered model with its versions and aliases (newest version first). */
export async function listModels(options: MlflowConnectionOptions & { signal?: AbortSignal } = {}): Promise<ModelListing[]> {
  const { client } = connect(options);
  const out: ModelListing[] = [];
  let pageToken: string | undefined;
  do {
    const page = await client.searchRegisteredModels({ pageToken, maxResults: 1000 }, { signal: options.signal });
    for (const m of page.models) {
      const aliases = Object.fromEntries((m.aliases ?? []).map((a) => [a.alias, a.version]));
      const versions: ModelListing['versions'][number][] = [];
      let vToken: string | undefined;
      do {
        const vp = await client.searchModelVersions({ filter: `name='${m.name.replace(/'/g, "\\'")}'`, pageToken: vToken }, { signal: options.signal });
        for (const v of vp.versions) {
          versions.push({
            version: v.version,
            status: v.status,
            runId: v.run_id,
            source: v.source,
            created: v.creation_timestamp,
            aliases: Object.entries(aliases)
              .filter(([, ver]) => ver === v.version)
              .map(([a]) => a),
          });
        }
        vToken = vp.nextPageToken;
      } while (vToken);
      versions.sort((a, b) => Number(b.version) - Number(a.version));
      out.push({ name: m.name, description: m.description || undefined, aliases, versions });
    }
    pageToken = page.nextPageToken;
  } while (pageToken);
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
