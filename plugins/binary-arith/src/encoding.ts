import { Rng, splitmix32 } from '@anneal/core';

/**
 * The Neural GPU's binary tasks (paper-spec §5.1), as pure functions of (seed, index, length).
 *
 * Tokens: 0 = padding, 1 = bit 0, 2 = bit 1, 11 = '+', 12 = '*' (vocabulary 0..13, as in the early
 * internal trainer). Bits are little-endian (least significant first).
 *   bmul, badd  length budget l → k = ⌊(l − 1)/2⌋ random bits per operand;
 *               input = [a bits + 1] ++ [op] ++ [b bits + 1] (2k + 1 tokens);
 *               target = bits of a·b (or a + b) with no leading zeros (0 → one 0 bit), + 1, padded with 0.
 *   bcopy       input = l random bits + 1; target = the same tokens.
 * The true length of an example (the number of recurrent steps, and the positions that count in the loss
 * and the errors) is its input length: 2k + 1, or l for bcopy. A result never needs more positions
 * (a·b has at most 2k bits, a + b at most k + 1).
 */
export const BINARY_TASKS = ['bmul', 'badd', 'bcopy'] as const;
export type BinaryTask = (typeof BINARY_TASKS)[number];

export const PAD = 0;
export const OP_TOKEN: Readonly<Record<'badd' | 'bmul', number>> = Object.freeze({ badd: 11, bmul: 12 });
export const VOCAB_SIZE = 14;
/** The shortest length budget each task accepts (one bit per operand, or one bit to copy). */
export const MIN_LENGTH: Readonly<Record<BinaryTask, number>> = Object.freeze({ bmul: 3, badd: 3, bcopy: 1 });

export interface BinaryExample {
  readonly task: BinaryTask;
  /** Operand bits, little-endian (bcopy: only `a`). */
  readonly a: readonly number[];
  readonly b: readonly number[];
  /** Result bits, little-endian, no leading zeros. */
  readonly result: readonly number[];
  /** Input tokens (unpadded; its length is the example's true length). */
  readonly input: readonly number[];
  /** Target tokens, as long as `input` (padding 0 after the result). */
  readonly target: readonly number[];
}

/** Bits per operand for a length budget (bcopy: the bits copied). */
export function operandBits(task: BinaryTask, length: number): number {
  return task === 'bcopy' ? length : Math.floor((length - 1) / 2);
}

/** The true (input) length of an example of length budget `length`. */
export function trueLength(task: BinaryTask, length: number): number {
  return task === 'bcopy' ? length : 2 * operandBits(task, length) + 1;
}

export function bitsToBigInt(bits: readonly number[]): bigint {
  let v = 0n;
  for (let i = bits.length - 1; i >= 0; i--) v = (v << 1n) | BigInt(bits[i]);
  return v;
}

/** Little-endian bits of v, no leading zeros; 0 → [0]. */
export function bigIntToBits(v: bigint): number[] {
  if (v === 0n) return [0];
  const bits: number[] = [];
  for (let x = v; x > 0n; x >>= 1n) bits.push(Number(x & 1n));
  return bits;
}

/** The seed of one example: a mix of (stream seed, index, length); the example is a pure function of it. */
export function exampleSeed(seed: number, index: number, length: number): number {
  return splitmix32((splitmix32((seed >>> 0) ^ splitmix32(index >>> 0)) ^ Math.imul(length, 0x9e3779b1)) >>> 0);
}

/** Builds an example from given operand bits (little-endian). */
export function encodeExample(task: BinaryTask, a: readonly number[], b: readonly number[]): BinaryExample {
  if (task === 'bcopy') {
    const input = a.map((x) => x + 1);
    return { task, a, b: [], result: [...a], input, target: [...input] };
  }
  const va = bitsToBigInt(a);
  const vb = bitsToBigInt(b);
  const result = bigIntToBits(task === 'bmul' ? va * vb : va + vb);
  const input = [...a.map((x) => x + 1), OP_TOKEN[task], ...b.map((x) => x + 1)];
  const target = input.map((_, i) => (i < result.length ? result[i] + 1 : PAD));
  return { task, a, b, result, input, target };
}

/** Example `index` of the stream `seed` at length budget `length`. */
export function generateExample(task: BinaryTask, seed: number, index: number, length: number): BinaryExample {
  const rng = new Rng(exampleSeed(seed, index, length));
  const k = operandBits(task, length);
  const draw = () => Array.from({ length: k }, () => rng.nextInt(2));
  const a = draw();
  const b = task === 'bcopy' ? [] : draw();
  return encodeExample(task, a, b);
}

/** The padded width for a batch whose longest true length is `longest`: the smallest bin ≥ it, else itself. */
export function paddedWidth(longest: number, bins: readonly number[], padTo?: number): number {
  if (padTo !== undefined) return padTo;
  let best = Infinity;
  for (const b of bins) if (b >= longest && b < best) best = b;
  return Number.isFinite(best) ? best : longest;
}

/** Little-endian bits as the usual big-endian string ("101" for [1, 0, 1]; 6 = [0, 1, 1] → "110"). */
export function bitsString(bits: readonly number[]): string {
  return bits.length === 0 ? '' : [...bits].reverse().join('');
}
