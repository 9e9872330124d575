import { AnnealError, type Recipe } from '@anneal/core';
import type { ResolvedTrialPhase, ResolvedTrialTraining } from './trial-spec.js';

/** Phases with their learning rates and schedules, and the training defaults, for one trial's recipe. */
export function resolveTraining(r: Recipe, optimizerConfig: Readonly<Record<string, unknown>>): ResolvedTrialTraining {
  const t = r.training;
  const baseLr = typeof optimizerConfig.learningRate === 'number' ? optimizerConfig.learningRate : NaN;
  const phases: ResolvedTrialPhase[] = (t.phases && t.phases.length > 0 ? t.phases : [{ name: 'main', epochs: t.epochs ?? 1 }]).map((p) => ({
    ...p,
    learningRate: p.learningRate ?? baseLr,
    lrSchedule: p.lrSchedule ?? t.lrSchedule ?? { kind: 'constant' },
  }));
  for (const p of phases) {
    if (!Number.isFinite(p.learningRate)) {
      throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `recipe '${r.name}': phase '${p.name}' has no learning rate (set optimizer.config.learningRate or the phase's learningRate).`);
    }
    if (!Number.isInteger(p.epochs) || p.epochs < 1) {
      throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `recipe '${r.name}': phase '${p.name}' epochs = ${JSON.stringify(p.epochs)}; it must be an integer ≥ 1.`);
    }
  }
  return {
    batchSize: t.batchSize,
    phases,
    ...(t.maxSteps !== undefined ? { maxSteps: t.maxSteps } : {}),
    evalEveryEpochs: t.evalEveryEpochs ?? 1,
    ...(t.evalSplits !== undefined ? { evalSplits: t.evalSplits } : {}),
    ...(t.evalOnlyAtEnd !== undefined && t.evalOnlyAtEnd.length > 0 ? { evalOnlyAtEnd: t.evalOnlyAtEnd } : {}),
    sampling: t.sampling ?? 'permutation',
    recordGradNorms: t.recordGradNorms ?? true,
    ...(t.graphStep === 'on' || t.graphStep === 'auto' ? { graphStep: t.graphStep } : {}),
    ...(t.tensorflowThreads !== undefined ? { tensorflowThreads: t.tensorflowThreads } : {}),
  };
}
