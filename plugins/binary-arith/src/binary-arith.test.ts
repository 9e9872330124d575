import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { AnnealError, Rng, batchContext, hostNumber, hostNumberOf, validateConfig } from '@anneal/core';
import { encodeExample, generateExample, operandBits, paddedWidth, trueLength } from './encoding.js';
import { binaryArithSchema, makeBinaryArith } from './dataset.js';
import { checkpointStep, drawLength, lengthCurriculum, lengthCurriculumSchema, type LengthCurriculumState } from './length-curriculum.js';

const config = (c: Record<string, unknown>) => validateConfig('binary-arith', binaryArithSchema, c);

test('bmul encoding by hand: 6 × 5 = 30, little-endian, operator 12, zero padding after the product', (t) => {
  // a = 6 = 110 → LSB first [0,1,1]; b = 5 = 101 → [1,0,1]; 30 = 11110 → [0,1,1,1,1].
  const e = encodeExample('bmul', [0, 1, 1], [1, 0, 1]);
  t.deepEqual(e.input, [1, 2, 2, 12, 2, 1, 2]);
  t.deepEqual(e.result, [0, 1, 1, 1, 1]);
  t.deepEqual(e.target, [1, 2, 2, 2, 2, 0, 0]);
});

test('badd and bcopy encodings by hand; a zero result is one 0 bit', (t) => {
  // 3 + 1 = 4: [1,1] + [1,0] → 100 → [0,0,1].
  const add = encodeExample('badd', [1, 1], [1, 0]);
  t.deepEqual(add.input, [2, 2, 11, 2, 1]);
  t.deepEqual(add.target, [1, 1, 2, 0, 0]);
  t.deepEqual(encodeExample('bmul', [0, 0], [1, 1]).target, [1, 0, 0, 0, 0]);
  t.deepEqual(encodeExample('bcopy', [1, 0, 0, 1], []).target, [2, 1, 1, 2]);
});

test('operand bits and true lengths per length budget; bins pick the smallest width ≥ the longest example', (t) => {
  t.is(operandBits('bmul', 41), 20);
  t.is(operandBits('bmul', 401), 200);
  t.is(trueLength('bmul', 12), 11); // k = 5 → 5 + 1 + 5
  t.is(trueLength('bcopy', 12), 12);
  t.is(paddedWidth(9, [8, 12, 16]), 12);
  t.is(paddedWidth(30, [8, 12, 16]), 30);
  t.is(paddedWidth(5, [8], 20), 20);
});

test('generated examples are a pure function of (seed, index, length) and compute the right product', (t) => {
  const a = generateExample('bmul', 7, 3, 41);
  t.deepEqual(generateExample('bmul', 7, 3, 41), a);
  t.notDeepEqual(generateExample('bmul', 7, 4, 41), a);
  t.notDeepEqual(generateExample('bmul', 8, 3, 41), a);
  const big = generateExample('bmul', 1, 0, 401);
  t.is(big.a.length, 200);
  const val = (bits: readonly number[]) => bits.reduceRight((v, x) => v * 2n + BigInt(x), 0n);
  t.is(val(big.result), val(big.a) * val(big.b), '200-bit operands are multiplied exactly (BigInt)');
});

test('splits: one curriculum length per training batch, validation spread over [3, maxLength], test at testLength', (t) => {
  const ds = makeBinaryArith(config({ task: 'badd', trainMaxLength: 11, testLength: 25, bins: [8, 12, 16] }), 5);
  const rng = new Rng(1);
  tf.tidy(() => {
    const tr = ds.splits.train.batch(new Int32Array([0, 1]), batchContext({ training: true, rng, curriculum: { length: 7, maxLength: 7 } }));
    t.deepEqual(tr.input.shape, [2, 8]);
    t.deepEqual(Array.from(tr.length.dataSync()), [7, 7]);
    t.deepEqual(Array.from(tr.mask.dataSync()).slice(0, 8), [1, 1, 1, 1, 1, 1, 1, 0]);
    const va = ds.splits.validation!.batch(new Int32Array([0, 1, 2, 3, 4]), batchContext({ training: false, rng, curriculum: { length: 9, maxLength: 6 } }));
    // lengths 3 + (i mod 4) = 3, 4, 5, 6, 3 → true lengths 3, 3, 5, 5, 3
    t.deepEqual(Array.from(va.length.dataSync()), [3, 3, 5, 5, 3]);
    // The unroll length (the longest true length) as a host number: in the shape, no values.
    t.is(hostNumberOf(tr.steps), 7);
    t.is(hostNumberOf(va.steps), 5);
    t.deepEqual(va.steps.shape, [5, 0]);
    const te = ds.splits.test!.batch(new Int32Array([0]), batchContext({ training: false, rng }));
    t.deepEqual(te.input.shape, [1, 25]);
  });
  // Same seed → same data; another seed → other data.
  const again = makeBinaryArith(config({ task: 'badd', trainMaxLength: 11, testLength: 25 }), 5);
  t.deepEqual(again.splits.test!.describe!(3), ds.splits.test!.describe!(3));
  t.notDeepEqual(makeBinaryArith(config({ task: 'badd', trainMaxLength: 11, testLength: 25 }), 6).splits.test!.describe!(3), ds.splits.test!.describe!(3));
});

