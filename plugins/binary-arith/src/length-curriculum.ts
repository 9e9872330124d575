import { Rng, defineSchema, definePlugin, splitmix32, type ConfigOf, type Curriculum, type CurriculumContext } from '@anneal/core';

/**
 * The Neural GPU curriculum (paper-spec §5.3, NGPU-0 trainer):
 *   - the current maximum length `cur` starts at `start` (6);
 *   - each training batch has one length l ~ U[min, cur]; with probability `pMaxOfTwo` (0.6) l becomes the
 *     max of two such draws, and with probability `pLong` (0.25) l ← max(l, U[min, max]) (a few long examples
 *     from the start);
 *   - every `minSteps` steps (one NGPU checkpoint: set it to the evaluation interval, so each checkpoint reads
 *     a fresh evaluation) it checks the tracked `metric` (default 'validation/seq_error': the sequence error on
 *     training examples of every length ≤ cur). Below `threshold` (0.15) the checkpoint *passes*:
 *       cur += 1 (while cur < max); then the pull weight (starting at `pull`, 0.0005) × `pullIncrease` (1.2)
 *       while it is < `pullMax` (0.1), and once it is not, the pass is a hard-averaging point
 *       (`level.averagings` += 1, read by the ngpu-average-copies plugin), where the learning rate is also
 *       × `lrDecay` (0.98) if the metric is < threshold / 3;
 *   - at every checkpoint the learning rate is × `lrDecay` if the mean training loss since the previous
 *     checkpoint (NGPU: the training perplexity) is above each of the previous 3 checkpoints' (that history
 *     restarts whenever cur grows, as NGPU's placeholder perplexity does).
 * Levels: { length: this batch's l, maxLength: cur, pull, averagings, lrScale }. The learning-rate scale is
 * returned to the trainer (learningRateScale). The state is plain JSON; the per-batch draw is a pure function
 * of (seed, step), so a resumed run draws the same lengths.
 */
export const lengthCurriculumSchema = defineSchema({
  start: { type: 'number', integer: true, min: 1, default: 6, description: 'cur at the first step (NGPU: 6)' },
  min: { type: 'number', integer: true, min: 1, default: 3, description: 'shortest training length (bmul/badd need 3: one bit per operand)' },
  max: { type: 'number', integer: true, min: 1, default: 41, description: "the longest training length; cur is never raised above it (the dataset's trainMaxLength)" },
  pMaxOfTwo: { type: 'number', min: 0, max: 1, default: 0.6, description: 'probability that a batch length is the max of two draws from [min, cur]' },
  pLong: { type: 'number', min: 0, max: 1, default: 0.25, description: 'probability that a batch length is raised to max(l, U[min, max])' },
  metric: { type: 'string', default: 'validation/seq_error', description: 'tracked evaluation key compared with the threshold (the training sequence error at lengths ≤ cur)' },
  threshold: { type: 'number', min: 0, default: 0.15, description: 'a checkpoint passes (cur += 1, pull or averaging) when the metric is below this (NGPU: 0.15)' },
  minSteps: { type: 'number', integer: true, min: 1, default: 200, description: 'steps between checkpoints (set it to the evaluation interval: 200 steps = one NGPU checkpoint)' },
  pull: { type: 'number', min: 0, default: 0.0005, description: 'starting weight of the parameter-sharing pull term (read by neural-gpu with copies > 1)' },
  pullIncrease: { type: 'number', min: 1, default: 1.2, description: 'pull ×= this at each passed checkpoint while pull < pullMax' },
  pullMax: { type: 'number', min: 0, default: 0.1, description: 'once pull reaches this, further passed checkpoints are hard-averaging points' },
  lrDecay: { type: 'number', min: 0, max: 1, exclusiveMin: true, default: 0.98, description: 'learning rate × this when the training loss is worse than the previous 3 checkpoints, and at averaging points with the metric < threshold/3 (NGPU: 0.98; 1 = off)' },
});
export type LengthCurriculumConfig = ConfigOf<typeof lengthCurriculumSchema>;

