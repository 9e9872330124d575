import * as tf from '@tensorflow/tfjs-core';
import { AnnealError, type DataSplit } from '@anneal/core';
import type { PtbVocabulary } from './reader.js';

/**
 * A token stream cut into `streams` parallel rows (row b = tokens [b·L, (b+1)·L), L = ⌊N / streams⌋; the
 * tail is dropped) and then into windows of `numSteps` columns: window w has inputs x[b, t] =
 * row_b[w·T + t] and targets y[b, t] = row_b[w·T + t + 1], so window w+1 continues where w stopped
 * (the model carries its state across). Windows = ⌊(L − 1) / T⌋ (as the TF PTB reader).
 */
export class StreamWindows {
  readonly rowLength: number;
  readonly windows: number;
  constructor(
    readonly tokens: Int32Array,
    readonly streams: number,
    readonly numSteps: number,
  ) {
    this.rowLength = Math.floor(tokens.length / streams);
    this.windows = Math.max(0, Math.floor((this.rowLength - 1) / numSteps));
  }

  /** Inputs and targets of window `w`, row-major [streams, numSteps]. */
  window(w: number): { x: Int32Array; y: Int32Array } {
    const { streams: B, numSteps: T, rowLength: L } = this;
    const x = new Int32Array(B * T);
    const y = new Int32Array(B * T);
    for (let b = 0; b < B; b++) {
      const start = b * L + w * T;
      x.set(this.tokens.subarray(start, start + T), b * T);
      y.set(this.tokens.subarray(start + 1, start + T + 1), b * T);
    }
    return { x, y };
  }

  /** Tokens scored per window. */
  get tokensPerWindow(): number {
    return this.streams * this.numSteps;
  }
}

/** A split whose examples are the windows, fed one per batch and in order (evalBatchSize 1). */
export function windowSplit(name: string, w: StreamWindows, vocab: PtbVocabulary): DataSplit {
  return {
    size: w.windows,
    evalBatchSize: 1,
    batch(indices) {
      if (indices.length !== 1) {
        throw new AnnealError(
          'ANNEAL_ERR_CONFIG_VALUE',
          `training.batchSize = ${indices.length}: a PTB example is one whole window of ${w.streams} streams × ${w.numSteps} steps; set training.batchSize: 1 (and the number of streams with dataset.config.batchSize).`,
        );
      }
      const { x, y } = w.window(indices[0]);
      return { x: tf.tensor2d(x, [w.streams, w.numSteps], 'int32'), y: tf.tensor2d(y, [w.streams, w.numSteps], 'int32') };
    },
    describe(index) {
      const { x, y } = w.window(index);
      const T = w.numSteps;
      const show = Math.min(w.streams, 3);
      const rows: string[] = [];
      for (let b = 0; b < show; b++) {
        rows.push(`stream ${b}: ${Array.from(x.subarray(b * T, (b + 1) * T), (id) => vocab.words[id]).join(' ')}`);
        rows.push(`   next → ${Array.from(y.subarray(b * T, (b + 1) * T), (id) => vocab.words[id]).join(' ')}`);
      }
      if (w.streams > show) rows.push(`(… ${w.streams - show} more streams)`);
      return { split: name, window: index, of: w.windows, shape: [w.streams, T], tokens: rows.join('\n') };
    },
  };
}
