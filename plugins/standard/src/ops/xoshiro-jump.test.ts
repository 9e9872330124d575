import test from 'ava';
import { nextInt32Of } from './internal/normal-slow-path.js';
import { applyJump, jumpMatrix } from './internal/xoshiro-jump.js';

const stepped = (state: readonly number[], steps: number): number[] => {
  const s = Int32Array.from(state);
  for (let i = 0; i < steps; i++) nextInt32Of(s);
  return Array.from(s);
};

test('a jump of k steps lands where k state updates do', (t) => {
  for (const state of [[1, 0, 0, 0], [0x12345678, -1, 0x0badf00d, 42], [-2147483648, 7, -7, 1 << 30]]) {
    for (const k of [0, 1, 2, 3, 31, 1000, 32768, 100_001]) {
      t.deepEqual(Array.from(applyJump(jumpMatrix(k), state, new Int32Array(4))), stepped(state, k), `state ${state} k ${k}`);
    }
  }
});

test('jumps compose: a jump of a then of b is a jump of a + b', (t) => {
  const state = [0x9e3779b9, 0x7f4a7c15, -0x2c1b3c6d, 0x297a2d39];
  const a = applyJump(jumpMatrix(5000), state, new Int32Array(4));
  t.deepEqual(applyJump(jumpMatrix(7000), a, new Int32Array(4)), applyJump(jumpMatrix(12_000), state, new Int32Array(4)));
});

test('a bad step count is refused', (t) => {
  t.throws(() => jumpMatrix(-1), { instanceOf: RangeError, message: /steps must be an integer/ });
  t.throws(() => jumpMatrix(1.5), { instanceOf: RangeError });
});
