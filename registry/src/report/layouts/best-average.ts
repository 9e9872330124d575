import { bestOf } from '../metric-facts.js';
import { settingLabel } from '../select-runs.js';
import { mean, sampleStd } from '../stats/descriptive.js';
import { compareMeans, type ArmComparison } from '../stats/compare-arms.js';
import { formatCell } from './format-cells.js';
import type { Layout, ReportSection, SettingRow, SummaryRow } from './layout-types.js';
import { finalValues, maxSteps, paperOf, runsOf } from './run-values.js';

/**
 * Table 1: per arm the best and the average final `metric` over its runs, grid settings pooled (the
 * paper pools lr 0.1 and 0.01 into 40 runs per cell); then per arm × setting. Arms are compared with
 * Welch's t-test over runs, pooled and per setting.
 */
export const bestAverageLayout: Layout<'best-average'> = (spec, input) => {
  const facts = input.metricOf(spec.metric);
  const unit = facts.percent ? 'percent' : 'value';
  const rows: SummaryRow[] = input.variants.map((variant) => {
    const runs = runsOf(input.finished, variant);
    const values = finalValues(runs, facts);
    return { variant, runs: runs.length, steps: maxSteps(runs), ours: { best: bestOf(values, facts), average: mean(values) }, paper: paperOf(input.facts, variant) };
  });

  const settings: SettingRow[] = [];
  for (const variant of input.variants) {
    for (const setting of input.settings) {
      const all = runsOf(input.counted, variant, setting);
      if (all.length === 0) continue;
      const runs = all.filter((r) => r.status === 'FINISHED');
      const values = finalValues(runs, facts);
      const steps = maxSteps(runs);
      settings.push({ variant, setting, label: settingLabel(setting), metric: spec.metric, best: bestOf(values, facts), average: mean(values), std: sampleStd(values), runs: runs.length, unfinished: all.length - runs.length, epochs: runs[0]?.budget.epochs, steps: steps || undefined });
    }
  }
  const section: ReportSection = {
    name: 'setting',
    title: `By variant and setting — ${spec.metric}`,
    header: ['variant', 'setting', 'best', 'average', 'std', 'runs', 'unfinished', 'epochs', 'updates/run'],
    rows: settings.map((s) => [s.variant, s.label, formatCell(s.best, unit), formatCell(s.average, unit), Number.isFinite(s.std) ? s.std.toFixed(1) : '–', String(s.runs), String(s.unfinished), s.epochs === undefined ? '' : String(s.epochs), s.steps === undefined ? '' : String(s.steps)]),
    values: settings.flatMap((s) => (['best', 'average'] as const).map((c) => ({ variant: s.variant, setting: s.label, column: `${c} ${spec.metric}`, ours: s[c], runs: s.runs, epochs: s.epochs, steps: s.steps }))),
  };

  const comparisons: ArmComparison[] = [];
  const [base, ...others] = input.variants;
  for (const other of others) {
    comparisons.push(compareMeans(`${spec.metric}, all settings`, base, finalValues(runsOf(input.finished, base), facts), other, finalValues(runsOf(input.finished, other), facts), facts.percent));
    if (input.settings.length > 1) {
      for (const setting of input.settings) {
        comparisons.push(compareMeans(`${spec.metric}, ${settingLabel(setting)}`, base, finalValues(runsOf(input.finished, base, setting), facts), other, finalValues(runsOf(input.finished, other, setting), facts), facts.percent));
      }
    }
  }
  return {
    summary: { title: `${spec.metric}${facts.percent ? ' (percent)' : ''}`, metric: spec.metric, columns: ['best', 'average'], units: { best: unit, average: unit }, rows },
    sections: settings.length ? [section] : [],
    comparisons,
    settings,
  };
};
