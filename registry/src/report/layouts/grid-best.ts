import { bestOf } from '../metric-facts.js';
import type { ReportRun } from '../report-run.js';
import { settingKey, settingLabel } from '../select-runs.js';
import { mean } from '../stats/descriptive.js';
import { compareMeans, type ArmComparison } from '../stats/compare-arms.js';
import { formatCell } from './format-cells.js';
import type { Layout, ReportSection, SummaryRow } from './layout-types.js';
import { finalValues, maxSteps, paperOf, runsOf } from './run-values.js';

const project = (setting: Readonly<Record<string, unknown>>, keys: readonly string[], keep: boolean) =>
  Object.fromEntries(Object.entries(setting).filter(([k]) => keys.includes(k) === keep));

/**
 * Table 3: per task (the grid keys in `taskKeys`) and arm, the best final `metric` over the rest of
 * the grid and the seeds, and the setting that reached it. Per task, each arm's best setting (by its
 * mean over seeds) is compared with Welch's t-test over those seeds.
 */
export const gridBestLayout: Layout<'grid-best'> = (spec, input) => {
  const facts = input.metricOf(spec.metric);
  const unit = facts.percent ? 'percent' : 'value';
  const tasks = [...new Map(input.settings.map((s) => project(s, spec.taskKeys, true)).map((t) => [settingKey(t), t])).values()];
  const taskRuns = (runs: readonly ReportRun[], task: Readonly<Record<string, unknown>>) => runs.filter((r) => settingKey(project(r.setting, spec.taskKeys, true)) === settingKey(task));
  const labels = tasks.map((t) => settingLabel(t));
  /** The arm's grid setting (rest of the grid) with the best mean over seeds within a task. */
  const bestSetting = (arm: string, task: Readonly<Record<string, unknown>>) => {
    let best: { rest: Readonly<Record<string, unknown>>; values: number[]; mean: number } | undefined;
    for (const s of input.settings.filter((x) => settingKey(project(x, spec.taskKeys, true)) === settingKey(task))) {
      const values = finalValues(runsOf(input.finished, arm, s), facts);
      const m = mean(values);
      if (!Number.isFinite(m)) continue;
      if (!best || bestOf([m, best.mean], facts) === m) best = { rest: project(s, spec.taskKeys, false), values, mean: m };
    }
    return best;
  };
  const rows: SummaryRow[] = input.variants.map((variant) => {
    const runs = runsOf(input.finished, variant);
    const ours = Object.fromEntries(tasks.map((t, i) => [labels[i], bestOf(finalValues(taskRuns(runs, t), facts), facts)]));
    return { variant, runs: runs.length, steps: maxSteps(runs), ours, paper: paperOf(input.facts, variant) };
  });
  const detail = tasks.flatMap((task, i) =>
    input.variants.map((variant) => {
      const runs = taskRuns(runsOf(input.finished, variant), task);
      const values = finalValues(runs, facts);
      const best = bestOf(values, facts);
      const at = runs.find((r) => finalValues([r], facts)[0] === best);
      const bs = bestSetting(variant, task);
      return { task: labels[i], variant, best, at: at ? settingLabel(project(at.setting, spec.taskKeys, false)) : '–', bestMean: bs?.mean, bestMeanAt: bs ? settingLabel(bs.rest) : '–', runs: runs.length };
    }),
  );
  const section: ReportSection = {
    name: 'grid-best',
    title: `Per task — best ${spec.metric} over the grid and seeds, and the best setting by mean over seeds`,
    header: ['task', 'variant', 'best', 'reached at', 'best mean over seeds', 'at', 'runs'],
    rows: detail.map((d) => [d.task, d.variant, formatCell(d.best, unit), d.at, formatCell(d.bestMean, unit), d.bestMeanAt, String(d.runs)]),
    values: detail.flatMap((d) => [
      { variant: d.variant, setting: d.task, column: `best ${spec.metric}`, ours: d.best, runs: d.runs },
      { variant: d.variant, setting: d.task, column: `best mean ${spec.metric}`, ours: d.bestMean, runs: d.runs },
    ]),
  };
  const comparisons: ArmComparison[] = [];
  const [base, ...others] = input.variants;
  for (const other of others) {
    for (const [i, task] of tasks.entries()) {
      const a = bestSetting(base, task);
      const b = bestSetting(other, task);
      comparisons.push(compareMeans(`${labels[i]}: ${spec.metric} over seeds at each arm's best setting`, base, a?.values ?? [], other, b?.values ?? [], facts.percent));
    }
  }
  return { summary: { title: `best ${spec.metric} per task${facts.percent ? ' (percent)' : ''}`, metric: spec.metric, columns: labels, units: Object.fromEntries(labels.map((l) => [l, unit])), rows }, sections: detail.length ? [section] : [], comparisons };
};