export interface LengthCurriculumState {
  readonly maxLength: number;
  /** Step of the last checkpoint (0 before the first). */
  readonly lastCheck: number;
  readonly advances: number;
  readonly pull: number;
  readonly averagings: number;
  /** The product of the lr decays so far (the trainer multiplies the scheduled rate by it). */
  readonly lrScale: number;
  /** Training loss summed since the last checkpoint (finite values only) and their count. */
  readonly lossSum: number;
  readonly lossCount: number;
  /** Mean training losses of up to the last 3 checkpoints since cur last grew. */
  readonly recentLosses: readonly number[];
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

/** One NGPU checkpoint: the loss-plateau decay, then (if the metric passes) advance, pull or averaging. */
export function checkpointStep(config: LengthCurriculumConfig, state: LengthCurriculumState, metric: number, step: number): LengthCurriculumState {
  let lrScale = state.lrScale;
  const loss = state.lossCount > 0 ? state.lossSum / state.lossCount : NaN;
  if (state.recentLosses.length === 3 && loss > Math.max(...state.recentLosses)) lrScale *= config.lrDecay;
  let recentLosses = Number.isFinite(loss) ? [...state.recentLosses, loss].slice(-3) : state.recentLosses;
  let { maxLength, advances, pull, averagings } = state;
  if (metric < config.threshold) {
    if (maxLength < config.max) {
      maxLength++;
      advances++;
      recentLosses = [];
    }
    if (pull < config.pullMax) pull *= config.pullIncrease;
    else {
      averagings++;
      if (metric < config.threshold / 3) lrScale *= config.lrDecay;
    }
  }
  return { ...state, maxLength, advances, pull, averagings, lrScale, recentLosses, lastCheck: step, lossSum: 0, lossCount: 0 };
}

export function lengthCurriculum(config: LengthCurriculumConfig): Curriculum<LengthCurriculumState> {
  const levelOf = (s: LengthCurriculumState, step: number) => ({
    length: drawLength(config, s.maxLength, s.seed, step),
    maxLength: s.maxLength,
    pull: s.pull,
    averagings: s.averagings,
    lrScale: s.lrScale,
  });
  return {
    name: 'ngpu-curriculum',
    init: (ctx) => ({
      maxLength: Math.min(config.start, config.max),
      lastCheck: 0,
      advances: 0,
      pull: config.pull,
      averagings: 0,
      lrScale: 1,
      lossSum: 0,
      lossCount: 0,
      recentLosses: [],
      seed: ctx.seed >>> 0,
    }),
    next(state, ctx: CurriculumContext) {
      // ctx.lastLoss is the previous step's loss (NaN on the first step).
      let next: LengthCurriculumState = Number.isFinite(ctx.lastLoss) ? { ...state, lossSum: state.lossSum + ctx.lastLoss, lossCount: state.lossCount + 1 } : state;
      if (ctx.step - state.lastCheck >= config.minSteps) next = checkpointStep(config, next, ctx.evaluation[config.metric] ?? NaN, ctx.step);
      return { state: next, level: levelOf(next, ctx.step), learningRateScale: next.lrScale };
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
      summary: 'The Neural GPU length curriculum: cur from 6, mixed batch lengths (max of two draws, some long ones), cur += 1 when the training sequence error < 0.15; pull growth, averaging points and lr ×0.98 decays at its checkpoints.',
      paper: 'Neelakantan et al. 2015 §4.5; Kaiser & Sutskever 2016 (Neural GPU) — paper-spec §5.3',
      details:
        "Levels: length (this batch's length, read by binary-arith), maxLength (cur; the validation split spreads its examples over [min, cur]), pull (read by neural-gpu's parameter-sharing relaxation), averagings (read by ngpu-average-copies) and lrScale (also returned as the learning-rate scale). All are step metrics curriculum/<key>.",
    },
  },
  create: (config) => lengthCurriculum(config),
});
