import * as tf from '@tensorflow/tfjs-core';
import { Rng, Trainer, batchContext, type Batch, type ExecutionPlan, type ForwardContext } from '@anneal/core';

/** Median of a list of numbers. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Interval times (ms) between consecutive timestamps, dropping the first `warmup`. */
export function intervals(timestamps: readonly number[], warmup: number): number[] {
  const out: number[] = [];
  for (let i = Math.max(1, warmup); i < timestamps.length; i++) out.push(timestamps[i] - timestamps[i - 1]);
  return out;
}

export function ratioLine(name: string, value: number, base: number, target?: { max?: number; min?: number }): string {
  const ratio = value / base;
  const verdict = target ? ((target.max === undefined || ratio <= target.max) && (target.min === undefined || ratio >= target.min) ? 'meets target' : 'MISSES target') : '';
  const goal = target ? `${target.max !== undefined ? `≤ ${target.max}` : `≥ ${target.min}`}` : '';
  return `${name.padEnd(44)} ${ratio.toFixed(3)}${goal ? `  (target ${goal}: ${verdict})` : ''}`;
}

/** A ratio already computed (e.g. a median of per-round ratios), printed like ratioLine. */
export function ratioValueLine(name: string, ratio: number, target?: { max?: number; min?: number }): string {
  return ratioLine(name, ratio, 1, target);
}

/** The trainer on a plan: step-to-step wall times (ms) from step:end events, dropping the first `warmup`. */
export async function trainerLoop(plan: ExecutionPlan, warmup = 8): Promise<number[]> {
  const trainer = new Trainer(plan, { runId: 'bench' });
  const stamps: number[] = [];
  trainer.events.tap((event) => {
    if (event === 'step:end') stamps.push(performance.now());
  });
  await trainer.run();
  trainer.dispose();
  return intervals(stamps, warmup);
}

/** What a hand-written loop against the trainer gives: medians, and the median of per-round trainer/hand ratios. */
export interface HandVsTrainer {
  readonly handMs: number;
  readonly trainerMs: number;
  /** Median of per-round trainer/hand ratios (interleaved rounds, so drift of a shared machine cancels). */
  readonly ratio: number;
  readonly rounds: number;
}

/** Interleaved rounds of `hand` (ms per step) and the trainer on `plan` (built once). */
export async function handVsTrainer(hand: () => number[], plan: ExecutionPlan, rounds: number, warmup = 8): Promise<HandVsTrainer> {
  const h: number[] = [];
  const t: number[] = [];
  for (let round = 0; round < rounds; round++) {
    h.push(median(hand()));
    t.push(median(await trainerLoop(plan, warmup)));
  }
  return { handMs: median(h), trainerMs: median(t), ratio: median(t.map((v, i) => v / h[i])), rounds };
}

/**
 * A hand-written tfjs loop of a plan's model on its first `steps` training batches of `batchSize`: tf.variableGrads
 * + a tfjs optimizer, the loss read back each step; ms per step after `warmup`.
 */
export function handWrittenOptimizerLoop(plan: ExecutionPlan, optimizer: tf.Optimizer, steps: number, batchSize: number, warmup: number): number[] {
  const model = plan.model.instance;
  const train = plan.dataset.instance.splits.train;
  const vars = Object.values(model.params);
  const ctx: ForwardContext = { training: true, step: 0, phase: 'main', phaseOptions: {}, curriculum: {}, site: (_n, x) => x };
  const stamps: number[] = [performance.now()];
  for (let step = 0; step < steps; step++) {
    const indices = Int32Array.from({ length: batchSize }, (_, i) => step * batchSize + i);
    const loss = tf.tidy(() => {
      const batch: Batch = train.batch(indices, batchContext({ training: true, rng: new Rng(step) }));
      const { value, grads } = tf.variableGrads(() => model.loss(batch, ctx) as tf.Scalar, vars);
      optimizer.applyGradients(grads);
      return value;
    });
    loss.dataSync();
    loss.dispose();
    stamps.push(performance.now());
  }
  return intervals(stamps, warmup);
}
