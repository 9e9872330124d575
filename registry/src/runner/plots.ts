import type { MetricPoint } from '@anneal/core';
import { bandAcrossRuns, renderLineBand, renderTrainingCurves } from '@anneal/plots';

/** The training-curve plot of one run: train loss (per step, thinned) and evaluation accuracy. */
export function runCurvesSvg(points: readonly MetricPoint[], title: string): Promise<string> {
  return renderTrainingCurves(
    points.filter((p) => p.key === 'train/loss' || p.key === 'train/epoch_loss' || /^(test|validation|train)\/(accuracy)$/.test(p.key)),
    { title, lossKeys: ['train/loss', 'train/epoch_loss'], accuracyKeys: (k) => k.endsWith('/accuracy') },
  );
}

/**
 * Noise vs no noise across seeds (the paper's Figure 2 style): per variant, the mean of `key` with a
 * min–max band over the runs.
 */
export function variantBandSvg(runs: readonly { group: string; points: readonly MetricPoint[] }[], key: string, title: string): Promise<string> {
  return renderLineBand(bandAcrossRuns(runs, key), { title, xTitle: 'step', yTitle: key, logY: key.endsWith('loss') });
}
