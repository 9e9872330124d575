import * as tf from '@tensorflow/tfjs-core';
import type { BatchContext, DataSplit } from '../data/dataset.js';
import { combineMetric, type EvalSums } from '../model/metrics.js';
import type { CarriedState, EvalWithCarry, Model } from '../model/model.js';
import type { ForwardContext } from '../plugin/contexts.js';
import { disposeCarry, initialCarry } from './carry.js';

export interface SplitEvaluation {
  /** Every metric the model declares, combined over the split. */
  readonly metrics: Readonly<Record<string, number>>;
  /** Examples evaluated (the count of the first declared metric). */
  readonly count: number;
}

/**
 * Evaluates a model on a whole split, in index order: each batch's sum/count pairs are added per
 * declared metric, then combined (mean, exp of mean, all-correct). A model that carries state starts
 * from `initialCarry()` and carries it from batch to batch.
 */
export function evaluateSplit(
  model: Model,
  split: DataSplit,
  batchSize: number,
  forward: (carry: CarriedState | undefined) => ForwardContext,
  batchCtx: BatchContext,
): SplitEvaluation {
  const bs = split.evalBatchSize ?? batchSize;
  const keys = model.metrics.map((m) => m.key);
  const sums = new Float64Array(keys.length);
  const counts = new Float64Array(keys.length);
  const carries = model.initialCarry !== undefined;
  let carry = initialCarry(model);
  try {
    for (let start = 0; start < split.size; start += bs) {
      const n = Math.min(bs, split.size - start);
      const indices = new Int32Array(n);
      for (let i = 0; i < n; i++) indices[i] = start + i;
      const previous = carry;
      const { packed, next } = tf.tidy(() => {
        const out = model.evaluate(split.batch(indices, batchCtx), forward(previous));
        // A model with initialCarry() returns { sums, carry }; any other returns the sums.
        const batchSums = carries ? (out as EvalWithCarry).sums : (out as EvalSums);
        const parts = keys.flatMap((k) => {
          const s = batchSums[k];
          if (!s) throw new Error(`model evaluate() returned no '${k}', which its metrics declare`);
          return [tf.cast(s.sum, 'float32'), tf.cast(s.count, 'float32')];
        });
        return { packed: tf.stack(parts) as tf.Tensor1D, next: carries ? keepAll((out as EvalWithCarry).carry) : undefined };
      });
      const values = packed.dataSync();
      packed.dispose();
      for (let i = 0; i < keys.length; i++) {
        sums[i] += values[2 * i];
        counts[i] += values[2 * i + 1];
      }
      if (next) {
        disposeCarry(previous);
        carry = next;
      }
    }
  } finally {
    disposeCarry(carry);
  }
  const metrics: Record<string, number> = {};
  model.metrics.forEach((m, i) => (metrics[m.key] = combineMetric(m, sums[i], counts[i])));
  return { metrics, count: counts[0] ?? 0 };
}

function keepAll(carry: CarriedState): CarriedState {
  return Object.fromEntries(Object.entries(carry).map(([k, t]) => [k, tf.keep(t)]));
}
