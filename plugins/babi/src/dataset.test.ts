import test from 'ava';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { AnnealError, Rng, validateConfig, batchContext } from '@anneal/core';
import {
  babiConfigSchema,
  babiDataset,
  buildBatchArrays,
  encodeBabiTask,
  loadBabiTask,
  parseBabi,
  randomTimeIndices,
  resolveBabiDir,
  tokenize,
} from './index.js';
import { SHARED_BABI_DIR } from './testing/index.js';

const BABI_DIR = SHARED_BABI_DIR;
const files = readdirSync(BABI_DIR);
const fileFor = (task: number, kind: 'train' | 'test'): string => path.join(BABI_DIR, files.find((f) => new RegExp(`^qa${task}_.+_${kind}\\.txt$`).test(f))!);
const parseFile = (task: number, kind: 'train' | 'test') => parseBabi(readFileSync(fileFor(task, kind), 'utf8'), path.basename(fileFor(task, kind)));

test('tokenize lowercases and strips one trailing . or ?', (t) => {
  t.deepEqual(tokenize('Mary moved to the bathroom.'), ['mary', 'moved', 'to', 'the', 'bathroom']);
  t.deepEqual(tokenize('Where is Mary? '), ['where', 'is', 'mary']);
});

test('every real train and test file has 1000 questions and parses cleanly', (t) => {
  for (let task = 1; task <= 20; task++) {
    for (const kind of ['train', 'test'] as const) {
      const p = parseFile(task, kind);
      t.is(p.questions.length, 1000, `task ${task} ${kind}`);
      for (const q of p.questions) {
        t.true(q.sentenceCount <= p.stories[q.story].length);
        for (const s of q.supporting) t.true(s < q.sentenceCount);
      }
    }
  }
});

test('task 1: story boundaries, question context and answers', (t) => {
  const p = parseFile(1, 'train');
  // Every qa1 story has 10 statements and 5 questions (15 lines); ids restart at 1 → 200 stories.
  t.is(p.stories.length, 200);
  t.true(p.stories.every((s) => s.length === 10));
  const [q0, q1] = p.questions;
  t.deepEqual(q0.tokens, ['where', 'is', 'mary']);
  t.is(q0.answer, 'bathroom');
  t.is(q0.story, 0);
  t.is(q0.sentenceCount, 2); // "1 Mary moved…", "2 John went…" precede it; the question line is not a memory
  t.deepEqual(q0.supporting, [0]);
  t.is(q0.line, 3);
  t.is(q1.sentenceCount, 4); // line 6, supporting fact id 4 → 4th line = 3rd statement (index 2)
  t.deepEqual(q1.supporting, [2]);
  t.deepEqual(p.stories[0][0], ['mary', 'moved', 'to', 'the', 'bathroom']);
  t.is(p.questions[5].story, 1); // the second story starts after 5 questions
  t.is(p.questions[5].sentenceCount, 2);
});

test('multi-word answers stay one token (tasks 8 and 19)', (t) => {
  const p19 = parseFile(19, 'train');
  t.true(p19.questions.some((q) => q.answer.includes(',')));
  t.is(p19.questions[0].answer.split(',').length, 2);
});

test('encoding: 900/100 split in file order, 1000 test, vocabulary with nil at 0', async (t) => {
  const data = await loadBabiTask(1, { dataDir: BABI_DIR });
  t.is(data.train.size, 900);
  t.is(data.validation!.size, 100);
  t.is(data.test.size, 1000);
  const all = parseFile(1, 'train').questions;
  t.is(data.validation!.lines[0], all[900].line); // validation = the last 10% in file order
  t.is(data.train.lines[899], all[899].line);
  t.is(data.vocabulary.words[0], 'nil');
  t.is(data.memorySize, 10); // qa1 stories have 10 statements
  t.is(data.maxWords, 6); // e.g. "daniel went back to the hallway"
  t.is(data.sentenceSize, 7); // + time column
  t.is(data.vocabSize, data.vocabulary.size + data.memorySize);
  t.is(data.timeWordOffset, data.vocabulary.size);
  // Answer ids decode to the file's answers.
  t.is(data.vocabulary.words[data.train.answers[0]], 'bathroom');
  t.is(data.vocabulary.words[data.validation!.answers[0]], all[900].answer);
});

