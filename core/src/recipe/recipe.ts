import type { HookPoint } from '../hooks/hook-point.js';
import type { ReportSpec } from './report-spec.js';

/** A plugin in a recipe's ordered list. The list order is the execution order within a hook point. */
export interface PluginUse {
  readonly plugin: string;
  readonly config?: Readonly<Record<string, unknown>>;
  /** Hook point override (must be one the plugin allows), e.g. noise at 'pre-clip'. */
  readonly at?: HookPoint;
  /** Instance name when the same plugin is used twice (defaults to the plugin name). */
  readonly as?: string;
  /**
   * 'list' (default): runs in list order within its hook point. 'constraints': placed by its manifest's
   * after/before/priority instead — how plugins attached with `--plugin` are placed.
   */
  readonly placement?: 'list' | 'constraints';
}

export interface ComponentUse {
  readonly name: string;
  readonly config?: Readonly<Record<string, unknown>>;
}

export type BatchSampling = 'permutation' | 'with-replacement' | 'sequential';
export const BATCH_SAMPLINGS: readonly BatchSampling[] = ['permutation', 'with-replacement', 'sequential'];

/** Learning-rate schedule within a phase. */
export type LrSchedule =
  | { readonly kind: 'constant' }
  | { readonly kind: 'step'; readonly everyEpochs: number; readonly factor: number };

/**
 * A training phase: a number of epochs with its own learning rate and model options. Phases run in
 * order with one global step counter t (e.g. MemN2N linear start: { name: 'linear-start', epochs: 20,
 * learningRate: 0.005, modelOptions: { attention: 'linear' } } then the main phase).
 */
export interface PhaseSpec {
  readonly name: string;
  readonly epochs: number;
  /** Overrides the optimizer's configured lr for this phase. */
  readonly learningRate?: number;
  readonly lrSchedule?: LrSchedule;
  readonly modelOptions?: Readonly<Record<string, unknown>>;
}

export const GRAPH_STEP_MODES = ['off', 'on', 'auto'] as const;
export type GraphStepMode = (typeof GRAPH_STEP_MODES)[number];

export interface TrainingSpec {
  readonly batchSize: number;
  /** Epochs of the single default phase (ignored when `phases` is given). */
  readonly epochs?: number;
  readonly phases?: readonly PhaseSpec[];
  /** Stop after this many updates in total (optional budget cap). */
  readonly maxSteps?: number;
  /** Evaluate every N epochs (and always at the end). */
  readonly evalEveryEpochs?: number;
  /** Splits to evaluate (default: test, plus validation when the dataset has one). */
  readonly evalSplits?: readonly ('train' | 'validation' | 'test')[];
  /**
   * Splits evaluated only once, after the last step (never every evalEveryEpochs), e.g. a long test split
   * that would otherwise dominate the run (Neural GPU: 1,024 examples of length 401). They are taken out of
   * the periodic evaluations of evalSplits and added to the final one.
   */
  readonly evalOnlyAtEnd?: readonly ('train' | 'validation' | 'test')[];
  /**
   * How batches are drawn: a per-epoch permutation (default), with replacement (MemN2N), or in index
   * order (streams cut into windows, e.g. PTB with carried LSTM state).
   */
  readonly sampling?: BatchSampling;
  /** Record global gradient norms in the StepRecord (costs a few ops per step). Default true. */
  readonly recordGradNorms?: boolean;
  /**
   * 'on': run each training step as one captured TensorFlow graph (tensorflow backend; every gradient-stage and
   * forward plugin needs a graph form; post-update plugins run eagerly after the graph; the model must allow it).
   * 'auto': 'on' where the plan allows it, else eager (the plan says why). Default 'off': eager tfjs ops.
   */
  readonly graphStep?: GraphStepMode;
  /**
   * TensorFlow's thread pools (intra- and inter-op) on the tensorflow backends. A process-wide setting, taken when
   * TensorFlow loads: `anneal run` reads it from the recipe's trials before it picks the backend, and they must agree.
   * ANNEAL_TF_THREADS (or TF_NUM_INTRAOP_THREADS / TF_NUM_INTEROP_THREADS) overrides it. Default 1: one thread was
   * faster for small-op steps (the MLP's); large steps (the PTB LM's) gain from 2 on two cores. The thread count a run
   * got is recorded with it (tag tensorflow_threads).
   */
  readonly tensorflowThreads?: number;
  readonly lrSchedule?: LrSchedule;
}

