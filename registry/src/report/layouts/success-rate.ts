import { reaches, type MetricFacts } from '../metric-facts.js';
import type { ReportRun } from '../report-run.js';
import { settingLabel } from '../select-runs.js';
import { compareRates, type ArmComparison } from '../stats/compare-arms.js';
import { wilsonInterval } from '../stats/wilson-interval.js';
import { formatCell } from './format-cells.js';
import type { Layout, ReportSection, SummaryRow } from './layout-types.js';
import { maxSteps, paperOf, runsOf } from './run-values.js';

const seedKey = (r: Pick<ReportRun, 'seed' | 'restart'>) => `${r.seed}/${r.restart ?? ''}`;

/** The threshold as the report prints it ("1%" for a percent metric at 0.01). */
export function thresholdLabel(threshold: number, facts: MetricFacts): string {
  return facts.percent ? `${Number((threshold * 100).toPrecision(6))}%` : String(threshold);
}

/**
 * Table 4: per grid setting and arm, the share of seeds whose final `metric` reaches `threshold`, on
 * the seeds that finished in every arm of that setting (others are left out and noted). Each share has
 * a 95 % Wilson interval; arms are compared with Fisher's exact test.
 */
export const successRateLayout: Layout<'success-rate'> = (spec, input) => {
  const facts = input.metricOf(spec.metric);
  const labels = input.settings.map((s) => settingLabel(s));
  const notes: string[] = [];
  const perSetting = input.settings.map((setting, i) => {
    const byArm = new Map(input.variants.map((v) => [v, runsOf(input.finished, v, setting).filter((r) => Number.isFinite(r.final[spec.metric]))]));
    const present = [...byArm.values()].filter((rs) => rs.length > 0);
    const common = present.length ? present.map((rs) => new Set(rs.map(seedKey))).reduce((a, b) => new Set([...a].filter((k) => b.has(k)))) : new Set<string>();
    const dropped = [...byArm.values()].reduce((n, rs) => n + rs.filter((r) => !common.has(seedKey(r))).length, 0);
    if (dropped > 0) notes.push(`${labels[i]}: ${dropped} run(s) left out of the success rates (their seed did not finish in every arm).`);
    const counts = new Map(
      [...byArm.entries()].map(([arm, rs]) => {
        const same = rs.filter((r) => common.has(seedKey(r)));
        return [arm, { k: same.filter((r) => reaches(r.final[spec.metric], spec.threshold, spec.reach)).length, n: same.length }];
      }),
    );
    return { setting, label: labels[i], counts };
  });
  const rows: SummaryRow[] = input.variants.map((variant) => {
    const runs = runsOf(input.finished, variant);
    const ours = Object.fromEntries(perSetting.map((p) => {
      const c = p.counts.get(variant)!;
      return [p.label, c.n ? (100 * c.k) / c.n : Number.NaN];
    }));
    return { variant, runs: perSetting.reduce((n, p) => n + p.counts.get(variant)!.n, 0), steps: maxSteps(runs), ours, paper: paperOf(input.facts, variant) };
  });
  const goal = `${spec.metric} ${spec.reach === 'at-most' ? '≤' : '≥'} ${thresholdLabel(spec.threshold, facts)}`;
  const pct = (x: number) => formatCell(100 * x, 'percent');
  const section: ReportSection = {
    name: 'success-rate',
    title: `Share of seeds with ${goal} (same seeds in every arm; 95% Wilson interval)`,
    header: ['setting', 'variant', 'reached', 'rate', '95% interval', 'paper'],
    rows: perSetting.flatMap((p) =>
      input.variants.map((v) => {
        const c = p.counts.get(v)!;
        const w = wilsonInterval(c.k, c.n);
        return [p.label, v, `${c.k}/${c.n}`, c.n ? pct(c.k / c.n) : '–', c.n ? `${pct(w.low)}–${pct(w.high)}` : '–', formatCell(paperOf(input.facts, v)[p.label], 'percent')];
      }),
    ),
    values: perSetting.flatMap((p) => input.variants.map((v) => ({ variant: v, setting: p.label, column: `share ${goal}`, ours: p.counts.get(v)!.n ? (100 * p.counts.get(v)!.k) / p.counts.get(v)!.n : undefined, paper: paperOf(input.facts, v)[p.label], runs: p.counts.get(v)!.n }))),
  };
  const comparisons: ArmComparison[] = [];
  const [base, ...others] = input.variants;
  for (const other of others) {
    for (const p of perSetting) {
      const a = p.counts.get(base)!;
      const b = p.counts.get(other)!;
      comparisons.push(compareRates(`${p.label}: share with ${goal}`, base, a.k, a.n, other, b.k, b.n));
    }
  }
  return { summary: { title: `share of seeds with ${goal} (percent)`, metric: spec.metric, columns: labels, units: Object.fromEntries(labels.map((l) => [l, 'percent'])), rows }, sections: [section], comparisons, notes };
};