test('long-story task 3: memory keeps the 50 most recent sentences', async (t) => {
  const data = await loadBabiTask(3, { dataDir: BABI_DIR });
  t.is(data.memorySize, 50);
  t.true(data.longestStory > 50);
  const parsed = parseFile(3, 'train');
  const qi = parsed.questions.findIndex((q) => q.sentenceCount > 60);
  t.true(qi >= 0 && qi < data.train.size);
  const q = parsed.questions[qi];
  t.is(data.train.counts[qi], 50);
  const J = data.sentenceSize;
  const newest = parsed.stories[q.story][q.sentenceCount - 1];
  const row = Array.from(data.train.memories.subarray((qi * 50 + 49) * J, (qi * 50 + 49) * J + newest.length));
  t.deepEqual(row.map((i) => data.vocabulary.words[i]), newest);
  const oldest = parsed.stories[q.story][q.sentenceCount - 50];
  const row0 = Array.from(data.train.memories.subarray(qi * 50 * J, qi * 50 * J + oldest.length));
  t.deepEqual(row0.map((i) => data.vocabulary.words[i]), oldest);
});

test('batches: shapes, dtypes, exact time words for evaluation', async (t) => {
  const ds = await babiDataset.load(validateConfig('babi', babiConfigSchema, { task: 1, dataDir: BABI_DIR }), { seed: 1 });
  const info = ds.info as Record<string, number>;
  t.is(info.trainSize, 900);
  t.is(info.validationSize, 100);
  const M = info.memorySize;
  const J = info.sentenceSize;
  const idx = Int32Array.from([0, 1, 2, 899]);
  const batch = tf.tidy(() => ds.splits.train.batch(idx, batchContext({ training: false, rng: new Rng(1) })));
  t.deepEqual(batch.stories.shape, [4, M, J]);
  t.is(batch.stories.dtype, 'int32');
  t.deepEqual(batch.queries.shape, [4, J]);
  t.deepEqual(batch.answers.shape, [4]);
  t.deepEqual(batch.times.shape, [4, M]);
  t.deepEqual(batch.memoryMask.shape, [4, M]);
  const stories = batch.stories.arraySync() as number[][][];
  const times = batch.times.arraySync() as number[][];
  const mask = batch.memoryMask.arraySync() as number[][];
  // First question of qa1: 2 memories with times 2, 1 (1 = most recent), then empty nil slots.
  t.deepEqual(times[0].slice(0, 3), [2, 1, 0]);
  t.deepEqual(mask[0].slice(0, 3), [1, 1, 0]);
  t.is(stories[0][0][J - 1], info.timeWordOffset + 2 - 1);
  t.is(stories[0][1][J - 1], info.timeWordOffset + 1 - 1);
  t.true(stories[0][2].every((w) => w === 0));
  const queries = batch.queries.arraySync() as number[][];
  t.is(queries[0][J - 1], 0); // the query's time column is nil
  for (const x of Object.values(batch)) x.dispose();
  ds.dispose?.();
});

test('random-noise empty memories appear only in training batches', async (t) => {
  const data = await loadBabiTask(2, { dataDir: BABI_DIR });
  const M = data.memorySize;
  const idx = Int32Array.from({ length: 64 }, (_, i) => i * 7);
  const exact = buildBatchArrays(data, data.train, idx, batchContext({ training: false, rng: new Rng(5) }));
  const exact2 = buildBatchArrays(data, data.train, idx, batchContext({ training: false, rng: new Rng(6) }));
  t.deepEqual(exact.times, exact2.times);
  let differs = 0;
  for (let k = 0; k < idx.length; k++) {
    const n = data.train.counts[idx[k]];
    for (let s = 0; s < n; s++) t.is(exact.times[k * M + s], n - s);
  }
  for (let rep = 0; rep < 5; rep++) {
    const noisy = buildBatchArrays(data, data.train, idx, batchContext({ training: true, rng: new Rng(100 + rep) }));
    for (let k = 0; k < idx.length; k++) {
      const n = data.train.counts[idx[k]];
      const ts = Array.from(noisy.times.subarray(k * M, k * M + n));
      for (let s = 1; s < n; s++) t.true(ts[s] <= ts[s - 1]); // sorted descending (order kept)
      t.true(ts.every((v) => v >= 1 && v <= M));
      if (ts.some((v, s) => v !== n - s)) differs++;
      // The time word column carries the noisy τ.
      for (let s = 0; s < n; s++) t.is(noisy.stories[(k * M + s) * data.sentenceSize + data.sentenceSize - 1], data.timeWordOffset + ts[s] - 1);
    }
  }
  t.true(differs > 50, `RN changed ${differs} of 320 stories`);
  // Same rng state → same batch (reproducible through the trainer's checkpointed stream).
  const a = buildBatchArrays(data, data.train, idx, batchContext({ training: true, rng: new Rng(9) }));
  const b = buildBatchArrays(data, data.train, idx, batchContext({ training: true, rng: new Rng(9) }));
  t.deepEqual(a.times, b.times);
});

