import * as tf from '@tensorflow/tfjs-core';

/**
 * How per-batch evaluation sums combine into one number over a whole split.
 *   mean      Σ sum / Σ count                     (accuracy, error, mean loss, exact-sequence fraction)
 *   exp-mean  exp(Σ sum / Σ count)                (perplexity: sum = summed token NLL, count = tokens)
 *   all       1 when Σ sum = Σ count, else 0      ("solved": every example right)
 */
export type MetricCombine = 'mean' | 'exp-mean' | 'all';

/** An evaluation metric a model family declares (manifest and built model): its key and meaning. */
export interface MetricSpec {
  /** Key within a split: tracked as `<split>/<key>` (e.g. "test/accuracy", "validation/perplexity"). */
  readonly key: string;
  /** Which way is better: restart selection, reports and "best" use it. */
  readonly direction: 'max' | 'min';
  readonly combine: MetricCombine;
  /** A fraction in [0, 1] that reports print as a percentage. */
  readonly percent?: boolean;
  readonly description?: string;
}

/** One batch's contribution to a metric: the trainer adds sums and counts over batches. */
export interface EvalSum {
  readonly sum: tf.Scalar;
  readonly count: tf.Scalar;
}

/** What Model.evaluate returns for one batch: a sum/count pair per declared metric key. */
export type EvalSums = Readonly<Record<string, EvalSum>>;

/** Combines the added sums and counts of one metric over a split. */
export function combineMetric(spec: Pick<MetricSpec, 'combine'>, sum: number, count: number): number {
  if (!(count > 0)) return NaN;
  switch (spec.combine) {
    case 'mean':
      return sum / count;
    case 'exp-mean':
      return Math.exp(sum / count);
    case 'all':
      return sum === count ? 1 : 0;
  }
}

/** The three metrics every classifier reports (the keys of Table 1 and 2: accuracy, error, mean_loss). */
export const CLASSIFICATION_METRICS: readonly MetricSpec[] = Object.freeze([
  { key: 'accuracy', direction: 'max', combine: 'mean', percent: true, description: 'share of examples whose argmax is the label' },
  { key: 'error', direction: 'min', combine: 'mean', percent: true, description: '1 − accuracy' },
  { key: 'mean_loss', direction: 'min', combine: 'mean', description: 'mean cross-entropy per example' },
]);

/** Evaluation sums of a classifier from its number correct, batch size and summed loss. */
export function classificationSums(correct: tf.Scalar, count: number, lossSum: tf.Scalar): EvalSums {
  const n = tf.scalar(count, 'float32');
  const c = tf.cast(correct, 'float32') as tf.Scalar;
  return {
    accuracy: { sum: c, count: n },
    error: { sum: tf.sub(n, c) as tf.Scalar, count: n },
    mean_loss: { sum: tf.cast(lossSum, 'float32') as tf.Scalar, count: n },
  };
}

/** Finds a declared metric by its tracked key ("test/accuracy" → the spec of "accuracy"). */
export function metricSpecFor(specs: readonly MetricSpec[], trackedKey: string): MetricSpec | undefined {
  const key = trackedKey.includes('/') ? trackedKey.slice(trackedKey.indexOf('/') + 1) : trackedKey;
  return specs.find((s) => s.key === key);
}
