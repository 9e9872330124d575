/**
 * A transform may leave a scalar multiply of the gradients (a global-norm clip's c) to the next transform, when that
 * one folds it into its own pass (`foldsScale`: the annealed noise's fused op makes g · c + ε at once). Eager and
 * graph steps decide it the same way, here. ANNEAL_GRAPH_FOLD_SCALE=0 turns it off (every transform applies its own
 * scale), for measuring; the values are the same either way.
 */
export const FOLD_SCALE = process.env.ANNEAL_GRAPH_FOLD_SCALE !== '0';

/** Whether the transform at `at` of `order` (every gradient transform of the step, in step order) may leave a scale. */
export function mayLeaveScaleAt(order: readonly { readonly foldsScale?: boolean }[], at: number): boolean {
  return FOLD_SCALE && order[at + 1]?.foldsScale === true;
}
