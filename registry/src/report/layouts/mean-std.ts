import { mean, sampleStd } from '../stats/descriptive.js';
import { compareMeans, type ArmComparison } from '../stats/compare-arms.js';
import type { ColumnUnit, Layout, SummaryRow } from './layout-types.js';
import { finalValues, maxSteps, paperOf, runsOf } from './run-values.js';

/**
 * The PTB perplexities: per arm, mean ± std over seeds of `metric` and of each of `metrics`; arms are
 * compared per metric with Welch's t-test.
 */
export const meanStdLayout: Layout<'mean-std'> = (spec, input) => {
  const keys = [...new Set([spec.metric, ...(spec.metrics ?? [])])];
  const units: Record<string, ColumnUnit> = Object.fromEntries(keys.map((k) => [k, input.metricOf(k).percent ? 'percent' : 'value']));
  const rows: SummaryRow[] = input.variants.map((variant) => {
    const runs = runsOf(input.finished, variant);
    const values = Object.fromEntries(keys.map((k) => [k, finalValues(runs, input.metricOf(k))]));
    return { variant, runs: runs.length, steps: maxSteps(runs), ours: Object.fromEntries(keys.map((k) => [k, mean(values[k])])), spread: Object.fromEntries(keys.map((k) => [k, sampleStd(values[k])])), paper: paperOf(input.facts, variant) };
  });
  const comparisons: ArmComparison[] = [];
  const [base, ...others] = input.variants;
  for (const other of others) {
    for (const k of keys) comparisons.push(compareMeans(k, base, finalValues(runsOf(input.finished, base), input.metricOf(k)), other, finalValues(runsOf(input.finished, other), input.metricOf(k)), units[k] === 'percent'));
  }
  return { summary: { title: `${keys.join(', ')}: mean ± std over seeds`, metric: spec.metric, columns: keys, units, rows }, sections: [], comparisons };
};