test('randomTimeIndices follows the reference RN procedure', (t) => {
  const rng = new Rng(3);
  const seenBlank = new Set<number>();
  for (let i = 0; i < 2000; i++) {
    const n = 1 + (i % 60);
    const ts = randomTimeIndices(n, 50, 0.1, rng);
    t.is(ts.length, n);
    for (let s = 1; s < n; s++) t.true(ts[s] <= ts[s - 1]);
    for (let s = 1; s < n; s++) if (ts[s - 1] < 50) t.true(ts[s] < ts[s - 1]); // distinct below the clip
    t.true(ts[n - 1] >= 1);
    t.true(ts[0] <= Math.min(50, n + Math.ceil(0.1 * n)));
    if (n === 20) seenBlank.add(ts[0] - n);
  }
  t.deepEqual([...seenBlank].sort(), [0, 1, 2]); // max index n + nBlank - (dropped) ∈ {n..n+ceil(0.1n)}
});

test('missing data directory → ANNEAL_ERR_DATA_MISSING naming the path and the fix', async (t) => {
  const bad = path.join(tmpdir(), 'anneal-no-such-babi-dir');
  const err = await t.throwsAsync(loadBabiTask(1, { dataDir: bad }), { instanceOf: AnnealError });
  t.is(err!.code, 'ANNEAL_ERR_DATA_MISSING');
  t.true(err!.message.includes(bad));
  t.regex(err!.message, /ANNEAL_BABI_DIR/);
  t.regex(err!.message, /anneal data fetch babi/);
  // An existing folder without the task files names the expected file.
  const empty = mkdtempSync(path.join(tmpdir(), 'anneal-babi-empty-'));
  const err2 = await t.throwsAsync(loadBabiTask(4, { dataDir: empty }), { instanceOf: AnnealError });
  t.is(err2!.code, 'ANNEAL_ERR_DATA_MISSING');
  t.true(err2!.message.includes(path.join(empty, 'qa4_two-arg-relations_train.txt')));
});

test('data directory resolution order: config, ANNEAL_BABI_DIR, data root', (t) => {
  t.is(resolveBabiDir({ configDir: BABI_DIR, env: { ANNEAL_BABI_DIR: '/x' } }).dir, BABI_DIR);
  t.is(resolveBabiDir({ env: { ANNEAL_BABI_DIR: '/x' } }).dir, '/x');
  t.is(resolveBabiDir({ env: { ANNEAL_DATA_DIR: '/data' } }).dir, path.join('/data', 'babi', 'en'));
  t.is(resolveBabiDir({ env: {}, cwd: '/w' }).dir, path.join('/w', '.anneal', 'data', 'babi', 'en'));
  // A tarball root holding en/ is accepted too.
  t.is(resolveBabiDir({ configDir: path.dirname(BABI_DIR), env: {} }).dir, BABI_DIR);
});

test('malformed lines → ANNEAL_ERR_DATA_CORRUPT with file:line', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'anneal-babi-bad-'));
  const good = '1 Mary moved to the bathroom.\n2 John went to the hallway.\n3 Where is Mary? \tbathroom\t1\n';
  writeFileSync(path.join(dir, 'qa1_single-supporting-fact_test.txt'), good);
  const cases: Array<[string, number, RegExp]> = [
    ['1 Mary moved to the bathroom.\nJohn went to the hallway.\n', 2, /numeric id/],
    ['1 Mary moved to the bathroom.\n2 John went to the hallway.\n4 Where is Mary? \tbathroom\t1\n', 3, /does not follow/],
    ['1 Mary moved to the bathroom.\n2 Where is Mary? \t\t1\n', 2, /answer/],
    ['1 Mary moved to the bathroom.\n2 Where is Mary? \tbathroom\t7\n', 2, /supporting-fact id 7/],
    ['2 Mary moved to the bathroom.\n', 1, /start at id 1/],
  ];
  for (const [text, line, why] of cases) {
    writeFileSync(path.join(dir, 'qa1_single-supporting-fact_train.txt'), text);
    const err = await t.throwsAsync(loadBabiTask(1, { dataDir: dir }), { instanceOf: AnnealError });
    t.is(err!.code, 'ANNEAL_ERR_DATA_CORRUPT');
    t.true(err!.message.includes(`qa1_single-supporting-fact_train.txt:${line}:`), err!.message);
    t.regex(err!.message, why);
  }
});

test('encodeBabiTask respects options (no time encoding, no validation)', (t) => {
  const train = parseFile(1, 'train');
  const testF = parseFile(1, 'test');
  const data = encodeBabiTask(1, train, testF, { timeEncoding: false, validationFraction: 0 });
  t.is(data.train.size, 1000);
  t.is(data.validation, undefined);
  t.is(data.sentenceSize, data.maxWords);
  t.is(data.vocabSize, data.vocabulary.size);
});
