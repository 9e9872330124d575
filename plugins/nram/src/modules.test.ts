import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { NRAM_MODULES, applyBinary, applyUnary, fuzzyRead, fuzzyWrite, moduleFunction, moduleTable } from './modules.js';

const M = 5;
const spec = (name: string) => NRAM_MODULES.find((m) => m.name === name)!;
/** The module's integer table as rows of outputs: tableOf('ADD')[a][b]. */
const tableOf = (name: string) => {
  const f = moduleFunction(spec(name).name, M);
  return Array.from({ length: M }, (_, a) => Array.from({ length: M }, (_, b) => f(a, b)));
};

test('14 modules in circuit order with their arities', (t) => {
  t.deepEqual(
    NRAM_MODULES.map((m) => `${m.name}/${m.arity}`),
    ['READ/1', 'ZERO/0', 'ONE/0', 'TWO/0', 'INC/1', 'ADD/2', 'SUB/2', 'DEC/1', 'LESS-THAN/2', 'LESS-OR-EQUAL-THAN/2', 'EQUALITY-TEST/2', 'MIN/2', 'MAX/2', 'WRITE/2'],
  );
});

test('tables by hand for M = 5: ADD and SUB mod M, INC/DEC wrap, comparisons 0/1, MIN/MAX', (t) => {
  t.deepEqual(tableOf('ADD'), [
    [0, 1, 2, 3, 4],
    [1, 2, 3, 4, 0],
    [2, 3, 4, 0, 1],
    [3, 4, 0, 1, 2],
    [4, 0, 1, 2, 3],
  ]);
  t.deepEqual(tableOf('SUB')[1], [1, 0, 4, 3, 2]);
  t.deepEqual(tableOf('LESS-THAN'), [
    [0, 1, 1, 1, 1],
    [0, 0, 1, 1, 1],
    [0, 0, 0, 1, 1],
    [0, 0, 0, 0, 1],
    [0, 0, 0, 0, 0],
  ]);
  t.deepEqual(tableOf('LESS-OR-EQUAL-THAN')[2], [0, 0, 1, 1, 1]);
  t.deepEqual(tableOf('EQUALITY-TEST')[3], [0, 0, 0, 1, 0]);
  t.deepEqual(tableOf('MIN')[3], [0, 1, 2, 3, 3]);
  t.deepEqual(tableOf('MAX')[3], [3, 3, 3, 3, 4]);
  const inc = moduleFunction('INC', M);
  const dec = moduleFunction('DEC', M);
  t.deepEqual([0, 1, 2, 3, 4].map((a) => inc(a, 0)), [1, 2, 3, 4, 0]);
  t.deepEqual([0, 1, 2, 3, 4].map((a) => dec(a, 0)), [4, 0, 1, 2, 3]);
  t.deepEqual(['ZERO', 'ONE', 'TWO'].map((n) => moduleFunction(spec(n).name, M)(0, 0)), [0, 1, 2]);
});

test('the 0/1 matrices: row a·M + b of ADD is one-hot at (a + b) mod M', (t) => {
  const add = moduleTable(spec('ADD'), M);
  t.is(add.length, M * M * M);
  const row = (a: number, b: number) => Array.from(add.subarray((a * M + b) * M, (a * M + b + 1) * M));
  t.deepEqual(row(3, 4), [0, 0, 1, 0, 0]); // 7 mod 5 = 2
  t.deepEqual(row(4, 2), [0, 1, 0, 0, 0]);
  t.deepEqual(row(0, 0), [1, 0, 0, 0, 0]);
  const inc = moduleTable(spec('INC'), M);
  t.deepEqual(Array.from(inc.subarray(4 * M, 5 * M)), [1, 0, 0, 0, 0]);
});

test('fuzzy application on independent inputs: ADD of A = {1: .5, 2: .5} and B = {3: .25, 4: .75} by hand', (t) => {
  tf.tidy(() => {
    const A = tf.tensor2d([[0, 0.5, 0.5, 0, 0]]);
    const B = tf.tensor2d([[0, 0, 0, 0.25, 0.75]]);
    const add = applyBinary(A, B, tf.tensor2d(moduleTable(spec('ADD'), M), [M * M, M]));
    // 1+3=4: .125, 1+4=0: .375, 2+3=0: .125, 2+4=1: .375
    const got = Array.from(add.dataSync());
    [0.5, 0.375, 0, 0, 0.125].forEach((v, i) => t.true(Math.abs(got[i] - v) < 1e-6, `P(${i})`));
    const lt = Array.from(applyBinary(A, B, tf.tensor2d(moduleTable(spec('LESS-THAN'), M), [M * M, M])).dataSync());
    t.deepEqual(lt, [0, 1, 0, 0, 0]); // every pair has a < b
    const ltRev = Array.from(applyBinary(B, A, tf.tensor2d(moduleTable(spec('LESS-THAN'), M), [M * M, M])).dataSync());
    t.deepEqual(ltRev, [1, 0, 0, 0, 0]);
    const dec = Array.from(applyUnary(A, tf.tensor2d(moduleTable(spec('DEC'), M), [M, M])).dataSync());
    t.deepEqual(dec, [0.5, 0.5, 0, 0, 0]);
  });
});

test('READ is the pointer-weighted mixture of rows; WRITE blends row i toward a with weight p_i', (t) => {
  tf.tidy(() => {
    // Memory of 3 cells over M = 3 values: cell 0 holds 2, cell 1 holds 0, cell 2 holds 1 (one-hot rows).
    const mem = tf.tensor3d([[[0, 0, 1], [1, 0, 0], [0, 1, 0]]]);
    t.deepEqual(Array.from(fuzzyRead(tf.tensor2d([[0, 1, 0]]), mem).dataSync()), [1, 0, 0]);
    const mixed = Array.from(fuzzyRead(tf.tensor2d([[0.5, 0, 0.5]]), mem).dataSync());
    t.deepEqual(mixed, [0, 0.5, 0.5]);
    // WRITE(p = cell 2, a = value 2): row 2 becomes [0, 0, 1]; others unchanged.
    const w = fuzzyWrite(tf.tensor2d([[0, 0, 1]]), tf.tensor2d([[0, 0, 1]]), mem);
    t.deepEqual(w.arraySync(), [[[0, 0, 1], [1, 0, 0], [0, 0, 1]]]);
    // A fuzzy write with p = {0: .5, 1: .5} of a = value 1: rows 0 and 1 half-way toward [0, 1, 0]; rows stay stochastic.
    const f = fuzzyWrite(tf.tensor2d([[0.5, 0.5, 0]]), tf.tensor2d([[0, 1, 0]]), mem);
    t.deepEqual(f.arraySync(), [[[0, 0.5, 0.5], [0.5, 0.5, 0], [0, 1, 0]]]);
    // Then READ(cell 0) sees the blended row.
    t.deepEqual(Array.from(fuzzyRead(tf.tensor2d([[1, 0, 0]]), f).dataSync()), [0, 0.5, 0.5]);
  });
});
