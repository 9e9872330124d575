import { Rng, defineSchema, definePlugin, splitmix32, type ConfigOf, type Curriculum, type CurriculumContext } from '@anneal/core';

/**
 * The Neural GPU curriculum (paper-spec §5.3, NGPU-0 trainer):
 *   - the current maximum length `cur` starts at `start` (6);
 *   - each training batch has one length l ~ U[min, cur]; with probability `pMaxOfTwo` (0.6) l becomes the
 *     max of two such draws, and with probability `pLong` (0.25) l ← max(l, U[min, max]) (a few long examples
 *     from the start);
 *   - `cur` += 1 when the tracked `metric` (default 'validation/seq_error': the sequence error on training
 *     examples of every length ≤ cur) is below `threshold` (0.15) and `cur` has held ≥ `minSteps` steps (one
 *     evaluation interval, so an evaluation made at the old `cur` is not reused);
 *   - the parameter-sharing pull weight starts at `pull` (0.0005) and is × `pullIncrease` (1.2) per advance while
 *     it is < `pullMax` (0.1); advances after that count as hard-averaging points (`level.averagings`).
 * Levels: { length: this batch's l, maxLength: cur, pull, averagings }. The state is plain JSON; the per-batch
 * draw is a pure function of (seed, step), so a resumed run draws the same lengths.
 */
export const lengthCurriculumSchema = defineSchema({
  start: { type: 'number', integer: true, min: 1, default: 6, description: 'cur at the first step (NGPU: 6)' },
  min: { type: 'number', integer: true, min: 1, default: 3, description: 'shortest training length (bmul/badd need 3: one bit per operand)' },
  max: { type: 'number', integer: true, min: 1, default: 41, description: "the longest training length; cur is never raised above it (the dataset's trainMaxLength)" },
  pMaxOfTwo: { type: 'number', min: 0, max: 1, default: 0.6, description: 'probability that a batch length is the max of two draws from [min, cur]' },
  pLong: { type: 'number', min: 0, max: 1, default: 0.25, description: 'probability that a batch length is raised to max(l, U[min, max])' },
  metric: { type: 'string', default: 'validation/seq_error', description: 'tracked evaluation key compared with the threshold (the training sequence error at lengths ≤ cur)' },
  threshold: { type: 'number', min: 0, default: 0.15, description: 'cur += 1 when the metric is below this (NGPU: 0.15)' },
  minSteps: { type: 'number', integer: true, min: 1, default: 200, description: 'steps at a cur before the next raise (set it to the evaluation interval: 200 steps = one NGPU checkpoint)' },
  pull: { type: 'number', min: 0, default: 0.0005, description: 'starting weight of the parameter-sharing pull term (read by neural-gpu with copies > 1)' },
  pullIncrease: { type: 'number', min: 1, default: 1.2, description: 'pull ×= this at each advance while pull < pullMax' },
  pullMax: { type: 'number', min: 0, default: 0.1, description: 'once pull reaches this, further advances are hard-averaging points' },
});
export type LengthCurriculumConfig = ConfigOf<typeof lengthCurriculumSchema>;

export interface LengthCurriculumState {
  readonly maxLength: number;
  /** Step at which the current maxLength began. */
  readonly since: number;
  readonly advances: number;
  readonly pull: number;
  readonly averagings: number;
  readonly seed: number;
}

/** Draws one batch length (pure in (seed, step)). */
export function drawLength(config: Pick<LengthCurriculumConfig, 'min' | 'max' | 'pMaxOfTwo' | 'pLong'>, cur: number, seed: number, step: number): number {
  const rng = new Rng(splitmix32((seed ^ splitmix32(step >>> 0)) >>> 0));
  const lo = config.min;
  const hi = Math.max(lo, cur);
  const uniform = (a: number, b: number) => a + rng.nextInt(b - a + 1);
  let l = uniform(lo, hi);
  if (rng.nextFloat() < config.pMaxOfTwo) l = Math.max(l, uniform(lo, hi));
  if (rng.nextFloat() < config.pLong) l = Math.max(l, uniform(lo, Math.max(lo, config.max)));
  return l;
}

export function lengthCurriculum(config: LengthCurriculumConfig): Curriculum<LengthCurriculumState> {
  const levelOf = (s: LengthCurriculumState, step: number) => ({
    length: drawLength(config, s.maxLength, s.seed, step),
    maxLength: s.maxLength,
    pull: s.pull,
    averagings: s.averagings,
  });
  return {
    name: 'ngpu-curriculum',
    init: (ctx) => ({ maxLength: Math.min(config.start, config.max), since: 0, advances: 0, pull: config.pull, averagings: 0, seed: ctx.seed >>> 0 }),
    next(state, ctx: CurriculumContext) {
      const value = ctx.evaluation[config.metric] ?? NaN;
      const ready = ctx.step - state.since >= config.minSteps && state.maxLength < config.max && value < config.threshold;
      let next = state;
      if (ready) {
        const growing = state.pull < config.pullMax;
        next = {
          ...state,
          maxLength: state.maxLength + 1,
          since: ctx.step,
          advances: state.advances + 1,
          pull: growing ? state.pull * config.pullIncrease : state.pull,
          averagings: growing ? state.averagings : state.averagings + 1,
        };
      }
      return { state: next, level: levelOf(next, ctx.step) };
    },
  };
}

export const lengthCurriculumPlugin = definePlugin.curriculum({
  manifest: {
    name: 'ngpu-curriculum',
    version: '0.1.0',
    kind: 'curriculum',
    configSchema: lengthCurriculumSchema,
    card: {
      summary: 'The Neural GPU length curriculum: cur from 6, mixed batch lengths (max of two draws, some long ones), cur += 1 when the training sequence error < 0.15.',
      paper: 'Neelakantan et al. 2015 §4.5; Kaiser & Sutskever 2016 (Neural GPU) — paper-spec §5.3',
      details:
        "Levels: length (this batch's length, read by binary-arith), maxLength (cur; the validation split spreads its examples over [min, cur]), pull and averagings (read by neural-gpu's parameter-sharing relaxation). All are step metrics curriculum/<key>.",
    },
  },
  create: (config) => lengthCurriculum(config),
});
