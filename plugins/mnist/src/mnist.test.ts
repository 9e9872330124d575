import test, { type ExecutionContext } from 'ava';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, isAnnealError, batchContext } from '@anneal/core';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, parseIdx, readIdxFile } from './idx.js';
import { MNIST_FILES, loadMnist, mnistDataPackageDir, mnistDataset, readIdxCached, resolveMnistSource, type MnistFileKey } from './mnist.js';

const PKG = mnistDataPackageDir()!;
const real = (key: MnistFileKey) => join(PKG, MNIST_FILES[key]);
const bctx = batchContext({ training: true, rng: new Rng(0) });

/** A temp dir with the 4 files symlinked to the real ones, except those given in `override` (written as bytes). */
function fixtureDir(t: ExecutionContext, override: Partial<Record<MnistFileKey, Uint8Array | null>> = {}, suffix: Partial<Record<MnistFileKey, string>> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'anneal-mnist-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const key of Object.keys(MNIST_FILES) as MnistFileKey[]) {
    const target = join(dir, MNIST_FILES[key] + (suffix[key] ?? ''));
    if (key in override) {
      const bytes = override[key];
      if (bytes) writeFileSync(target, bytes);
    } else {
      symlinkSync(real(key), target);
    }
  }
  return dir;
}

test('parses the real IDX files: 60000/10000 images of 28×28, first training label 5, first test label 7', (t) => {
  const trainImages = readIdxFile(real('trainImages'));
  t.is(trainImages.magic, IDX_IMAGES_MAGIC);
  t.deepEqual([...trainImages.dims], [60000, 28, 28]);
  t.is(trainImages.data.length, 60000 * 784);
  const trainLabels = readIdxFile(real('trainLabels'), 'labels');
  t.is(trainLabels.magic, IDX_LABELS_MAGIC);
  t.deepEqual([...trainLabels.dims], [60000]);
  t.deepEqual(Array.from(trainLabels.data.subarray(0, 5)), [5, 0, 4, 1, 9]);
  const testImages = readIdxFile(real('testImages'), 'images');
  t.deepEqual([...testImages.dims], [10000, 28, 28]);
  const testLabels = readIdxFile(real('testLabels'));
  t.deepEqual([...testLabels.dims], [10000]);
  t.is(testLabels.data[0], 7);
  // pixels are bytes; the first training image has ink (max 255) and background (0)
  const first = trainImages.data.subarray(0, 784);
  t.is(Math.max(...first), 255);
  t.is(Math.min(...first), 0);
});

test('a truncated images file gives ANNEAL_ERR_DATA_CORRUPT naming the file, expected vs found bytes, and the fix', (t) => {
  const bytes = readFileSync(real('trainImages')).subarray(0, 1000);
  const dir = fixtureDir(t, { trainImages: bytes });
  const path = join(dir, MNIST_FILES.trainImages);
  for (const attempt of [() => readIdxFile(path), () => loadMnist({ dataDir: dir })]) {
    const error = t.throws(attempt);
    t.true(isAnnealError(error, 'ANNEAL_ERR_DATA_CORRUPT'), String(error));
    t.true(error!.message.includes(path), error!.message);
    t.true(error!.message.includes('expected 47040016 bytes for 60000×28×28 images, found 1000'), error!.message);
    t.regex(error!.message, /re-download/);
    t.regex(error!.message, /dataDir/);
  }
});

test('a truncated header and trailing bytes are corrupt too', (t) => {
  const header = t.throws(() => parseIdx(Uint8Array.of(0, 0, 8, 3, 0, 0), '/x/imgs'));
  t.true(isAnnealError(header, 'ANNEAL_ERR_DATA_CORRUPT'));
  t.regex(header!.message, /\/x\/imgs: expected a 16-byte header .* found 6 bytes/);
  const tiny = t.throws(() => parseIdx(Uint8Array.of(0, 0), '/x/labels'));
  t.true(isAnnealError(tiny, 'ANNEAL_ERR_DATA_CORRUPT'));
  const labels = readFileSync(real('testLabels'));
  const extra = new Uint8Array(labels.length + 3);
  extra.set(labels);
  const trailing = t.throws(() => parseIdx(extra, '/x/t10k-labels'));
  t.true(isAnnealError(trailing, 'ANNEAL_ERR_DATA_CORRUPT'));
  t.regex(trailing!.message, /trailing bytes: expected 10008 bytes for 10000 labels, found 10011/);
});

