import type { ResolvedPhase } from './execution-plan.js';

/** Learning rate in force during epoch `epochInPhase` (0-based) of `phase`. */
export function learningRateFor(phase: ResolvedPhase, epochInPhase: number): number {
  const s = phase.lrSchedule;
  if (s.kind === 'step') return phase.learningRate * s.factor ** Math.floor(epochInPhase / s.everyEpochs);
  return phase.learningRate;
}