test('bad input fails with ANNEAL_ERR_CONFIG_VALUE naming the key', (t) => {
  const err = (c: Record<string, unknown>) => t.throws(() => makeBinaryArith(config(c), 1), { instanceOf: AnnealError });
  const low = err({ trainMaxLength: 21, testLength: 11 });
  t.is(low!.code, 'ANNEAL_ERR_CONFIG_VALUE');
  t.regex(low!.message, /testLength = 11.*below the training length/);
  t.regex(err({ trainMaxLength: 11, testLength: 21, padTo: 16 })!.message, /padTo = 16.*do not fit the padded width.*padTo ≥ 21/);
  t.regex(err({ task: 'bmul', trainMaxLength: 2, testLength: 4 })!.message, /trainMaxLength = 2/);
  t.regex(t.throws(() => config({ task: 'bdiv' }))!.message, /task/);
});

test('curriculum: cur from 6, raised by 1 when the training sequence error < 0.15 after minSteps; mixing stays in [min, max]', (t) => {
  const c = lengthCurriculum(validateConfig('ngpu-curriculum', lengthCurriculumSchema, { max: 8, minSteps: 2 }));
  let s = c.init({ seed: 3, params: {} });
  const seen: number[] = [];
  const errs = [NaN, 0.5, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1];
  errs.forEach((e, step) => {
    const out = c.next(s, { step, epoch: 0, evaluation: Number.isNaN(e) ? {} : { 'validation/seq_error': e }, lastLoss: 1 });
    s = out.state;
    seen.push(out.level.maxLength);
    t.true(out.level.length >= 3 && out.level.length <= 8);
  });
  // Checkpoints every 2 steps: step 2 (error 0.1) → 7; step 4 → 8 (= max), then capped; steps 6 and 8 still
  // pass (NGPU: the pull keeps growing at the full length), so pull = 0.0005 · 1.2⁴.
  t.deepEqual(seen, [6, 6, 7, 7, 8, 8, 8, 8, 8]);
  t.is(s.advances, 2);
  t.true(Math.abs(s.pull - 0.0005 * 1.2 ** 4) < 1e-12);
  t.is(s.averagings, 0);
  t.deepEqual(JSON.parse(JSON.stringify(s)), s, 'plain JSON state (checkpointed)');
  const cfg = { min: 3, max: 41, pMaxOfTwo: 0.6, pLong: 0.25 };
  t.is(drawLength(cfg, 6, 9, 100), drawLength(cfg, 6, 9, 100), 'the draw is a pure function of (seed, step)');
  const draws = Array.from({ length: 2000 }, (_, i) => drawLength(cfg, 6, 9, i));
  const long = draws.filter((l) => l > 6).length / draws.length;
  // P(l > 6) = pLong · P(U[3, 41] > max(l, 6)) ≈ 0.25 · 35/39 ≈ 0.22.
  t.true(long > 0.17 && long < 0.27, `share of lengths beyond cur: ${long}`);
  const short = draws.filter((l) => l <= 6);
  const mean = short.reduce((a, b) => a + b, 0) / short.length;
  t.true(mean > 4.6, `max of two draws skews to longer lengths (mean of ≤ cur: ${mean})`);
});

