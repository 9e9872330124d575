import * as tf from '@tensorflow/tfjs-core';
import type { Batch, BatchContext, DataSplit } from '@anneal/core';
import type { MnistPart } from './mnist.js';

const OWNER = "dataset 'mnist'";

/** 1/255 lookup: pixel byte → float32 in [0, 1]. */
const PIXEL_SCALE = (() => {
  const t = new Float32Array(256);
  for (let i = 0; i < 256; i++) t[i] = i / 255;
  return t;
})();

/**
 * A split over rows of a parsed MNIST part. `batch(indices)` builds
 * { x: float32 [b, rows·cols] scaled to [0, 1], y: int32 [b] } by copying rows (converted lazily, per batch).
 */
export class MnistSplit implements DataSplit {
  readonly size: number;
  readonly inputSize: number;

  constructor(
    readonly name: string,
    private readonly part: MnistPart,
    /** Row of the part for each example of this split. */
    readonly rows: Int32Array,
  ) {
    this.size = rows.length;
    this.inputSize = part.rows * part.cols;
  }

  /** The digit as text art (14 × 28 characters, two pixel rows per line) and its label. */
  describe(index: number): Readonly<Record<string, unknown>> {
    const { images, labels, rows, cols } = this.part;
    const r = this.rows[index];
    const shade = ' .:-=+*#%@';
    const px = (y: number, x: number) => images[r * rows * cols + y * cols + x];
    const art = Array.from({ length: rows / 2 }, (_, y) =>
      Array.from({ length: cols }, (_, x) => shade[Math.min(9, Math.floor(((px(2 * y, x) + px(2 * y + 1, x)) / 2 / 256) * 10))]).join('').trimEnd(),
    ).join('\n');
    return { split: this.name, row: r, label: labels[r], image: art };
  }

  batch(indices: Int32Array, _ctx?: BatchContext): Batch {
    const b = indices.length;
    const d = this.inputSize;
    const { images, labels } = this.part;
    const x = new Float32Array(b * d);
    const y = new Int32Array(b);
    for (let k = 0; k < b; k++) {
      const i = indices[k];
      if (!(i >= 0 && i < this.size)) throw new RangeError(`${OWNER}: ${this.name} index ${i} is out of range [0, ${this.size})`);
      const r = this.rows[i];
      const src = r * d;
      const dst = k * d;
      for (let j = 0; j < d; j++) x[dst + j] = PIXEL_SCALE[images[src + j]];
      y[k] = labels[r];
    }
    return { x: tf.tensor2d(x, [b, d], 'float32'), y: tf.tensor1d(y, 'int32') };
  }

  /** The labels of this split, in split order (a copy). */
  labels(): Int32Array {
    const out = new Int32Array(this.size);
    for (let i = 0; i < this.size; i++) out[i] = this.part.labels[this.rows[i]];
    return out;
  }
}

