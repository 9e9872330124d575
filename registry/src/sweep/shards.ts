import { AnnealError } from '@anneal/core';

/** Shard `index` (0-based) of `count`: what a SLURM array task or a Kubernetes Indexed Job pod runs. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** Parses "--shard I/N" (0 ≤ I < N); throws ANNEAL_ERR_CONFIG_VALUE naming the value. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count) {
    throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `--shard '${text}' is not allowed; give I/N with 0 ≤ I < N, e.g. --shard 0/4 (SLURM: --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT; Kubernetes: --shard $JOB_COMPLETION_INDEX/N).`);
  }
  return { index, count };
}

/**
 * The trials of one shard: those whose position in the recipe's deterministic trial order is
 * index mod count. Every trial is in exactly one shard; no shard needs to know the others.
 */
export function shardTrials<T extends { readonly index: number }>(trials: readonly T[], shard: Shard | undefined): T[] {
  if (!shard) return [...trials];
  return trials.filter((t) => t.index % shard.count === shard.index);
}
