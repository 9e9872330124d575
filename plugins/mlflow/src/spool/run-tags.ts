import { userInfo } from 'node:os';
import type { RunMeta } from '@anneal/core';

export const RUN_ID_TAG = 'anneal.run_id';
export const TRUNCATED_TAG = 'anneal.truncated_params';
export const RENAMED_TAG = 'anneal.renamed_keys';

/** The OS user (mlflow.user). */
export function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

/** mlflow.source.name of an anneal run. */
export function sourceName(meta: Pick<RunMeta, 'recipe'>): string {
  return `anneal run ${meta.recipe}`;
}

/**
 * The tags an anneal run gets in MLflow: the user's tags, then MLflow's system tags (run name, user,
 * source, parent) and anneal's own (recipe, backend, seed, the local run id it is found by).
 */
export function runTags(args: {
  meta: RunMeta;
  localRunId: string;
  userTags: Readonly<Record<string, string>>;
  truncated: readonly string[];
  renamed: Readonly<Record<string, string>>;
  parentRunId?: string;
  /** A run attached through MLFLOW_RUN_ID keeps its own name. */
  attached: boolean;
}): Record<string, string> {
  const { meta } = args;
  const user = { ...(meta.tags ?? {}), ...args.userTags };
  const core: Record<string, string> = {
    'mlflow.runName': meta.runName,
    'mlflow.user': currentUser(),
    'mlflow.source.type': 'LOCAL',
    'mlflow.source.name': sourceName(meta),
    recipe: meta.recipe,
    backend: meta.backend,
    seed: String(meta.seed),
    [RUN_ID_TAG]: args.localRunId,
  };
  if (meta.gitCommit) core['mlflow.source.git.commit'] = meta.gitCommit;
  if (meta.recipeVersion !== undefined) core['recipe.version'] = String(meta.recipeVersion);
  if (meta.variant) core.variant = meta.variant;
  if (meta.annealVersion) core['anneal.version'] = meta.annealVersion;
  if (meta.setting && Object.keys(meta.setting).length) core['anneal.setting'] = JSON.stringify(meta.setting);
  if (meta.error) core['anneal.error'] = meta.error;
  if (args.attached) delete core['mlflow.runName'];
  if (args.parentRunId) core['mlflow.parentRunId'] = args.parentRunId;
  if (args.truncated.length) core[TRUNCATED_TAG] = args.truncated.join(',');
  if (Object.keys(args.renamed).length) core[RENAMED_TAG] = JSON.stringify(args.renamed);
  return { ...user, ...core };
}
