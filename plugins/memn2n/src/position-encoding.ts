/**
 * Position encoding in the reference code's form, as a row-major [J, d] array:
 *   l[j][k] = 1 + 4·(k − (d+1)/2)·(j − (J+1)/2) / (d·J),   j = 1..J, k = 1..d.
 */
export function positionEncoding(J: number, d: number): Float32Array {
  const out = new Float32Array(J * d);
  for (let j = 1; j <= J; j++) {
    for (let k = 1; k <= d; k++) out[(j - 1) * d + (k - 1)] = 1 + (4 * (k - (d + 1) / 2) * (j - (J + 1) / 2)) / (d * J);
  }
  return out;
}
