import type { TrialSpec } from '../trials/trial-spec.js';

/**
 * A trial's final evaluation on one line, e.g. "test/accuracy 91.70%, test/error 8.30%": every
 * metric the model declares except mean losses, percentages as such.
 */
export function formatFinal(final: Readonly<Record<string, number>>, spec: Pick<TrialSpec, 'plan'>): string {
  const metrics = spec.plan.metrics;
  return Object.entries(final)
    .flatMap(([k, v]) => {
      const m = metrics.find((x) => k.endsWith(`/${x.key}`) && k.indexOf('/') === k.length - x.key.length - 1);
      if (!m || m.key === 'mean_loss') return [];
      return [m.percent ? `${k} ${(v * 100).toFixed(2)}%` : `${k} ${v.toFixed(4)}`];
    })
    .join(', ');
}
