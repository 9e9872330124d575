import { zigguratTables } from '@anneal/core/random';

const { zigguratTail } = zigguratTables;


/** One xoshiro128** step on a 4-word state held in an Int32Array. */
export function nextInt32Of(s: Int32Array): number {
  const s1 = s[1];
  const m = Math.imul(s1, 5);
  const r = Math.imul((m << 7) | (m >>> 25), 9);
  const t = s1 << 9;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  const s3 = s[3];
  s[3] = (s3 << 11) | (s3 >>> 21);
  return r;
}

/**
 * The ziggurat's rejection step for a draw (hz, iz) that missed the fast rectangle test, drawing any
 * further randomness from `state` (a xoshiro128** state): core's `zigguratTail`, the one Rng uses.
 */
export function normalSlowPathWith(state: Int32Array, hz: number, iz: number): number {
  return zigguratTail(hz, iz, () => nextInt32Of(state));
}