/** A named arm of an experiment (e.g. "no-noise", "noise"), as a patch over the base recipe. */
export interface Variant {
  readonly name: string;
  readonly patch: RecipePatch;
}

/** Deep-partial overrides applied to a recipe (plugins lists are replaced, not merged). */
export interface RecipePatch {
  readonly description?: string;
  readonly model?: Partial<ComponentUse> & { readonly config?: Readonly<Record<string, unknown>> };
  readonly dataset?: Partial<ComponentUse> & { readonly config?: Readonly<Record<string, unknown>> };
  readonly optimizer?: Partial<ComponentUse> & { readonly config?: Readonly<Record<string, unknown>> };
  readonly plugins?: readonly PluginUse[];
  readonly training?: Partial<TrainingSpec>;
  readonly seeds?: readonly number[];
  readonly grid?: Readonly<Record<string, readonly unknown[]>>;
  readonly variants?: readonly Variant[];
  readonly restarts?: RestartSpec;
  readonly report?: ReportSpec;
}

/** Random restarts: run N seeds per setting and keep the one with the best `selectBy` metric. */
export interface RestartSpec {
  readonly count: number;
  /** Metric key to select by, e.g. "train/error". */
  readonly selectBy: string;
  readonly mode: 'min' | 'max';
}

/**
 * The paper's numbers to print beside ours, for any report layout: per arm (variant name), per column of
 * the layout's main table, one number in the table's unit. The columns a layout has:
 *   best-average       'best', 'average'                    (percent for percent metrics)
 *   restart-selection  metric keys, e.g. 'train/error'      (mean over tasks of the selected restarts)
 *   grid-best          task labels, e.g. 'task=1'           (best over the rest of the grid and the seeds)
 *   success-rate       setting labels, e.g. 'learningRate=0.1', or 'all'   (percent of seeds reaching the threshold)
 *   threshold-counts   threshold labels, e.g. '< 1%', '< 0.5'              (a count of runs; unit 'count')
 *   mean-std           metric keys, e.g. 'test/perplexity'  (the paper's value; ours is mean ± std)
 * Labels are what the report prints as column headers (`anneal report --format json` lists them).
 */
export interface PaperComparison {
  readonly table: string;
  /** e.g. { 'no-noise': { best: 95.7, average: 51.6 }, noise: {...} } */
  readonly values: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Which tracked metric the numbers are about, e.g. "test/accuracy". */
  readonly metric: string;
  /** How many runs each paper number is over, per arm (e.g. Table 5: counts out of N runs). */
  readonly runs?: Readonly<Record<string, number>>;
  readonly note?: string;
}

/** A declarative, versioned experiment. */
export interface Recipe {
  readonly name: string;
  readonly version: number;
  readonly description: string;
  readonly model: ComponentUse;
  readonly dataset: ComponentUse;
  readonly optimizer: ComponentUse;
  /** Ordered plugin list; order within a hook point is execution order. */
  readonly plugins: readonly PluginUse[];
  readonly training: TrainingSpec;
  readonly seeds: readonly number[];
  /** Settings to cross: keys are dotted paths (e.g. "optimizer.config.learningRate"). */
  readonly grid?: Readonly<Record<string, readonly unknown[]>>;
  /** Named arms (crossed with the grid and seeds). */
  readonly variants?: readonly Variant[];
  readonly restarts?: RestartSpec;
  /** External plugin modules the recipe needs (paths or package names). */
  readonly load?: readonly string[];
  /** The minutes-scale variant for a 2-core CPU. */
  readonly quick?: RecipePatch;
  readonly paper?: PaperComparison;
  /** The recipe's table (default: 'restart-selection' with restarts, else 'best-average' on paper.metric). */
  readonly report?: ReportSpec;
  readonly tags?: readonly string[];
}
