import { mean, sampleStd } from '../stats/descriptive.js';
import { compareMeans, compareRates, type ArmComparison } from '../stats/compare-arms.js';
import { wilsonInterval } from '../stats/wilson-interval.js';
import { formatCell } from './format-cells.js';
import type { Layout, ReportSection, SummaryRow } from './layout-types.js';
import { finalValues, maxSteps, paperOf, runsOf } from './run-values.js';
import { thresholdLabel } from './success-rate.js';

/**
 * Table 5: per arm, how many runs end with `metric` under (<) each threshold. Each count has a 95 %
 * Wilson interval of its share; arms are compared per threshold with Fisher's exact test. `means`: a
 * section with the mean ± std over seeds of those metrics per arm, compared with Welch's t.
 */
export const thresholdCountsLayout: Layout<'threshold-counts'> = (spec, input) => {
  const facts = input.metricOf(spec.metric);
  const labels = spec.thresholds.map((t) => `< ${thresholdLabel(t, facts)}`);
  const valuesOf = (arm: string) => runsOf(input.finished, arm).map((r) => r.final[spec.metric]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const count = (arm: string, t: number) => valuesOf(arm).filter((v) => v < t).length;
  const rows: SummaryRow[] = input.variants.map((variant) => {
    const runs = runsOf(input.finished, variant);
    return { variant, runs: finalValues(runs, facts).length, steps: maxSteps(runs), ours: Object.fromEntries(spec.thresholds.map((t, i) => [labels[i], count(variant, t)])), paper: paperOf(input.facts, variant) };
  });
  const pct = (x: number) => formatCell(100 * x, 'percent');
  const paperRuns = input.facts.paper?.runs;
  const section: ReportSection = {
    name: 'threshold-counts',
    title: `Runs with ${spec.metric} under each threshold (95% Wilson interval of the share)`,
    header: ['threshold', 'variant', 'runs under', 'of', 'share', '95% interval', 'paper'],
    rows: spec.thresholds.flatMap((t, i) =>
      input.variants.map((v) => {
        const n = valuesOf(v).length;
        const k = count(v, t);
        const w = wilsonInterval(k, n);
        const paper = paperOf(input.facts, v)[labels[i]];
        return [labels[i], v, String(k), String(n), n ? pct(k / n) : '–', n ? `${pct(w.low)}–${pct(w.high)}` : '–', paper === undefined ? '–' : `${paper}${paperRuns?.[v] !== undefined ? ` of ${paperRuns[v]}` : ''}`];
      }),
    ),
    values: spec.thresholds.flatMap((t, i) => input.variants.map((v) => ({ variant: v, setting: 'all', column: `runs ${spec.metric} ${labels[i]}`, ours: count(v, t), paper: paperOf(input.facts, v)[labels[i]], runs: valuesOf(v).length }))),
  };
  const comparisons: ArmComparison[] = [];
  const [base, ...others] = input.variants;
  for (const other of others) {
    for (const [i, t] of spec.thresholds.entries()) comparisons.push(compareRates(`share with ${spec.metric} ${labels[i]}`, base, count(base, t), valuesOf(base).length, other, count(other, t), valuesOf(other).length));
  }
  const sections: ReportSection[] = [section];
  if (spec.means?.length) {
    const per = (key: string, v: string) => finalValues(runsOf(input.finished, v), input.metricOf(key));
    const fmt = (key: string, x: number) => formatCell(x, input.metricOf(key).percent ? 'percent' : 'value');
    sections.push({
      name: 'means',
      title: 'Mean ± std over seeds (final values)',
      header: ['metric', 'variant', 'mean ± std', 'min–max', 'runs'],
      rows: spec.means.flatMap((key) =>
        input.variants.map((v) => {
          const xs = per(key, v);
          if (xs.length === 0) return [key, v, '–', '–', '0'];
          const sd = xs.length > 1 ? ` ± ${fmt(key, sampleStd(xs))}` : '';
          return [key, v, `${fmt(key, mean(xs))}${sd}`, `${fmt(key, Math.min(...xs))}–${fmt(key, Math.max(...xs))}`, String(xs.length)];
        }),
      ),
      values: spec.means.flatMap((key) => input.variants.map((v) => ({ variant: v, setting: 'all', column: `mean ${key}`, ours: per(key, v).length ? mean(per(key, v)) : undefined, runs: per(key, v).length }))),
    });
    for (const other of others) for (const key of spec.means) comparisons.push(compareMeans(key, base, per(key, base), other, per(key, other), input.metricOf(key).percent));
  }
  return { summary: { title: `runs with ${spec.metric} under each threshold (count)`, metric: spec.metric, columns: labels, units: Object.fromEntries(labels.map((l) => [l, 'count'])), rows }, sections, comparisons };
};
