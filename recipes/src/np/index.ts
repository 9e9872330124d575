import type { PluginUse, Recipe, Variant } from '@anneal/core';
import { NP_ARMS, NP_CLIP, NP_NOISE, SOLVED_LABEL, SOLVED_THRESHOLD, npQuick, npRecipe, type NpTask } from './np-recipe.js';

export * from './np-recipe.js';

/** Quick budgets (epochs of 100 steps at batch 50), sized for ≈ 10 minutes here: README "Neural Programmer on table QA". */
const QUICK_EPOCHS = 12;
const QUICK_SEEDS = [1, 2, 3];

/** Runs reaching 100% test accuracy, and (for the quick runs, where none may) the mean test accuracy ± std over seeds. */
const solvedCounts = { layout: 'threshold-counts', metric: 'test/error', thresholds: [SOLVED_THRESHOLD], means: ['test/accuracy'] } as const;

export const npSingleColumnRecipe: Recipe = npRecipe({
  name: 'np-single-column',
  task: 'single-column',
  description:
    'Neural Programmer, single-column table QA (23 templates): share of runs reaching 100% test accuracy, no noise vs annealed noise η=1.0 after clipping vs no noise + dropout; 72-point grid × 3 seeds, Adam.',
  variants: [NP_ARMS.noNoise, NP_ARMS.noise, NP_ARMS.noNoiseDropout],
  report: solvedCounts,
  paper: {
    table: 'Neural Programmer, single column (§4.3): runs reaching 100% test accuracy',
    metric: 'test/error',
    values: { 'no-noise': { [SOLVED_LABEL]: 1 }, noise: { [SOLVED_LABEL]: 9 }, 'no-noise+dropout': { [SOLVED_LABEL]: 0 } },
    runs: { 'no-noise': 216, noise: 216, 'no-noise+dropout': 216 },
    note: 'paper: 216 runs per arm (72 settings × 3 seeds), d=256; ours (quick): one setting, d=64, small tables, 3 seeds, 1,200 steps',
  },
  quick: npQuick('single-column', QUICK_EPOCHS, QUICK_SEEDS),
  tags: ['table-3', 'single-column'],
});

function table3(task: Exclude<NpTask, 'single-column'>, paper: Record<string, number>): Recipe {
  const mode = task === 'five-columns' ? 'multi-column' : 'text-entries';
  const label = `mode=${mode}`; // the report's task label (registry/src/report/select-runs.ts settingLabel)
  return npRecipe({
    name: `np-table3-${task}`,
    task,
    description: `Table 3, ${task === 'five-columns' ? 'five columns (bidirectional question RNN)' : 'text entries (one text column over 10 words + one numeric column, text_match)'}: best test accuracy over the 72-point grid × 3 seeds, no noise / noise η=1.0 × dropout no / yes, Adam.`,
    variants: [NP_ARMS.noNoise, NP_ARMS.noise, NP_ARMS.noNoiseDropout, NP_ARMS.noiseDropout],
    report: { layout: 'grid-best', metric: 'test/accuracy', taskKeys: ['dataset.config.mode'] },
    paper: {
      table: `Table 3 (Neural Programmer), ${task === 'five-columns' ? 'five columns' : 'text entries'}: accuracy, best over the grid`,
      metric: 'test/accuracy',
      values: Object.fromEntries(Object.entries(paper).map(([arm, v]) => [arm, { [label]: v }])),
      note: 'paper: best over 72 settings × 3 seeds, d=256; ours (quick): one setting, d=64, small tables, 2 seeds, 1,200 steps',
    },
    quick: npQuick(task, QUICK_EPOCHS, [1, 2]),
    tags: ['table-3', task],
  });
}

export const npTable3FiveColumnsRecipe = table3('five-columns', { 'no-noise': 95.3, noise: 98.7, 'no-noise+dropout': 97.4, 'noise+dropout': 99.2 });
export const npTable3TextEntriesRecipe = table3('text-entries', { 'no-noise': 97.6, noise: 98.8, 'no-noise+dropout': 99.1, 'noise+dropout': 97.3 });

/** §7.1: fixed noise variance, log-uniform in [1e-4, 0.1] [A: four log-spaced values], against annealed noise. */
const fixed = (eta: number): Variant => ({
  name: `fixed-${eta.toExponential(0)}`,
  patch: { plugins: [NP_CLIP, { plugin: 'constant-gaussian', config: { eta }, at: 'post-clip' }] },
});
const ANNEALED: Variant = { name: 'annealed', patch: { plugins: [NP_CLIP, NP_NOISE] } };

