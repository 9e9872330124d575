/**
 * The paper's noise schedule, Eq. (1): σ_t² = η / (1 + t)^γ, with η a VARIANCE and t the number of
 * completed updates (0 on the first step). Returns the variance; take Math.sqrt for the std.
 */
export function annealedNoiseVariance(eta: number, gamma: number, step: number): number {
  return eta / Math.pow(1 + step, gamma);
}
