/**
 * Jumping a xoshiro128** state ahead by a fixed number of steps. The state update (without the output
 * scrambler) is linear over GF(2) on the 128 state bits, so k steps are one 128 × 128 bit matrix M^k.
 * Applying it costs 128 conditional 4-word XORs, so a stream can be cut into chunks whose start states
 * are known without drawing through the chunks before them (what lets two threads draw one stream).
 *
 * A matrix is stored by columns: column b (4 int32 words at 4b) is the image of the state with only
 * bit b set (bit b is bit b & 31 of word b >> 5).
 */
export type JumpMatrix = Int32Array;

/** One xoshiro128** state update, in place (the same update as `nextInt32Of`, without the output). */
function step(s: Int32Array): void {
  const t = s[1] << 9;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = (s[3] << 11) | (s[3] >>> 21);
}

/**
 * out ← m · v for a state v of 4 words (out may not alias v). Without a branch on each bit (a state's bits are
 * random, so one was mispredicted half the time): column c is XORed in under the mask −bit.
 */
export function applyJump(m: JumpMatrix, v: ArrayLike<number>, out: Int32Array): Int32Array {
  let r0 = 0;
  let r1 = 0;
  let r2 = 0;
  let r3 = 0;
  for (let w = 0; w < 4; w++) {
    const word = v[w];
    for (let bit = 0, c = 128 * w; bit < 32; bit++, c += 4) {
      const mask = -((word >>> bit) & 1);
      r0 ^= m[c] & mask;
      r1 ^= m[c + 1] & mask;
      r2 ^= m[c + 2] & mask;
      r3 ^= m[c + 3] & mask;
    }
  }
  out[0] = r0;
  out[1] = r1;
  out[2] = r2;
  out[3] = r3;
  return out;
}

/** a · b (apply b, then a). */
function multiply(a: JumpMatrix, b: JumpMatrix): JumpMatrix {
  const product = new Int32Array(512);
  for (let col = 0; col < 128; col++) applyJump(a, b.subarray(4 * col, 4 * col + 4), product.subarray(4 * col, 4 * col + 4));
  return product;
}

/** The matrix of `steps` state updates (steps ≥ 0, an integer below 2^31). */
export function jumpMatrix(steps: number): JumpMatrix {
  if (!Number.isInteger(steps) || steps < 0 || steps >= 2 ** 31) throw new RangeError(`jumpMatrix: steps must be an integer in [0, 2^31), got ${steps}`);
  let power: JumpMatrix = new Int32Array(512); // M
  for (let b = 0; b < 128; b++) {
    const s = power.subarray(4 * b, 4 * b + 4);
    s[b >> 5] = 1 << (b & 31);
    step(s);
  }
  let result: JumpMatrix = new Int32Array(512); // identity
  for (let b = 0; b < 128; b++) result[4 * b + (b >> 5)] = 1 << (b & 31);
  for (let k = steps; k > 0; k >>>= 1) {
    if (k & 1) result = multiply(power, result);
    if (k > 1) power = multiply(power, power);
  }
  return result;
}
