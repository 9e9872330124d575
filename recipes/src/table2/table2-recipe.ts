import type { PaperComparison, PhaseSpec, PluginUse, Recipe, RecipePatch } from '@anneal/core';

/**
 * Table 2 of Neelakantan et al. (2015), §4.2: End-To-End Memory Networks on bAbI (v1.2, English, 1k),
 * one model per task, with and without annealed gradient noise (η = 0.01, γ = 0.55, after clipping).
 *
 * Protocol (paper-spec §2.3, reference MemN2N MATLAB code):
 * - 3 hops, d = 20, adjacent tying, position + temporal encoding, random empty memories (RN), nil word at 0;
 * - plain SGD, batch 32 drawn with replacement, floor(900/32) = 28 batches per epoch, loss summed over the batch;
 * - per-matrix gradient clipping at Frobenius norm 40, noise added after clipping;
 * - one-stage: softmax attention throughout, lr 0.01 halved every 25 epochs, 200 epochs;
 * - two-stage: 20 linear-start epochs (no softmax over memories) at lr 0.005, then 200 epochs at 0.005 halved
 *   every 25 epochs; one global step counter (the noise schedule does not restart) [A];
 * - 10 random restarts per task; keep the restart with the lowest training error; report the mean over the
 *   20 tasks of the selected restarts' train and validation errors (validation = last 10% of the train file).
 */
export type Table2Protocol = 'one-stage' | 'two-stage';

export const TABLE2_TASKS: readonly number[] = Object.freeze(Array.from({ length: 20 }, (_, i) => i + 1));

export const TABLE2_CLIP: PluginUse = { plugin: 'clip-tensor-norm', config: { maxNorm: 40 } };
export const TABLE2_NOISE: PluginUse = { plugin: 'annealed-gaussian', config: { eta: 0.01, gamma: 0.55 }, at: 'post-clip' };

const HALVE_EVERY_25 = { kind: 'step', everyEpochs: 25, factor: 0.5 } as const;

/** The training phases of a protocol; `mainEpochs` / `linearEpochs` are 200 / 20 in the paper. */
export function table2Phases(protocol: Table2Protocol, mainEpochs = 200, linearEpochs = 20): PhaseSpec[] {
  if (protocol === 'one-stage') {
    return [{ name: 'main', epochs: mainEpochs, learningRate: 0.01, lrSchedule: HALVE_EVERY_25, modelOptions: { attention: 'softmax' } }];
  }
  return [
    { name: 'linear-start', epochs: linearEpochs, learningRate: 0.005, lrSchedule: { kind: 'constant' }, modelOptions: { attention: 'linear' } },
    { name: 'main', epochs: mainEpochs, learningRate: 0.005, lrSchedule: HALVE_EVERY_25, modelOptions: { attention: 'softmax' } },
  ];
}

/** Table 2 numbers (percent): mean over the 20 tasks of the best-of-10-restarts model [A: "mean" is not stated]. */
export const TABLE2_PAPER: Readonly<Record<Table2Protocol, PaperComparison['values']>> = Object.freeze({
  'one-stage': {
    'no-noise': { 'train/error': 10.5, 'validation/error': 19.5 },
    noise: { 'train/error': 9.6, 'validation/error': 16.6 },
  },
  'two-stage': {
    'no-noise': { 'train/error': 6.2, 'validation/error': 10.9 },
    noise: { 'train/error': 5.9, 'validation/error': 10.8 },
  },
});

/**
 * The quick patch (2-core CPU, minutes). Measured with the real trainer (cpu backend, batch 32, clip + noise
 * plugins): see recipes/src/table2/README.md. Three tasks of rising difficulty — 1 (single supporting fact,
 * stories ≤ 10 sentences), 2 (two supporting facts) and 3 (three supporting facts, 50-sentence memories) —
 * 2 restarts each, 60 main epochs (two-stage: 10 linear-start epochs first), lr halved every 25 epochs as in
 * the full protocol.
 */
export function table2Quick(protocol: Table2Protocol): RecipePatch {
  return {
    grid: { 'dataset.config.task': [1, 2, 3] },
    restarts: { count: 2, selectBy: 'train/error', mode: 'min' },
    training: { phases: table2Phases(protocol, 60, 10), evalEveryEpochs: 20 },
  };
}

export function table2Recipe(protocol: Table2Protocol): Recipe {
  const twoStage = protocol === 'two-stage';
  return {
    name: `memn2n-table2-${protocol}`,
    version: 1,
    description:
      `Table 2 (${twoStage ? 'two-stage: 20 linear-start epochs, then softmax' : 'one-stage: softmax attention from the start'}): ` +
      'End-To-End Memory Network (3 hops, d=20, PE, TE, RN) on the 20 bAbI 1k tasks, SGD batch 32, per-matrix clip 40, ' +
      'noise η=0.01 vs none; best of 10 restarts by training error.',
    model: { name: 'memn2n', config: { hops: 3, embeddingDim: 20, initStd: 0.1, positionEncoding: true } },
    dataset: { name: 'babi', config: { task: 1, maxMemory: 50, validationFraction: 0.1, timeEncoding: true, randomTime: 0.1 } },
    optimizer: { name: 'sgd', config: { learningRate: twoStage ? 0.005 : 0.01 } },
    plugins: [TABLE2_CLIP],
    training: {
      batchSize: 32,
      sampling: 'with-replacement',
      phases: table2Phases(protocol),
      evalSplits: ['train', 'validation'],
      evalEveryEpochs: 20,
    },
    seeds: [1],
    grid: { 'dataset.config.task': TABLE2_TASKS },
    variants: [
      { name: 'no-noise', patch: {} },
      { name: 'noise', patch: { plugins: [TABLE2_CLIP, TABLE2_NOISE] } },
    ],
    restarts: { count: 10, selectBy: 'train/error', mode: 'min' },
    quick: table2Quick(protocol),
    report: { layout: 'restart-selection', metric: 'train/error', columns: ['train/error', 'validation/error'], baseline: 'no-noise' },
    paper: {
      table: `Table 2, ${twoStage ? 'two-stage' : 'one-stage'} training (End-To-End Memory Networks, bAbI 1k)`,
      metric: 'train/error',
      values: TABLE2_PAPER[protocol],
      note:
        'paper: mean over the 20 tasks [A] of train / validation error of the best of 10 restarts (by train error), 200 epochs' +
        (twoStage ? ' after 20 linear-start epochs' : '') +
        '; ours: the same over the tasks and restarts actually run (quick: tasks 1-3, 2 restarts, 60 epochs)',
    },
    tags: ['table-2', 'memn2n', 'babi', protocol],
  };
}