test('a corrupt magic number gives ANNEAL_ERR_DATA_CORRUPT naming the file and both magic numbers', (t) => {
  const labels = new Uint8Array(readFileSync(real('trainLabels')));
  labels[3] = 0x07;
  const dir = fixtureDir(t, { trainLabels: labels });
  const path = join(dir, MNIST_FILES.trainLabels);
  const error = t.throws(() => loadMnist({ dataDir: dir }));
  t.true(isAnnealError(error, 'ANNEAL_ERR_DATA_CORRUPT'), String(error));
  t.true(error!.message.includes(path), error!.message);
  t.true(error!.message.includes('expected magic number 0x00000801 (labels), found 0x00000807'), error!.message);
  // swapped files: an images file where labels are expected
  const swapped = t.throws(() => readIdxFile(real('testImages'), 'labels'));
  t.true(isAnnealError(swapped, 'ANNEAL_ERR_DATA_CORRUPT'));
  t.regex(swapped!.message, /expected magic number 0x00000801 \(labels\), found 0x00000803 \(images\)/);
  // a gzip stream without .gz in its name is recognised in the message
  const gz = gzipSync(readFileSync(real('testLabels')));
  const gzError = t.throws(() => parseIdx(gz, '/x/t10k-labels-idx1-ubyte'));
  t.regex(gzError!.message, /gzip stream/);
});

test('label/image count mismatch and labels > 9 are corrupt', (t) => {
  // train-images (60000) paired with the 10000 test labels
  const dir = fixtureDir(t, { trainLabels: readFileSync(real('testLabels')) });
  const mismatch = t.throws(() => loadMnist({ dataDir: dir }));
  t.true(isAnnealError(mismatch, 'ANNEAL_ERR_DATA_CORRUPT'), String(mismatch));
  t.true(mismatch!.message.includes(join(dir, MNIST_FILES.trainLabels)));
  t.regex(mismatch!.message, /expected 60000 labels to match the 60000 images .* found 10000/);

  const bad = new Uint8Array(readFileSync(real('testLabels')));
  bad[8 + 5] = 10;
  const dir2 = fixtureDir(t, { testLabels: bad });
  const big = t.throws(() => loadMnist({ dataDir: dir2 }));
  t.true(isAnnealError(big, 'ANNEAL_ERR_DATA_CORRUPT'), String(big));
  t.true(big!.message.includes(join(dir2, MNIST_FILES.testLabels)));
  t.regex(big!.message, /expected labels 0\.\.9, found 10 at index 5/);
});

