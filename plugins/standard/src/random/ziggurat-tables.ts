/**
 * Marsaglia–Tsang (2000) ziggurat tables for the standard normal (128 layers), the same constants as
 * `@anneal/core`'s Rng (dn = 3.442619855899, vn = 9.91256303526217e-3), so `fillNormalFast` reproduces
 * `Rng.fillNormal` draw for draw. Core does not export its tables, so they are derived here again.
 *
 * `KN` is stored as Int32Array (every entry is < 2^31) so the hot loop compares int32 with int32.
 */
const M1 = 2147483648; // 2^31
export const ZIGGURAT_R = 3.442619855899;
export const KN = new Int32Array(128);
export const WN = new Float64Array(128);
export const FN = new Float64Array(128);

(() => {
  let dn = ZIGGURAT_R;
  let tn = dn;
  const vn = 9.91256303526217e-3;
  const q = vn / Math.exp(-0.5 * dn * dn);
  KN[0] = Math.floor((dn / q) * M1);
  KN[1] = 0;
  WN[0] = q / M1;
  WN[127] = dn / M1;
  FN[0] = 1;
  FN[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(vn / dn + Math.exp(-0.5 * dn * dn)));
    KN[i + 1] = Math.floor((dn / tn) * M1);
    tn = dn;
    FN[i] = Math.exp(-0.5 * dn * dn);
    WN[i] = dn / M1;
  }
})();
