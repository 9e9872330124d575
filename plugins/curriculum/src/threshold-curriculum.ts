import { defineSchema, definePlugin, type ConfigOf, type Curriculum, type CurriculumContext } from '@anneal/core';

export const thresholdCurriculumSchema = defineSchema({
  key: { type: 'string', default: 'length', description: "the level's name, as datasets and models read it (BatchContext.curriculum.<key>)" },
  start: { type: 'number', default: 1, description: 'the level of the first step' },
  max: { type: 'number', default: 10, description: 'the level is never raised above this' },
  increment: { type: 'number', min: 0, default: 1, description: 'how much one raise adds' },
  metric: {
    type: 'string',
    default: 'loss',
    description: "what is compared with the threshold: 'loss' (a running mean of the training step loss) or a tracked evaluation key such as 'train/error'",
  },
  threshold: { type: 'number', default: 0.15, description: 'raise when the metric passes this' },
  direction: { type: 'string', oneOf: ['below', 'above'] as const, default: 'below', description: "'below': raise when metric < threshold (errors, losses); 'above': when metric > threshold (accuracies)" },
  minSteps: { type: 'number', integer: true, min: 1, default: 100, description: 'steps at a level before the next raise (an evaluation made at the old level is not reused at once)' },
  smoothing: { type: 'number', min: 0, max: 0.999, default: 0.9, description: "for metric 'loss': the running mean's decay (m ← s·m + (1−s)·loss)" },
});
export type ThresholdCurriculumConfig = ConfigOf<typeof thresholdCurriculumSchema>;

export interface ThresholdCurriculumState {
  readonly level: number;
  /** Step at which the current level began. */
  readonly since: number;
  /** Running mean of the step loss (NaN until the first loss). */
  readonly meanLoss: number;
}

/**
 * level ← min(max, level + increment) when the metric has passed the threshold and the level has
 * held for minSteps steps. The state is plain numbers, so it is checkpointed and resumed exactly.
 */
export function raiseOnThreshold(config: ThresholdCurriculumConfig): Curriculum<ThresholdCurriculumState> {
  const passed = (v: number) => (config.direction === 'below' ? v < config.threshold : v > config.threshold);
  return {
    name: 'threshold-curriculum',
    init: () => ({ level: config.start, since: 0, meanLoss: NaN }),
    next(state, ctx: CurriculumContext) {
      const loss = ctx.lastLoss;
      const meanLoss = Number.isFinite(loss) ? (Number.isNaN(state.meanLoss) ? loss : config.smoothing * state.meanLoss + (1 - config.smoothing) * loss) : state.meanLoss;
      const value = config.metric === 'loss' ? meanLoss : (ctx.evaluation[config.metric] ?? NaN);
      const ready = ctx.step - state.since >= config.minSteps && state.level < config.max;
      const next = ready && passed(value) ? { level: Math.min(config.max, state.level + config.increment), since: ctx.step, meanLoss } : { ...state, meanLoss };
      return { state: next, level: { [config.key]: next.level } };
    },
  };
}

export const thresholdCurriculumPlugin = definePlugin.curriculum({
  manifest: {
    name: 'threshold-curriculum',
    version: '0.1.0',
    kind: 'curriculum',
    configSchema: thresholdCurriculumSchema,
    card: {
      summary: 'Raises a difficulty level (e.g. sequence or list length) by `increment` when a metric passes a threshold, up to `max`.',
      paper: 'The curricula of the paper’s NRAM (§4.4) and Neural GPU (§4.5) experiments',
      details:
        "Consulted before every training step. metric 'loss' uses a running mean of the step loss; any other value names a tracked evaluation key (e.g. 'train/error', evaluated every training.evalEveryEpochs). The level is tracked as the step metric curriculum/<key>.",
    },
  },
  create: (config) => raiseOnThreshold(config),
});