test('missing directory or files give ANNEAL_ERR_DATA_MISSING naming the path and the fix', (t) => {
  const missingDir = join(tmpdir(), 'anneal-mnist-does-not-exist-7f3a');
  const error = t.throws(() => loadMnist({ dataDir: missingDir }));
  t.true(isAnnealError(error, 'ANNEAL_ERR_DATA_MISSING'), String(error));
  t.true(error!.message.includes(missingDir));
  t.regex(error!.message, /does not exist/);
  t.regex(error!.message, /dataDir/);

  const dir = fixtureDir(t, { testImages: null });
  const one = t.throws(() => loadMnist({ dataDir: dir }));
  t.true(isAnnealError(one, 'ANNEAL_ERR_DATA_MISSING'), String(one));
  t.true(one!.message.includes(dir));
  t.regex(one!.message, /lacks t10k-images-idx3-ubyte \(looked for t10k-images-idx3-ubyte, t10k-images-idx3-ubyte\.gz/);

  const file = t.throws(() => readIdxFile(join(missingDir, 'x')));
  t.true(isAnnealError(file, 'ANNEAL_ERR_DATA_MISSING'));

  // ANNEAL_MNIST_DIR is strict as well
  const env = t.throws(() => resolveMnistSource(undefined, undefined, { ANNEAL_MNIST_DIR: missingDir }));
  t.true(isAnnealError(env, 'ANNEAL_ERR_DATA_MISSING'));
  t.regex(env!.message, /ANNEAL_MNIST_DIR/);
});

test('directory resolution: config dataDir, then ANNEAL_MNIST_DIR, then ctx.dataDir (if it holds the files), then the package', (t) => {
  const dir = fixtureDir(t);
  t.is(resolveMnistSource(dir, undefined, {}).origin, 'config');
  t.is(resolveMnistSource(undefined, undefined, { ANNEAL_MNIST_DIR: dir }).dir, dir);
  t.is(resolveMnistSource(undefined, dir, {}).origin, 'context');
  const nested = mkdtempSync(join(tmpdir(), 'anneal-data-'));
  t.teardown(() => rmSync(nested, { recursive: true, force: true }));
  symlinkSync(dir, join(nested, 'mnist'));
  const viaSub = resolveMnistSource(undefined, nested, {});
  t.is(viaSub.origin, 'context');
  t.is(viaSub.dir, join(nested, 'mnist'));
  // a run data directory without MNIST falls back to the package copy
  const empty = mkdtempSync(join(tmpdir(), 'anneal-empty-'));
  t.teardown(() => rmSync(empty, { recursive: true, force: true }));
  const fallback = resolveMnistSource(undefined, empty, {});
  t.is(fallback.origin, 'package');
  t.is(fallback.dir, PKG);
});

test('gzipped files (.gz) are read transparently', (t) => {
  const dir = fixtureDir(
    t,
    { testImages: gzipSync(readFileSync(real('testImages')), { level: 1 }), testLabels: gzipSync(readFileSync(real('testLabels')), { level: 1 }) },
    { testImages: '.gz', testLabels: '.gz' },
  );
  const ds = loadMnist({ dataDir: dir, trainSize: 10 });
  t.is(ds.info.files && (ds.info.files as Record<string, string>).testImages, join(dir, `${MNIST_FILES.testImages}.gz`));
  t.is(ds.splits.test.size, 10000);
  t.deepEqual(Array.from(ds.splits.test.labels().subarray(0, 3)), [7, 2, 1]);
  const broken = join(dir, 'broken-idx1-ubyte.gz');
  writeFileSync(broken, Uint8Array.of(1, 2, 3));
  const error = t.throws(() => readIdxFile(broken));
  t.true(isAnnealError(error, 'ANNEAL_ERR_DATA_CORRUPT'));
  t.true(error!.message.includes(broken));
});

test('default load: info, split sizes, and batches of float32 [b, 784] in [0, 1] with int32 labels', (t) => {
  const ds = loadMnist();
  t.is(ds.name, 'mnist');
  t.is(ds.info.inputSize, 784);
  t.is(ds.info.numClasses, 10);
  t.is(ds.info.trainSize, 60000);
  t.is(ds.info.testSize, 10000);
  t.is(ds.info.source, PKG);
  t.is(ds.splits.train.size, 60000);
  t.is(ds.splits.test.size, 10000);
  t.is(ds.splits.validation, undefined);
  const raw = readIdxFile(real('trainImages')).data;
  tf.tidy(() => {
    const batch = ds.splits.train.batch(Int32Array.of(0, 1, 59999), bctx);
    t.deepEqual(Object.keys(batch).sort(), ['x', 'y']);
    t.is(batch.x.dtype, 'float32');
    t.deepEqual(batch.x.shape, [3, 784]);
    t.is(batch.y.dtype, 'int32');
    t.deepEqual(batch.y.shape, [3]);
    const x = batch.x.dataSync();
    t.true(x.every((v) => v >= 0 && v <= 1));
    t.is(Math.max(...x), 1);
    for (let j = 0; j < 784; j++) {
      if (Math.abs(x[j] - raw[j] / 255) > 1e-7) return t.fail(`pixel ${j}`);
      if (Math.abs(x[2 * 784 + j] - raw[59999 * 784 + j] / 255) > 1e-7) return t.fail(`pixel ${j} of row 59999`);
    }
    t.deepEqual(Array.from(batch.y.dataSync()).slice(0, 2), [5, 0]);
  });
  t.throws(() => tf.tidy(() => ds.splits.train.batch(Int32Array.of(60000), bctx)), { instanceOf: RangeError });
  tf.tidy(() => {
    const empty = ds.splits.test.batch(new Int32Array(0), bctx);
    t.deepEqual(empty.x.shape, [0, 784]);
  });
});

test('subsets: seeded subsets are reproducible per seed, "first" takes the first N, validation is carved from the end', (t) => {
  const a = loadMnist({ trainSize: 1000, testSize: 500 }, { seed: 3 });
  const b = loadMnist({ trainSize: 1000, testSize: 500 }, { seed: 3 });
  const c = loadMnist({ trainSize: 1000, testSize: 500 }, { seed: 4 });
  t.is(a.splits.train.size, 1000);
  t.is(a.info.trainSize, 1000);
  t.is(a.info.testSize, 500);
  t.deepEqual(a.splits.train.rows, b.splits.train.rows);
  t.deepEqual(a.splits.test.rows, b.splits.test.rows);
  t.notDeepEqual(a.splits.train.rows, c.splits.train.rows);
  const rows = Array.from(a.splits.train.rows);
  t.deepEqual(rows, [...rows].sort((x, y) => x - y), 'kept in file order');
  t.is(new Set(rows).size, 1000);
  // roughly class-balanced
  const counts = new Array(10).fill(0);
  for (const l of a.splits.train.labels()) counts[l]++;
  t.true(counts.every((n) => n > 60 && n < 150), JSON.stringify(counts));

  const first = loadMnist({ trainSize: 100, subset: 'first', validationSize: 5000 }, { seed: 9 });
  t.deepEqual(Array.from(first.splits.train.rows), Array.from({ length: 100 }, (_, i) => i));
  const val = first.splits.validation!;
  t.is(val.size, 5000);
  t.is(val.rows[0], 55000);
  t.is(val.rows[4999], 59999);
  t.is(first.info.validationSize, 5000);

  const carved = loadMnist({ validationSize: 10000 }, { seed: 1 });
  t.is(carved.splits.train.size, 50000);
  t.true(Array.from(carved.splits.train.rows).every((r) => r < 50000), 'train never overlaps validation');

  const tooBig = t.throws(() => loadMnist({ trainSize: 60000, validationSize: 1 }));
  t.true(isAnnealError(tooBig, 'ANNEAL_ERR_CONFIG_VALUE'));
  t.regex(tooBig!.message, /trainSize' = 60000 .* ≤ 59999/);
  t.true(isAnnealError(t.throws(() => loadMnist({ testSize: 10001 })), 'ANNEAL_ERR_CONFIG_VALUE'));
  t.true(isAnnealError(t.throws(() => loadMnist({ trainSiz: 5 } as never)), 'ANNEAL_ERR_CONFIG_KEY'));
});

test('parsed files are cached per process (a reload is fast and shares the bytes); rewritten files are re-read', (t) => {
  const p = real('testLabels');
  t.is(readIdxCached(p, 'labels'), readIdxCached(p, 'labels'));
  loadMnist();
  const t0 = performance.now();
  for (let i = 0; i < 5; i++) loadMnist({ trainSize: 20000 }, { seed: i });
  t.true((performance.now() - t0) / 5 < 100, 'a cached load takes well under 100 ms');

  const dir = fixtureDir(t, { testLabels: readFileSync(p) });
  const copy = join(dir, MNIST_FILES.testLabels);
  const before = readIdxCached(copy, 'labels');
  const changed = new Uint8Array(readFileSync(p));
  changed[8] = 3;
  writeFileSync(copy, changed);
  copyFileSync(copy, `${copy}.tmp`);
  rmSync(copy);
  copyFileSync(`${copy}.tmp`, copy);
  const after = readIdxCached(copy, 'labels');
  t.not(before, after);
  t.is(after.data[0], 3);
});

test('the plugin definition loads the dataset through the core contract', async (t) => {
  t.is(mnistDataset.manifest.name, 'mnist');
  t.is(mnistDataset.manifest.kind, 'dataset');
  t.deepEqual(Object.keys(mnistDataset.manifest.configSchema).sort(), ['dataDir', 'subset', 'testSize', 'trainSize', 'validationSize']);
  const ds = await mnistDataset.load(
    { dataDir: undefined, trainSize: 256, testSize: 128, validationSize: 0, subset: 'seeded' },
    { seed: 5 },
  );
  t.is(ds.splits.train.size, 256);
  t.is(ds.splits.test!.size, 128);
  tf.tidy(() => {
    const batch = ds.splits.train.batch(Int32Array.from({ length: 128 }, (_, i) => i), bctx);
    t.deepEqual(batch.x.shape, [128, 784]);
  });
});
