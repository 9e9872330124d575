/**
 * Tables for the Marsaglia–Tsang (2000) ziggurat method for the standard normal, 128 layers.
 * Computed once at module load from the published constants (dn = 3.442619855899, vn = 9.91256303526217e-3).
 * Exported so faster samplers (plugins-standard's SIMD stream) draw from the same tables.
 */
const M1 = 2147483648; // 2^31
export const ZIGGURAT_R = 3.442619855899;
export const kn = new Uint32Array(128);
export const wn = new Float64Array(128);
export const fn = new Float64Array(128);
(() => {
  let dn = ZIGGURAT_R;
  let tn = dn;
  const vn = 9.91256303526217e-3;
  const q = vn / Math.exp(-0.5 * dn * dn);
  kn[0] = Math.floor((dn / q) * M1);
  kn[1] = 0;
  wn[0] = q / M1;
  wn[127] = dn / M1;
  fn[0] = 1;
  fn[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(vn / dn + Math.exp(-0.5 * dn * dn)));
    kn[i + 1] = Math.floor((dn / tn) * M1);
    tn = dn;
    fn[i] = Math.exp(-0.5 * dn * dn);
    wn[i] = dn / M1;
  }
})();

/**
 * The ziggurat's rejection step for a draw (hz, iz) that missed the fast rectangle test; further
 * randomness comes from `nextInt32` (a xoshiro128** stream). The base strip (iz = 0) samples the tail
 * beyond R by Marsaglia's exponential method; other layers test the wedge against exp(−x²/2) and
 * otherwise start over with a fresh draw. One function for core's Rng and any faster sampler, so both
 * give the same numbers from the same stream.
 */
export function zigguratTail(hzIn: number, izIn: number, nextInt32: () => number): number {
  let hz = hzIn;
  let iz = izIn;
  for (;;) {
    const x = hz * wn[iz];
    if (iz === 0) {
      let tx: number;
      let ty: number;
      do {
        tx = -Math.log(((nextInt32() >>> 0) + 1) / 4294967296) / ZIGGURAT_R;
        ty = -Math.log(((nextInt32() >>> 0) + 1) / 4294967296);
      } while (ty + ty < tx * tx);
      return hz > 0 ? ZIGGURAT_R + tx : -ZIGGURAT_R - tx;
    }
    if (fn[iz] + ((nextInt32() >>> 0) / 4294967296) * (fn[iz - 1] - fn[iz]) < Math.exp(-0.5 * x * x)) return x;
    hz = nextInt32();
    iz = hz & 127;
    if (Math.abs(hz) < kn[iz]) return hz * wn[iz];
  }
}
