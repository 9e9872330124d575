import * as tf from '@tensorflow/tfjs-core';
import { defineSchema, definePlugin, type ConfigOf, type ParamMap, type ParamTransform } from '@anneal/core';

/**
 * Hard averaging of the parameter-sharing relaxation's copies (paper-spec §5.2): every copy of a CGRU
 * parameter is replaced by the mean over the copies. The neural-gpu family names copy c of layer l's
 * parameters `cgru<c>.<l>/<name>`; a group is one (l, name) over all c.
 */
const COPY_NAME = /^cgru(\d+)\.(\d+)\/(.+)$/;

/** The copies of each CGRU parameter, keyed `<layer>/<name>`, in copy order (groups of one when copies = 1). */
export function copyGroups(params: ParamMap): Map<string, tf.Variable[]> {
  const groups = new Map<string, { copy: number; v: tf.Variable }[]>();
  for (const [name, v] of Object.entries(params)) {
    const m = COPY_NAME.exec(name);
    if (!m) continue;
    const key = `${m[2]}/${m[3]}`;
    const list = groups.get(key) ?? [];
    list.push({ copy: Number(m[1]), v });
    groups.set(key, list);
  }
  return new Map([...groups].map(([k, list]) => [k, list.sort((a, b) => a.copy - b.copy).map((e) => e.v)]));
}

/** Assigns the mean of its copies to every copy; returns how many groups had more than one copy. */
export function averageCopyGroups(params: ParamMap): number {
  let averaged = 0;
  tf.tidy(() => {
    for (const copies of copyGroups(params).values()) {
      if (copies.length < 2) continue;
      const mean = tf.mean(tf.stack(copies), 0);
      for (const v of copies) v.assign(mean);
      averaged++;
    }
  });
  return averaged;
}

export const averageCopiesSchema = defineSchema({
  level: { type: 'string', default: 'averagings', description: "curriculum level counting averaging points (ngpu-curriculum's 'averagings'); each increase averages the copies once" },
  atEnd: { type: 'boolean', default: true, description: 'also average once after the last step, before the final evaluation (the relaxation ends with one shared set of parameters)' },
});
export type AverageCopiesConfig = ConfigOf<typeof averageCopiesSchema>;

export interface AverageCopiesState {
  /** The curriculum count already acted on (plain JSON, checkpointed). */
  readonly done: number;
}

export function averageCopies(config: AverageCopiesConfig): ParamTransform<AverageCopiesState> {
  return {
    name: 'ngpu-average-copies',
    init: () => ({ done: 0 }),
    apply(params, state, ctx) {
      const count = ctx.curriculum?.[config.level] ?? 0;
      if (count <= state.done) return { state };
      averageCopyGroups(params);
      return { state: { done: count }, metrics: { averaged: 1 } };
    },
    finish(params, state) {
      if (config.atEnd) averageCopyGroups(params);
      return { state };
    },
  };
}

export const averageCopiesPlugin = definePlugin.paramTransform({
  manifest: {
    name: 'ngpu-average-copies',
    version: '0.1.0',
    kind: 'param-transform',
    hookPoint: 'post-update',
    configSchema: averageCopiesSchema,
    card: {
      summary: "Hard averaging of the Neural GPU's parameter copies: at each of the curriculum's averaging points (after the pull weight reached its maximum) and once at the end.",
      paper: 'Kaiser & Sutskever 2016 (Neural GPU), parameter-sharing relaxation — paper-spec §5.2',
      details: "Acts on parameters named cgru<c>.<l>/<name> (neural-gpu with copies > 1; a no-op with copies = 1). Reads the curriculum level 'averagings' from the step context; its state (the count acted on) is checkpointed.",
    },
  },
  create: (config) => averageCopies(config),
});
