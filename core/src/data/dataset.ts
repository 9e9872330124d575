import type * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../random/rng.js';

/** One mini-batch: named tensors (e.g. { x, y } for MNIST; { stories, queries, answers } for bAbI). */
export type Batch = Readonly<Record<string, tf.Tensor>>;

/** A split of a dataset that can build a batch for any list of example indices. */
export interface DataSplit {
  readonly size: number;
  /**
   * Creates the batch tensors for `indices`. Called inside a tf.tidy owned by the trainer.
   * `ctx.training` is true only for optimisation batches (not for evaluating the train split);
   * `ctx.rng` is the trainer's checkpointed data stream, for training-time randomisation
   * (e.g. MemN2N's random-noise empty memories).
   */
  batch(indices: Int32Array, ctx: BatchContext): Batch;
  /**
   * Examples per evaluation batch (default: the trainer's). A split whose examples are whole
   * windows of a stream (PTB) says 1, so a model that carries state sees them in order.
   */
  readonly evalBatchSize?: number;
  /**
   * One example in readable form (question text, table, answer, template; a digit as text art…):
   * plain JSON that `anneal data sample` prints. A multi-line string value prints as a block.
   */
  describe?(index: number): Readonly<Record<string, unknown>>;
}

/** Facts about the data that a model family needs to build itself (input size, classes, vocabulary…). */
export type DatasetInfo = Readonly<Record<string, unknown>>;

export interface Dataset {
  readonly name: string;
  readonly info: DatasetInfo;
  readonly splits: Readonly<{ train: DataSplit; validation?: DataSplit; test?: DataSplit }>;
  dispose?(): void;
}

/** What a dataset loader gets. */
export interface DatasetLoadContext {
  /** Resolved data directory (config `dataDir`, else ANNEAL_DATA_DIR, else the package default). */
  readonly dataDir?: string;
  /** Seed for any subsetting / shuffling / generation the dataset does itself. */
  readonly seed: number;
}

export interface BatchContext {
  readonly training: boolean;
  readonly rng: Rng;
  /** Completed updates before this batch (the evaluation step for evaluation batches). */
  readonly step: number;
  readonly epoch: number;
  /** Latest evaluation results ("train/error", "test/accuracy", …); empty before the first evaluation. */
  readonly evaluation: Readonly<Record<string, number>>;
  /** The curriculum's difficulty for this batch (e.g. { length: 7 }); empty without a curriculum. */
  readonly curriculum: Readonly<Record<string, number>>;
}

/** A batch context with the step facts defaulted (step 0, no evaluation yet, no curriculum), e.g. for tests and tools. */
export function batchContext(ctx: Pick<BatchContext, 'training' | 'rng'> & Partial<BatchContext>): BatchContext {
  return { step: 0, epoch: 0, evaluation: {}, curriculum: {}, ...ctx };
}
