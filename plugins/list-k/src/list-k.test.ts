import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng, batchContext, isAnnealError, validateConfig } from '@anneal/core';
import { describeListK, generateListK, layoutListK, maxListLength, minMemorySize } from './generator.js';
import { listKConfigSchema, makeListKDataset } from './dataset.js';

const config = (input: Record<string, unknown>) => validateConfig('list-k', listKConfigSchema, input);

test('layout by hand: M = 11, nodes at slots 2, 0, 3 with values 7, 4, 9, k = 1', (t) => {
  // slot s ↦ address 3 + 2s: slot 2 → 7, slot 0 → 3, slot 3 → 9.
  const e = layoutListK(11, [2, 0, 3], [7, 4, 9], 1);
  //                                  0  1  2  3  4  5  6  7  8  9  10
  t.deepEqual(Array.from(e.memory), [7, 1, 0, 9, 4, 0, 0, 3, 7, 0, 9]);
  t.deepEqual(e.nodes, [
    { address: 7, next: 3, value: 7 },
    { address: 3, next: 9, value: 4 },
    { address: 9, next: 0, value: 9 },
  ]);
  t.is(e.answer, 4);
  t.is(layoutListK(11, [2, 0, 3], [7, 4, 9], 0).answer, 7);
  t.is(layoutListK(11, [2, 0, 3], [7, 4, 9], 2).answer, 9);
  t.deepEqual(describeListK(e), { memory: '0:7 1:1 2:0 3:9 4:4 5:0 6:0 7:3 8:7 9:0 10:9', list: 'head @7: [0] @7 value 7 → [1] @3 value 4 → [2] @9 value 9 → 0', k: 1, answer: 4, length: 3 });
});

test('room for nodes: ⌊(M−3)/2⌋, and the smallest memory for n nodes is 2n+3', (t) => {
  t.is(maxListLength(10), 3);
  t.is(maxListLength(9), 3);
  t.is(maxListLength(8), 2);
  t.is(maxListLength(4), 0);
  t.is(minMemorySize(3), 9);
});

test('generated examples follow the list: walking k pointers from cell 0 reaches the answer, for many seeds', (t) => {
  for (let i = 0; i < 200; i++) {
    const n = 1 + (i % 4);
    const e = generateListK(5, 'train', i, n, 12);
    let p = e.memory[0];
    for (let j = 0; j < e.memory[1]; j++) p = e.memory[p];
    t.is(e.memory[p + 1], e.answer);
    t.is(e.memory[2], 0);
    t.true(e.k >= 0 && e.k < n);
    t.is(e.nodes.length, n);
    t.is(new Set(e.nodes.map((x) => x.address)).size, n, 'distinct slots');
    t.is(e.nodes[n - 1].next, 0);
    for (const v of e.memory) t.true(v >= 0 && v < 12);
  }
});

test('determinism: a pure function of (seed, split, index, length, M); other seeds/indices differ', (t) => {
  const a = generateListK(3, 'test', 17, 3, 10);
  t.deepEqual(generateListK(3, 'test', 17, 3, 10), a);
  t.notDeepEqual(generateListK(4, 'test', 17, 3, 10).memory, a.memory);
  t.notDeepEqual(generateListK(3, 'train', 17, 3, 10).memory, a.memory);
  t.notDeepEqual(generateListK(3, 'test', 18, 3, 10).memory, a.memory);
  t.is(generateListK(3, 'test', 17, 3, 10, 2).k, 2);
});

