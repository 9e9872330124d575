import * as tf from '@tensorflow/tfjs-core';
import { prefersResidentBatches, type Batch, type BatchContext, type DataSplit } from '@anneal/core';
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
 * Where the backend prefers it (core's prefersResidentBatches: tensorflow), the split's images are converted once,
 * at the first batch, into one tensor [size, rows·cols] that the split keeps (dispose() frees it), and x is one
 * tf.gather of its rows: the same values, without the host copy and upload per batch.
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
    const y = new Int32Array(b);
    for (let k = 0; k < b; k++) {
      const i = indices[k];
      if (!(i >= 0 && i < this.size)) throw new RangeError(`${OWNER}: ${this.name} index ${i} is out of range [0, ${this.size})`);
      y[k] = this.part.labels[this.rows[i]];
    }
    const x = prefersResidentBatches() ? this.gatheredImages(indices) : this.hostImages(indices);
    return { x, y: tf.tensor1d(y, 'int32') };
  }

  /** The images of split rows `indices` (in range), copied and scaled on the host: float32 [b, rows·cols]. */
  private hostImages(indices: Int32Array): tf.Tensor2D {
    const b = indices.length;
    const d = this.inputSize;
    const images = this.part.images;
    const x = new Float32Array(b * d);
    for (let k = 0; k < b; k++) {
      const src = this.rows[indices[k]] * d;
      const dst = k * d;
      for (let j = 0; j < d; j++) x[dst + j] = PIXEL_SCALE[images[src + j]];
    }
    return tf.tensor2d(x, [b, d], 'float32');
  }

  /** The images of split rows `indices` (in range), gathered from the resident tensor. */
  private gatheredImages(indices: Int32Array): tf.Tensor2D {
    const images = this.residentImages();
    return tf.tidy(() => tf.gather(images, tf.tensor1d(indices, 'int32')));
  }

  private resident?: { readonly images: tf.Tensor2D; readonly backend: string };

  /** Every image of the split as one kept tensor on the active backend, made at the first call there. */
  private residentImages(): tf.Tensor2D {
    const backend = tf.getBackend();
    if (this.resident?.backend !== backend || this.resident.images.isDisposed) {
      this.resident?.images.dispose();
      this.resident = { images: tf.keep(this.hostImages(Int32Array.from({ length: this.size }, (_, i) => i))), backend };
    }
    return this.resident.images;
  }

  /** Frees the resident images (a later batch makes them again). */
  dispose(): void {
    this.resident?.images.dispose();
    this.resident = undefined;
  }

  /** The labels of this split, in split order (a copy). */
  labels(): Int32Array {
    const out = new Int32Array(this.size);
    for (let i = 0; i < this.size; i++) out[i] = this.part.labels[this.rows[i]];
    return out;
  }
}

