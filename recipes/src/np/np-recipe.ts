import type { PaperComparison, PluginUse, Recipe, RecipePatch, ReportSpec, Variant } from '@anneal/core';

/**
 * The Neural Programmer experiments of Neelakantan et al. (2015), §4.3 / Table 3 and the §4.6 ablations
 * (paper-spec §3, §7), on the synthetic table-qa generator.
 *
 * Full protocol (paper-spec §3.4): d = 256, T = 4, Adam lr 0.001 (β 0.9 / 0.999), batch 50, params
 * U[−0.1, 0.1], 50,000 training triples, 1,000 test triples (120 rows, entries in [−200, 200]); the grid
 * clip {1, 5, 50} × ε {1e-6, 1e-8} × Huber δ {10, 25, 50} × λ {25, 50, 75, 100} = 72 settings × 3 seeds
 * = 216 runs per arm; 50 epochs = 50,000 steps [A: the paper does not state the number of steps].
 * Noise η = 1.0, γ = 0.55 after global-norm clipping; dropout keep 0.8 on the question and history
 * states [A: NPWTQ defaults].
 */
export const NP_CLIP: PluginUse = { plugin: 'clip-global-norm', config: { maxNorm: 5 } };
export const NP_NOISE: PluginUse = { plugin: 'annealed-gaussian', config: { eta: 1.0, gamma: 0.55 }, at: 'post-clip' };
export const NP_DROPOUT: PluginUse = { plugin: 'dropout', config: { rate: 0.2, sites: ['question', 'history'] } };

export const NP_GRID: Readonly<Record<string, readonly unknown[]>> = Object.freeze({
  'plugins.clip-global-norm.maxNorm': [1, 5, 50],
  'optimizer.config.epsilon': [1e-6, 1e-8],
  'model.config.huberDelta': [10, 25, 50],
  'model.config.lambda': [25, 50, 75, 100],
});

/** The quick grid point of paper-spec §3.6: clip 5, ε 1e-6, δ 25, λ 50. */
export const NP_QUICK_POINT: Readonly<Record<string, readonly unknown[]>> = Object.freeze({
  'plugins.clip-global-norm.maxNorm': [5],
  'optimizer.config.epsilon': [1e-6],
  'model.config.huberDelta': [25],
  'model.config.lambda': [50],
});

export type NpTask = 'single-column' | 'five-columns' | 'text-entries';

export function npDatasetConfig(task: NpTask): Record<string, unknown> {
  const mode = task === 'five-columns' ? 'multi-column' : task;
  return { mode, columns: 5, vocabulary: 10, trainSize: 50000, testSize: 1000, rowsMin: 30, rowsMax: 100, testRows: 120, entryMin: -100, entryMax: 100, testEntryMin: -200, testEntryMax: 200 };
}

/**
 * The quick setting (paper-spec §3.6, 2-core CPU, ≈ 10 minutes): d = 64, tables of 10–30 rows in training
 * and 40 at test, 5,000 training triples, 500 test triples, one grid point, 3 seeds per arm.
 * `epochs` × 100 steps per epoch (batch 50). Measured cost: README "Neural Programmer on table QA".
 */
export function npQuick(task: NpTask, epochs: number, seeds: readonly number[], grid: Readonly<Record<string, readonly unknown[]>> = NP_QUICK_POINT): RecipePatch {
  return {
    model: { config: { hiddenSize: 64 } },
    dataset: { config: { trainSize: 5000, testSize: 500, rowsMin: 10, rowsMax: 30, testRows: 40 } },
    training: { epochs, evalEveryEpochs: epochs },
    seeds,
    grid: { ...(task === 'single-column' ? {} : { 'dataset.config.mode': [npDatasetConfig(task).mode] }), ...grid },
  };
}

export interface NpRecipeInput {
  readonly name: string;
  readonly task: NpTask;
  readonly description: string;
  readonly variants: readonly Variant[];
  readonly report: ReportSpec;
  readonly paper: PaperComparison;
  readonly quick: RecipePatch;
  readonly grid?: Readonly<Record<string, readonly unknown[]>>;
  readonly tags: readonly string[];
}

export function npRecipe(r: NpRecipeInput): Recipe {
  const modeKey: Record<string, readonly unknown[]> = r.task === 'single-column' ? {} : { 'dataset.config.mode': [npDatasetConfig(r.task).mode] };
  return {
    name: r.name,
    version: 1,
    description: r.description,
    model: { name: 'neural-programmer', config: { hiddenSize: 256, steps: 4, initRange: 0.1, bidirectional: 'auto', lambda: 50, huberDelta: 25 } },
    dataset: { name: 'table-qa', config: npDatasetConfig(r.task) },
    optimizer: { name: 'adam', config: { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-6 } },
    plugins: [NP_CLIP],
    // graphStep 'auto': on tensorflow the step runs as one captured graph (np-single-column --quick: 38 s against
    // 291 s eager, 2026-12-03); wasm and cpu run it eagerly, as before.
    training: { batchSize: 50, epochs: 50, evalSplits: ['test'], evalEveryEpochs: 10, graphStep: 'auto' },
    seeds: [1, 2, 3],
    grid: { ...modeKey, ...(r.grid ?? NP_GRID) },
    variants: r.variants,
    quick: r.quick,
    report: r.report,
    paper: r.paper,
    tags: ['neural-programmer', 'table-qa', ...r.tags],
  };
}

/** Variants: the no-noise arm keeps clipping; the others add noise and / or dropout after it. */
export const NP_ARMS = {
  noNoise: { name: 'no-noise', patch: {} } as Variant,
  noise: { name: 'noise', patch: { plugins: [NP_CLIP, NP_NOISE] } } as Variant,
  noNoiseDropout: { name: 'no-noise+dropout', patch: { plugins: [NP_CLIP, NP_DROPOUT] } } as Variant,
  noiseDropout: { name: 'noise+dropout', patch: { plugins: [NP_CLIP, NP_NOISE, NP_DROPOUT] } } as Variant,
};

/** "Runs reaching 100% test accuracy": test/error under 0.01 % (= no question wrong on 1,000). */
export const SOLVED_THRESHOLD = 0.0001;
export const SOLVED_LABEL = '< 0.01%';