test('batches: memory [b, M] and answers; training length follows the curriculum level, the test split the full length', (t) => {
  const ds = makeListKDataset(config({ memorySize: 10, length: 3, mixHarder: 0, trainSize: 20, testSize: 8 }), 1);
  t.deepEqual(ds.info, { memorySize: 10, outputCell: 2, maxLength: 3 });
  tf.tidy(() => {
    const idx = Int32Array.from({ length: 20 }, (_, i) => i);
    const b = ds.splits.train.batch(idx, batchContext({ training: true, rng: new Rng(1), curriculum: { length: 1 } }));
    t.deepEqual(b.memory.shape, [20, 10]);
    const mem = b.memory.arraySync() as number[][];
    // A list of one node: the head's next pointer is 0 and k is 0.
    for (const row of mem) {
      t.is(row[1], 0);
      t.is(row[row[0]], 0);
    }
    t.deepEqual(Array.from(b.answer.dataSync()), mem.map((row) => row[row[0] + 1]));
    const test3 = ds.splits.test!.batch(Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]), batchContext({ training: false, rng: new Rng(1), curriculum: { length: 1 } }));
    const lengths = (test3.memory.arraySync() as number[][]).map((row) => {
      let n = 1;
      for (let p = row[0]; row[p] !== 0; p = row[p]) n++;
      return n;
    });
    t.deepEqual(lengths, new Array(8).fill(3));
  });
  t.regex(String(ds.splits.test!.describe!(0).list), /^head @\d+: \[0\]/);
});

test('testMinLength: the test split cycles list lengths testMinLength..length with the index, k uniform in each list', (t) => {
  const ds = makeListKDataset(config({ memorySize: 8, length: 2, testMinLength: 1, testSize: 40 }), 3);
  const rows = tf.tidy(() => ds.splits.test!.batch(Int32Array.from({ length: 40 }, (_, i) => i), batchContext({ training: false, rng: new Rng(1) })).memory.arraySync() as number[][]);
  const lengths = rows.map((row) => (row[row[0]] === 0 ? 1 : 2));
  t.deepEqual(lengths, Array.from({ length: 40 }, (_, i) => 1 + (i % 2)));
  t.true(rows.some((row, i) => i % 2 === 1 && row[1] === 1), 'some two-node lists ask for k = 1');
  t.true(rows.every((row, i) => i % 2 === 1 || row[1] === 0), 'one-node lists have k = 0');
  t.is(ds.splits.test!.describe!(1).length, 2);
  const bad = t.throws(() => makeListKDataset(config({ memorySize: 8, length: 2, testMinLength: 3 }), 1));
  t.true(isAnnealError(bad, 'ANNEAL_ERR_CONFIG_VALUE'));
  t.regex(bad!.message, /testMinLength = 3: must be ≤ length = 2/);
});

test('mixHarder draws some longer training lists (from the checkpointed data rng), never longer than length', (t) => {
  const ds = makeListKDataset(config({ memorySize: 12, length: 4, mixHarder: 0.5, trainSize: 200 }), 2);
  const lengths = tf.tidy(() => {
    const b = ds.splits.train.batch(Int32Array.from({ length: 200 }, (_, i) => i), batchContext({ training: true, rng: new Rng(9), curriculum: { length: 2 } }));
    return (b.memory.arraySync() as number[][]).map((row) => {
      let n = 1;
      for (let p = row[0]; row[p] !== 0; p = row[p]) n++;
      return n;
    });
  });
  const count = (n: number) => lengths.filter((x) => x === n).length;
  t.is(count(1), 0);
  t.true(count(2) > 70 && count(2) < 130, `${count(2)} at the level`);
  t.true(count(3) > 20 && count(4) > 20);
  t.is(count(5), 0);
});

test('bad input names the key and the limit: memorySize too small, k out of range, length < 1', (t) => {
  const small = t.throws(() => makeListKDataset(config({ memorySize: 8, length: 3 }), 1));
  t.true(isAnnealError(small, 'ANNEAL_ERR_CONFIG_VALUE'));
  t.regex(small!.message, /memorySize = 8: .*at least 9/);
  const k = t.throws(() => makeListKDataset(config({ memorySize: 10, length: 3, k: 3 }), 1));
  t.true(isAnnealError(k, 'ANNEAL_ERR_CONFIG_VALUE'));
  t.regex(k!.message, /k = 3: .*≤ 2/);
  const len = t.throws(() => config({ length: 0 }));
  t.true(isAnnealError(len, 'ANNEAL_ERR_CONFIG_VALUE'));
  t.regex(len!.message, /length/);
});
