/**
 * One small instance of every model family, taken from its registered quick recipe with sizes shrunk by --set
 * paths (so the cpu backend and finite differences stay fast), plus each family's alternative gradient or
 * kernel paths (memn2n's hand-written backward, the Neural GPU's conv kernels): the conformance suite checks
 * each on every backend.
 */
export interface FamilyCase {
  readonly label: string;
  readonly recipe: string;
  readonly sets: Readonly<Record<string, unknown>>;
  /** Examples in the checked batch. */
  readonly batch: number;
  /** Needs the shared data folder (bAbI, PTB); skipped with a reason when it is absent. */
  readonly data?: 'babi' | 'ptb';
  /** Finite-difference step (default 1e-2; smaller across ReLU kinks). */
  readonly fdEps?: number;
  /** Gradient kernels the case needs; a backend without them cannot train it (checked, then not run). */
  readonly needsKernels?: readonly string[];
  /** Entries finite differences cannot see (memn2n's nil-word rows get a straight-through gradient by design). */
  readonly fdExclude?: (param: string, index: number) => boolean;
}

const nilRow = (dim: number) => (param: string, index: number) => param.startsWith('embed/') && index < dim;

export const FAMILY_CASES: readonly FamilyCase[] = [
  { label: 'mlp manual backward', recipe: 'mlp-table1-exp3', sets: { 'model.config.depth': 4, 'model.config.width': 16, 'model.config.gradient': 'manual', 'dataset.config.trainSize': 64, 'dataset.config.testSize': 16 }, batch: 8, fdEps: 1e-3 },
  { label: 'mlp autodiff', recipe: 'mlp-table1-exp3', sets: { 'model.config.depth': 4, 'model.config.width': 16, 'model.config.gradient': 'autodiff', 'dataset.config.trainSize': 64, 'dataset.config.testSize': 16 }, batch: 8, fdEps: 1e-3 },
  { label: 'memn2n manual backward', recipe: 'memn2n-table2-one-stage', sets: { 'model.config.gradient': 'manual', 'model.config.embeddingDim': 8 }, batch: 4, data: 'babi', fdExclude: nilRow(8) },
  { label: 'memn2n autodiff', recipe: 'memn2n-table2-one-stage', sets: { 'model.config.gradient': 'autodiff', 'model.config.embeddingDim': 8 }, batch: 4, data: 'babi', fdExclude: nilRow(8) },
  // Small entries, λ and a wide Huber δ keep the loss small and smooth, so float32 differences resolve it.
  { label: 'neural-programmer', recipe: 'np-single-column', sets: { 'model.config.hiddenSize': 8, 'dataset.config.trainSize': 16, 'dataset.config.testSize': 8, 'dataset.config.rowsMin': 3, 'dataset.config.rowsMax': 5, 'dataset.config.entryMin': -5, 'dataset.config.entryMax': 5, 'model.config.lambda': 2, 'model.config.huberDelta': 50 }, batch: 4 },
  { label: 'nram', recipe: 'nram-table4', sets: { 'model.config.hidden': 8, 'dataset.config.trainSize': 16, 'dataset.config.testSize': 8 }, batch: 4 },
  { label: 'neural-gpu shift conv', recipe: 'ngpu-table5', sets: { 'model.config.m': 4, 'model.config.conv': 'shift', 'dataset.config.trainSize': 16, 'dataset.config.validationSize': 4, 'dataset.config.testSize': 4 }, batch: 2 },
  { label: 'neural-gpu conv2d', recipe: 'ngpu-table5', sets: { 'model.config.m': 4, 'model.config.conv': 'conv2d', 'dataset.config.trainSize': 16, 'dataset.config.validationSize': 4, 'dataset.config.testSize': 4 }, batch: 2, needsKernels: ['Conv2DBackpropFilter', 'Conv2DBackpropInput'] },
  { label: 'lstm-lm', recipe: 'ptb-lstm-noise', sets: { 'model.config.hiddenSize': 16, 'model.config.cell': 'auto', 'dataset.config.vocabSize': 200, 'dataset.config.maxTrainTokens': 4000, 'dataset.config.maxEvalTokens': 800, 'dataset.config.numSteps': 5, 'dataset.config.batchSize': 3 }, batch: 1, data: 'ptb' },
  { label: 'lstm-lm step-by-step', recipe: 'ptb-lstm-noise', sets: { 'model.config.hiddenSize': 16, 'model.config.cell': 'step-by-step', 'dataset.config.vocabSize': 200, 'dataset.config.maxTrainTokens': 4000, 'dataset.config.maxEvalTokens': 800, 'dataset.config.numSteps': 5, 'dataset.config.batchSize': 3 }, batch: 1, data: 'ptb' },
];
