import type { PluginUse, Recipe, RecipePatch } from '@anneal/core';

/**
 * Table 5 of Neelakantan et al. (2015), §4.5: the Neural GPU on binary multiplication, trained on lengths
 * ≤ 41 (20-bit operands) with the length curriculum, tested on length 401 (200-bit operands); runs counted
 * by test sequence error under 1 / 2 / 3 / 5 %. Noise: η = 1.0, γ = 0.55, after global-norm clipping, Adam.
 *
 * 7,290 runs read as 729 grid settings × 10 seeds [A: the Neural GPU paper's 729-point grid = 3^6; which six
 * hyper-parameters it varied is recalled, not verified]: lr, init scale, clip norm, dropout, starting pull and
 * pull increase, three values each. Epoch = one NGPU checkpoint (200 steps of 32); 100 epochs = 20k steps [A].
 * NGPU's lr ×0.98 decays (ngpu-curriculum lrDecay) and hard averaging of the 6 copies (ngpu-average-copies)
 * are on in both arms; the test split is evaluated only at the end (training.evalOnlyAtEnd).
 */
export const NGPU_CLIP: PluginUse = { plugin: 'clip-global-norm', config: { maxNorm: 1 } };
export const NGPU_NOISE: PluginUse = { plugin: 'annealed-gaussian', config: { eta: 1.0, gamma: 0.55 }, at: 'post-clip' };
const curriculum = (max: number, minSteps: number): PluginUse => ({ plugin: 'ngpu-curriculum', config: { start: 6, min: 3, max, threshold: 0.15, minSteps, lrDecay: 0.98 } });
/** The relaxation's hard averaging: at the curriculum's averaging points and once at the end (a no-op with copies = 1). */
export const NGPU_AVERAGE: PluginUse = { plugin: 'ngpu-average-copies', config: { atEnd: true } };

export const NGPU_GRID: Readonly<Record<string, readonly unknown[]>> = Object.freeze({
  'optimizer.config.learningRate': [0.0003, 0.001, 0.003],
  'model.config.initWeight': [0.5, 1, 1.5],
  'plugins.clip-global-norm.maxNorm': [0.5, 1, 2],
  'model.config.dropout': [0, 0.1, 0.15],
  'plugins.ngpu-curriculum.pull': [0.0001, 0.0005, 0.002],
  'plugins.ngpu-curriculum.pullIncrease': [1.1, 1.2, 1.5],
});

/**
 * Quick (2-core CPU, wasm): badd with ≤ 4-bit operands (lengths 3–9, curriculum from 6), m = 8, batch 8,
 * 1,000 steps (20 epochs of 50), tested at length 21 (10-bit operands, 2.3× the training length);
 * 3 seeds per arm, one grid point, plain parameter sharing.
 */
export const ngpuQuick: RecipePatch = {
  model: { config: { m: 8, copies: 1, dropout: 0 } },
  dataset: { config: { task: 'badd', trainMaxLength: 9, testLength: 21, trainSize: 400, validationSize: 32, testSize: 64, bins: [8, 12, 16, 24] } },
  training: { batchSize: 8, epochs: 20, evalEveryEpochs: 1 },
  seeds: [1, 2, 3],
  // One point of the grid (patches merge the grid key by key), and the curriculum's quick cap and interval
  // (grid values are applied after the arm's plugin list, so both arms get them).
  grid: {
    'optimizer.config.learningRate': [0.003],
    'model.config.initWeight': [1],
    'plugins.clip-global-norm.maxNorm': [1],
    'model.config.dropout': [0],
    'plugins.ngpu-curriculum.pull': [0.0005],
    'plugins.ngpu-curriculum.pullIncrease': [1.2],
    'plugins.ngpu-curriculum.max': [9],
    'plugins.ngpu-curriculum.minSteps': [50],
  },
};

export const ngpuTable5Recipe: Recipe = {
  name: 'ngpu-table5',
  version: 1,
  description: 'Table 5: Neural GPU (m=24, 2 CGRUs/step, 6-copy relaxation) on bmul, train ≤ 20-bit, test 200-bit; Adam, clip, noise η=1.0 vs none; runs under 1/2/3/5 % test sequence error.',
  model: { name: 'neural-gpu', config: { m: 24, height: 4, layers: 2, copies: 6, cutoff: 1.2, gateBias: 1, initWeight: 1, dropout: 0.15 } },
  dataset: { name: 'binary-arith', config: { task: 'bmul', trainMaxLength: 41, testLength: 401, trainSize: 6400, validationSize: 128, testSize: 1024 } },
  optimizer: { name: 'adam', config: { learningRate: 0.001, epsilon: 1e-4 } },
  plugins: [curriculum(41, 200), NGPU_CLIP, NGPU_AVERAGE],
  // The curriculum reads the validation split (training examples ≤ cur) every checkpoint; the 1,024 length-401
  // test examples cost several times a checkpoint's training, so they are evaluated once, after the last step.
  // graphStep 'auto': on tensorflow a step without dropout runs as one captured graph per batch length (the bench's
  // step 158 → 14.7 ms); the grid's dropout 0.1 / 0.15 points and wasm/cpu stay eager.
  training: { batchSize: 32, epochs: 100, evalSplits: ['validation', 'test'], evalEveryEpochs: 1, evalOnlyAtEnd: ['test'], graphStep: 'auto' },
  seeds: Array.from({ length: 10 }, (_, i) => i + 1),
  grid: NGPU_GRID,
  variants: [
    { name: 'no-noise', patch: {} },
    { name: 'noise', patch: { plugins: [curriculum(41, 200), NGPU_CLIP, NGPU_NOISE, NGPU_AVERAGE] } },
  ],
  quick: ngpuQuick,
  report: { layout: 'threshold-counts', metric: 'test/seq_error', thresholds: [0.01, 0.02, 0.03, 0.05] },
  paper: {
    table: 'Table 5 (Neural GPU, binary multiplication: runs out of 7,290 under each test error)',
    metric: 'test/seq_error',
    values: { 'no-noise': { '< 1%': 28, '< 2%': 90, '< 3%': 172, '< 5%': 387 }, noise: { '< 1%': 58, '< 2%': 159, '< 3%': 282, '< 5%': 570 } },
    runs: { 'no-noise': 7290, noise: 7290 },
    note: 'paper: "error" undefined; ours: full-sequence error at the test length (per-bit error is logged as test/bit_error). Quick: badd, 3 seeds per arm, test at 2.3× the training length.',
  },
  tags: ['table-5', 'neural-gpu', 'binary-arith'],
};
