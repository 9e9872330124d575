import type { MetricPoint } from '@anneal/core';
import { renderTrainingCurves } from '@anneal/plots';

/** The training-curve plot of one run (plots/training-curves.svg): train loss (per step, thinned) and evaluation accuracy. */
export function runCurvesSvg(points: readonly MetricPoint[], title: string): Promise<string> {
  return renderTrainingCurves(
    points.filter((p) => p.key === 'train/loss' || p.key === 'train/epoch_loss' || /^(test|validation|train)\/(accuracy)$/.test(p.key)),
    { title, lossKeys: ['train/loss', 'train/epoch_loss'], accuracyKeys: (k) => k.endsWith('/accuracy') },
  );
}
