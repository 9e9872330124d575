import * as tables from './ziggurat-tables.js';

const KN = new Int32Array(tables.KN);
const WN = new Float64Array(tables.WN);
const FN = new Float64Array(tables.FN);
const R = tables.ZIGGURAT_R;

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
 * further randomness from `state` (a xoshiro128** state). Same draw order as core's `Rng.normalTail`:
 * the base strip (iz = 0) samples the tail beyond R by Marsaglia's exponential method; other layers
 * test the wedge against exp(−x²/2) and otherwise start over with a fresh draw.
 */
export function normalSlowPathWith(state: Int32Array, hzIn: number, izIn: number): number {
  let hz = hzIn;
  let iz = izIn;
  for (;;) {
    const x = hz * WN[iz];
    if (iz === 0) {
      let tx: number;
      let ty: number;
      do {
        tx = -Math.log(((nextInt32Of(state) >>> 0) + 1) / 4294967296) / R;
        ty = -Math.log(((nextInt32Of(state) >>> 0) + 1) / 4294967296);
      } while (ty + ty < tx * tx);
      return hz > 0 ? R + tx : -R - tx;
    }
    if (FN[iz] + ((nextInt32Of(state) >>> 0) / 4294967296) * (FN[iz - 1] - FN[iz]) < Math.exp(-0.5 * x * x)) return x;
    hz = nextInt32Of(state);
    iz = hz & 127;
    if (Math.abs(hz) < KN[iz]) return hz * WN[iz];
  }
}
