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