test('curriculum checkpoints by hand: pull grows to pullMax, then passes are averaging points with lr × 0.98 when error < threshold/3', (t) => {
  const config = validateConfig('ngpu-curriculum', lengthCurriculumSchema, { max: 7, pull: 0.05, pullIncrease: 1.5, pullMax: 0.1 });
  const s0: LengthCurriculumState = { maxLength: 6, lastCheck: 0, advances: 0, pull: 0.05, averagings: 0, lrScale: 1, lossSum: 0, lossCount: 0, recentLosses: [], seed: 1 };
  // error 0.2 ≥ 0.15: nothing moves.
  const s1 = checkpointStep(config, s0, 0.2, 200);
  t.like(s1, { maxLength: 6, pull: 0.05, averagings: 0, lrScale: 1, lastCheck: 200 });
  // 0.1: cur 6 → 7, pull 0.05 → 0.075.
  const s2 = checkpointStep(config, s1, 0.1, 400);
  t.like(s2, { maxLength: 7, advances: 1, averagings: 0, lrScale: 1 });
  t.true(Math.abs(s2.pull - 0.075) < 1e-12);
  // 0.1 at max: 0.075 < 0.1 → pull 0.1125.
  const s3 = checkpointStep(config, s2, 0.1, 600);
  t.true(Math.abs(s3.pull - 0.1125) < 1e-12);
  t.is(s3.averagings, 0);
  // 0.1 (not < 0.05): an averaging point, no decay; then 0.04 < 0.15/3: averaging and lr × 0.98.
  const s4 = checkpointStep(config, s3, 0.1, 800);
  t.like(s4, { averagings: 1, lrScale: 1 });
  const s5 = checkpointStep(config, s4, 0.04, 1000);
  t.like(s5, { averagings: 2, maxLength: 7 });
  t.true(Math.abs(s5.lrScale - 0.98) < 1e-12);
  t.true(Math.abs(s5.pull - 0.1125) < 1e-12, 'the pull stays once it reached pullMax');
});

test('curriculum lr decay by hand: × 0.98 when the mean training loss is above each of the previous 3 checkpoints', (t) => {
  const c = lengthCurriculum(validateConfig('ngpu-curriculum', lengthCurriculumSchema, { max: 6, minSteps: 2 }));
  let s = c.init({ seed: 3, params: {} });
  // cur starts at max (6), error 0.5 never passes; checkpoints at steps 2, 4, 6, 8, 10, 12. Step s adds
  // ctx.lastLoss (losses[s], the previous step's loss; NaN skipped) before its checkpoint, so the checkpoint
  // means are 1, 0.9, 0.8, then 0.85 (not above max(1, 0.9, 0.8)), 0.88 (not above max(0.9, 0.8, 0.85)).
  const losses = [NaN, 1, 1, 0.9, 0.9, 0.8, 0.8, 0.85, 0.85, 0.88, 0.88];
  const scales: number[] = [];
  losses.forEach((lastLoss, step) => {
    const out = c.next(s, { step, epoch: 0, evaluation: { 'validation/seq_error': 0.5 }, lastLoss });
    s = out.state;
    scales.push(out.learningRateScale ?? 1);
  });
  t.deepEqual(scales, Array(11).fill(1));
  // Step 12: mean of 1, 1 = 1 > max(0.8, 0.85, 0.88) → × 0.98.
  for (const [step, lastLoss] of [[11, 1], [12, 1]] as const) s = c.next(s, { step, epoch: 0, evaluation: { 'validation/seq_error': 0.5 }, lastLoss }).state;
  t.true(Math.abs(s.lrScale - 0.98) < 1e-12, `lrScale ${s.lrScale}`);
  t.deepEqual(s.recentLosses.length, 3);
  t.deepEqual(JSON.parse(JSON.stringify(s)), s, 'plain JSON state (checkpointed)');
});

test('hostNumber carries a whole number in a [n, 0] shape; anything else is refused', (t) => {
  tf.tidy(() => {
    t.deepEqual(hostNumber(9).shape, [9, 0]);
    t.is(hostNumber(9).size, 0);
    t.is(hostNumberOf(hostNumber(0)), 0);
    t.throws(() => hostNumber(-1), { instanceOf: RangeError, message: /whole number ≥ 0.*-1/ });
    t.throws(() => hostNumber(2.5), { instanceOf: RangeError });
    t.throws(() => hostNumberOf(tf.zeros([3]), "batch 'steps'"), { message: /batch 'steps' is not a host number.*\[3\]/ });
  });
});
