/**
 * The fixed hook points of one training step, in execution order.
 *
 *   loss + gradients            (model forward with its forward sites, tf.variableGrads)
 *   pre-clip     many  gradient transforms (e.g. noise placed before clipping)
 *   clip         ≤ 1   gradient transform  (clipByGlobalNorm, clipByTensorNorm, clipByValue)
 *   post-clip    many  gradient transforms (annealed gradient noise: the paper's placement)
 *   pre-update   many  gradient transforms (user plugins that see the final gradient)
 *   update       = 1   optimizer           (sgd, momentum, adam, adagrad)
 *   post-update  many  parameter transforms (weight noise, nil-word zeroing)
 *
 * The order is implemented once, in `trainer/run-step.ts`, and recorded by the golden test
 * `tests/src/golden/step-order.test.ts`.
 */
export const HOOK_POINTS = ['pre-clip', 'clip', 'post-clip', 'pre-update', 'update', 'post-update'] as const;
export type HookPoint = (typeof HOOK_POINTS)[number];

/** Hook points that take gradient transforms. */
export const GRADIENT_HOOK_POINTS = ['pre-clip', 'clip', 'post-clip', 'pre-update'] as const;
export type GradientHookPoint = (typeof GRADIENT_HOOK_POINTS)[number];

/** How many plugins a hook point accepts. */
export const HOOK_CARDINALITY: Readonly<Record<HookPoint, 'many' | 'at-most-one' | 'exactly-one'>> = Object.freeze({
  'pre-clip': 'many',
  clip: 'at-most-one',
  'post-clip': 'many',
  'pre-update': 'many',
  update: 'exactly-one',
  'post-update': 'many',
});

export function isHookPoint(value: unknown): value is HookPoint {
  return typeof value === 'string' && (HOOK_POINTS as readonly string[]).includes(value);
}

export function isGradientHookPoint(value: unknown): value is GradientHookPoint {
  return typeof value === 'string' && (GRADIENT_HOOK_POINTS as readonly string[]).includes(value);
}
