import type { Rng } from '@anneal/core';

/**
 * Fills `out` with an inverted-dropout mask: 0 with probability `rate`, else 1/(1 − rate). Uses the
 * same draws as `rng.fillUniform(out)` followed by `u < rate ? 0 : 1/(1 − rate)` (so the stream is the
 * core one), with the xoshiro128** state held in locals for speed.
 */
export function fillDropoutMask(rng: Rng, out: Float32Array, rate: number): Float32Array {
  const scale = 1 / (1 - rate);
  const s = rng.getState().s;
  let s0 = s[0] | 0;
  let s1 = s[1] | 0;
  let s2 = s[2] | 0;
  let s3 = s[3] | 0;
  const n = out.length;
  for (let i = 0; i < n; i++) {
    const m = Math.imul(s1, 5);
    const r = Math.imul((m << 7) | (m >>> 25), 9);
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    // Same float32 value fillUniform would store, compared in float32 like a threshold on that array.
    const u = Math.fround((r >>> 0) / 4294967296);
    out[i] = u < rate ? 0 : scale;
  }
  rng.setState({ kind: 'xoshiro128**', s: [s0 >>> 0, s1 >>> 0, s2 >>> 0, s3 >>> 0] });
  return out;
}
