import { CLASSIFICATION_METRICS, metricSpecFor, type MetricSpec } from '@anneal/core';

/** How a report treats one tracked metric ("test/accuracy"): which way is better, and its unit. */
export interface MetricFacts {
  readonly key: string;
  readonly direction: 'max' | 'min';
  /** A fraction the report prints as a percentage (×100). */
  readonly percent: boolean;
  /** false when neither the model family nor the core's classification metrics declare it. */
  readonly declared: boolean;
}

/**
 * The facts of a tracked metric from the model family's declared metrics; runs recorded before families
 * declared metrics fall back to the core's CLASSIFICATION_METRICS, and an undeclared metric is taken as
 * higher-is-better and printed as it is (the report notes it).
 */
export function metricFacts(metrics: readonly MetricSpec[] | undefined, trackedKey: string): MetricFacts {
  const spec = metricSpecFor(metrics ?? [], trackedKey) ?? metricSpecFor(CLASSIFICATION_METRICS, trackedKey);
  if (!spec) return { key: trackedKey, direction: 'max', percent: false, declared: false };
  return { key: trackedKey, direction: spec.direction, percent: spec.percent === true, declared: true };
}

/** A final metric in the report's unit: percent for percent metrics, else as tracked. */
export function inReportUnit(value: number, facts: MetricFacts): number {
  return facts.percent ? value * 100 : value;
}

/** The best of some values in the metric's direction (NaN for none). */
export function bestOf(values: readonly number[], facts: Pick<MetricFacts, 'direction'>): number {
  if (values.length === 0) return Number.NaN;
  return facts.direction === 'min' ? Math.min(...values) : Math.max(...values);
}

/** Whether `value` reaches `threshold` the way the metric improves (≤ for errors, ≥ for accuracies). */
export function reaches(value: number, threshold: number, reach: 'at-most' | 'at-least'): boolean {
  return reach === 'at-most' ? value <= threshold : value >= threshold;
}