export const npAblationFixedNoiseRecipe: Recipe = npRecipe({
  name: 'np-ablation-fixed-noise',
  task: 'single-column',
  description: 'Ablation (§4.6): annealed noise η=1.0 vs fixed noise variance {1e-4, 1e-3, 1e-2, 1e-1}, single column, 72-point grid × 3 seeds each: runs reaching 100% test accuracy.',
  variants: [ANNEALED, fixed(1e-4), fixed(1e-3), fixed(1e-2), fixed(1e-1)],
  report: solvedCounts,
  paper: {
    table: 'Neural Programmer ablation (§4.6): annealed vs fixed noise, runs reaching the best error',
    metric: 'test/error',
    values: { annealed: { [SOLVED_LABEL]: 9 } },
    runs: { annealed: 216 },
    note: 'paper: 9/216 annealed vs 5/216 for the best fixed variance (which one is not stated); ours: the same count per variance',
  },
  quick: { ...npQuick('single-column', QUICK_EPOCHS, QUICK_SEEDS), variants: [ANNEALED, fixed(1e-3)] },
  tags: ['ablation', 'fixed-noise'],
});

const batchArm = (b: number, noise: boolean): Variant => ({
  name: `${noise ? 'noise' : 'no-noise'}-batch-${b}`,
  patch: { training: { batchSize: b }, ...(noise ? { plugins: [NP_CLIP, NP_NOISE] as PluginUse[] } : {}) },
});

export const npAblationBatchSizeRecipe: Recipe = npRecipe({
  name: 'np-ablation-batch-size',
  task: 'single-column',
  description:
    'Ablation (§4.6): smaller minibatches (10 / 25 / 50, no noise) vs annealed noise at batch 50, single column: runs reaching 100% test accuracy. ' +
    'Compared at equal examples (the same epochs: batch 10 takes 5× the updates of batch 50), the comparison most favourable to small batches; the paper does not say which it used.',
  variants: [batchArm(50, true), batchArm(10, false), batchArm(25, false), batchArm(50, false)],
  report: solvedCounts,
  paper: {
    table: 'Neural Programmer ablation (§4.6): batch size without noise',
    metric: 'test/error',
    values: { 'noise-batch-50': { [SOLVED_LABEL]: 9 }, 'no-noise-batch-10': { [SOLVED_LABEL]: 0 }, 'no-noise-batch-25': { [SOLVED_LABEL]: 0 } },
    runs: { 'noise-batch-50': 216, 'no-noise-batch-10': 216, 'no-noise-batch-25': 216 },
    note: 'paper: "no run without noise reaches the best error at any batch size" (batch 50 without noise: 1/216 in the main table); ours: the same epochs at every batch size',
  },
  quick: { ...npQuick('single-column', QUICK_EPOCHS, QUICK_SEEDS), variants: [batchArm(50, true), batchArm(10, false)] },
  tags: ['ablation', 'batch-size'],
});

const weightNoise = (eta: number): Variant => ({
  name: `weight-noise-${eta.toExponential(0)}`,
  patch: { plugins: [NP_CLIP, { plugin: 'weight-noise', config: { eta, gamma: 0.55 } }] },
});

export const npAblationWeightNoiseRecipe: Recipe = npRecipe({
  name: 'np-ablation-weight-noise',
  task: 'single-column',
  description: 'Ablation (§4.6): annealed gradient noise η=1.0 vs annealed weight noise (θ ← θ + N(0, η/(1+t)^0.55) after each update, gradients clean) from η = 1e-6, single column: best and average test accuracy.',
  variants: [ANNEALED, weightNoise(1e-6), weightNoise(1e-4), weightNoise(1e-2)],
  report: { layout: 'best-average', metric: 'test/accuracy', baseline: 'annealed' },
  paper: {
    table: 'Neural Programmer ablation (§4.6): weight noise instead of gradient noise',
    metric: 'test/accuracy',
    values: { annealed: { best: 100 }, 'weight-noise-1e-6': { best: 32 } },
    note: 'paper: weight noise "fails to train", best error 68% (best accuracy 32%, over its starting variances); annealed gradient noise reaches 100%',
  },
  quick: { ...npQuick('single-column', QUICK_EPOCHS, QUICK_SEEDS), variants: [ANNEALED, weightNoise(1e-6)] },
  tags: ['ablation', 'weight-noise'],
});

/** Table 3 of the paper (single column, five columns, text entries) and the §4.6 ablations. */
export const npRecipes: Recipe[] = [
  npSingleColumnRecipe,
  npTable3FiveColumnsRecipe,
  npTable3TextEntriesRecipe,
  npAblationFixedNoiseRecipe,
  npAblationBatchSizeRecipe,
  npAblationWeightNoiseRecipe,
];
