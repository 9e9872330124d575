import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng, batchContext, isAnnealError } from '@anneal/core';
import { loadPtb, makePtbDataset, PtbVocabulary, readPtbWords, realPtbDir, StreamWindows, ptbDataset } from './index.js';

const real = realPtbDir();
const onReal = real ? test : test.skip;
const all = { batchSize: 20, numSteps: 20, maxTrainTokens: 0, maxEvalTokens: 0, vocabSize: 0, verifyChecksums: true };

onReal('the real PTB files: 929,589 / 73,760 / 82,430 tokens, 10,000 words, one <eos> per line', (t) => {
  const data = loadPtb({ ...all, dataDir: real });
  t.deepEqual(data.fileTokens, { train: 929589, validation: 73760, test: 82430 });
  t.is(data.vocab.size, 10000);
  const eos = data.vocab.eosId;
  t.is(data.tokens.train.filter((id) => id === eos).length, 42068, 'ptb.train.txt has 42,068 lines');
  t.is(data.tokens.validation.filter((id) => id === eos).length, 3370);
  t.is(data.tokens.test.filter((id) => id === eos).length, 3761);
  t.is(data.vocab.words[0], 'the', 'the most frequent word first');
  t.is(data.vocab.words[data.vocab.unkId], '<unk>');
  // The first line of ptb.train.txt, then its <eos>.
  const first = Array.from(data.tokens.train.subarray(0, 25), (i) => data.vocab.words[i]);
  t.deepEqual(first.slice(0, 3), ['aer', 'banknote', 'berlitz']);
  t.is(first[24], '<eos>');
  // Every valid/test word is in the train vocabulary (Mikolov's preprocessing): nothing maps to <unk> but <unk>.
  const ds = makePtbDataset(data, 20, 20);
  t.is(ds.info.trainWindows, Math.floor((Math.floor(929589 / 20) - 1) / 20)); // 2,323 windows
  t.is(ds.info.trainWindows, 2323);
  t.regex(String(ds.splits.train.describe!(0).tokens), /^stream 0: aer banknote berlitz/);
});

onReal('a capped vocabulary keeps the most frequent words and maps the rest to <unk>', (t) => {
  const data = loadPtb({ ...all, dataDir: real, vocabSize: 2000, maxTrainTokens: 50000, maxEvalTokens: 5000 });
  t.is(data.vocab.size, 2000);
  t.is(data.tokens.train.length, 50000);
  t.is(data.tokens.validation.length, 5000);
  t.true(data.tokens.train.every((id) => id >= 0 && id < 2000));
});

test('newline → <eos> as the TF reader; vocabulary by count then word; <unk> added when missing', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ptb-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'a.txt'), ' b a \n c a\n\n');
  t.deepEqual(readPtbWords(join(dir, 'a.txt')), ['b', 'a', '<eos>', 'c', 'a', '<eos>', '<eos>']);
  const v = PtbVocabulary.fromWords(['b', 'a', '<eos>', 'c', 'a', '<eos>', '<eos>']);
  t.deepEqual(v.words, ['<eos>', 'a', 'b', 'c', '<unk>']);
  t.is(v.id('zebra'), 4);
  const capped = PtbVocabulary.fromWords(['b', 'a', '<eos>', 'c', 'a', '<eos>', '<eos>'], 3);
  t.deepEqual(capped.words, ['<eos>', 'a', '<unk>']);
});

test('streams × windows: rows of ⌊N/B⌋ tokens, window w = columns [wT, wT+T), targets shifted by one', (t) => {
  // 23 tokens, 2 streams → rows of 11 (token 22 dropped): row0 = 0..10, row1 = 11..21; T = 3 → ⌊10/3⌋ = 3 windows.
  const w = new StreamWindows(Int32Array.from({ length: 23 }, (_, i) => i), 2, 3);
  t.is(w.rowLength, 11);
  t.is(w.windows, 3);
  t.deepEqual(Array.from(w.window(0).x), [0, 1, 2, 11, 12, 13]);
  t.deepEqual(Array.from(w.window(0).y), [1, 2, 3, 12, 13, 14]);
  t.deepEqual(Array.from(w.window(2).x), [6, 7, 8, 17, 18, 19]);
  t.deepEqual(Array.from(w.window(2).y), [7, 8, 9, 18, 19, 20]);
});

test('missing files: ANNEAL_ERR_DATA_MISSING with the path and the fix; corrupt: ANNEAL_ERR_DATA_CORRUPT', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ptb-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const e1 = t.throws(() => loadPtb({ ...all, dataDir: dir }));
  t.true(isAnnealError(e1, 'ANNEAL_ERR_DATA_MISSING'));
  t.true(e1!.message.includes(join(dir, 'ptb.train.txt')) && e1!.message.includes('anneal data fetch ptb') && e1!.message.includes('ANNEAL_PTB_DIR'));
  for (const f of ['ptb.train.txt', 'ptb.valid.txt', 'ptb.test.txt']) writeFileSync(join(dir, f), 'not the real text\n');
  const e2 = t.throws(() => loadPtb({ ...all, dataDir: dir }));
  t.true(isAnnealError(e2, 'ANNEAL_ERR_DATA_CORRUPT'));
  t.true(e2!.message.includes(join(dir, 'ptb.train.txt')) && e2!.message.includes('anneal data fetch ptb'));
  // Unverified, the same tiny files load; too few tokens for one window is a config error naming the key.
  const small = await ptbDataset.load({ ...all, dataDir: dir, verifyChecksums: false, batchSize: 1, numSteps: 2 }, { seed: 1 });
  t.is(small.splits.train.size, 2);
  await t.throwsAsync(ptbDataset.load({ ...all, dataDir: dir, verifyChecksums: false }, { seed: 1 }), { message: /batchSize = 20: the train split has 5 tokens/ });
  if (real) {
    copyFileSync(join(real, 'ptb.valid.txt'), join(dir, 'ptb.valid.txt'));
    t.notThrows(() => readPtbWords(join(dir, 'ptb.valid.txt')));
  }
});

test('batch(): one window as int32 [streams, numSteps] x and y; more than one index is a config error', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ptb-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const text = 'a b c d e f g h i j k l\n';
  for (const f of ['ptb.train.txt', 'ptb.valid.txt', 'ptb.test.txt']) writeFileSync(join(dir, f), text);
  const ds = await ptbDataset.load({ ...all, dataDir: dir, verifyChecksums: false, batchSize: 2, numSteps: 2 }, { seed: 1 });
  const ctx = batchContext({ training: true, rng: new Rng(1) });
  const b = ds.splits.train.batch(Int32Array.of(1), ctx);
  t.deepEqual(b.x.shape, [2, 2]);
  t.is(b.x.dtype, 'int32');
  const words = ['<eos>', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', '<unk>'];
  t.is(ds.info.vocabSize, 14);
  // 13 tokens (12 words + <eos>) → rows of 6: "a b c d e f", "g h i j k l" (<eos> dropped); ⌊5/2⌋ = 2 windows; window 1 = columns 2..3.
  t.is(ds.splits.train.size, 2);
  t.deepEqual(Array.from(b.x.dataSync()).map((i) => words[i]), ['c', 'd', 'i', 'j']);
  t.deepEqual(Array.from(b.y.dataSync()).map((i) => words[i]), ['d', 'e', 'j', 'k']);
  tf.dispose(Object.values(b));
  t.throws(() => ds.splits.train.batch(Int32Array.of(0, 1), ctx), { message: /set training\.batchSize: 1/ });
});
