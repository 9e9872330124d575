import { Trainer, type ExecutionPlan } from '@anneal/core';

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
