import type { RestartSpec } from '@anneal/core';
import type { ReportRun } from '../report-run.js';
import { settingLabel } from '../select-runs.js';
import { mean } from '../stats/descriptive.js';
import { compareMeans, type ArmComparison } from '../stats/compare-arms.js';
import { formatCell } from './format-cells.js';
import type { ColumnUnit, Layout, SummaryRow, TaskRow } from './layout-types.js';
import { finalValues, maxSteps, paperOf, runsOf } from './run-values.js';

/** Keeps, per (arm, setting, seed), the restart with the best `selectBy` metric (all finished runs without restarts). */
export function selectRestarts<R extends Pick<ReportRun, 'variant' | 'setting' | 'seed' | 'final'>>(runs: readonly R[], restarts?: RestartSpec): R[] {
  if (!restarts) return [...runs];
  const groups = new Map<string, R[]>();
  for (const o of runs) {
    const key = JSON.stringify([o.variant ?? null, o.setting, o.seed]);
    groups.set(key, [...(groups.get(key) ?? []), o]);
  }
  return [...groups.values()].map((g) =>
    g.reduce((best, o) => {
      const a = o.final[restarts.selectBy] ?? NaN;
      const b = best.final[restarts.selectBy] ?? NaN;
      if (Number.isNaN(b)) return o;
      if (Number.isNaN(a)) return best;
      return (restarts.mode === 'min' ? a < b : a > b) ? o : best;
    }),
  );
}

/**
 * Table 2: per task (grid setting) and arm, the restart with the best `restarts.selectBy` and its
 * `columns`; the main table is the mean over tasks. Arms are compared per column with Welch's t-test,
 * the tasks' selected restarts as the samples.
 */
export const restartSelectionLayout: Layout<'restart-selection'> = (spec, input) => {
  const fromPaper = [...new Set(Object.values(input.facts.paper?.values ?? {}).flatMap((v) => Object.keys(v)))].filter((k) => k.includes('/'));
  const columns = spec.columns ?? (fromPaper.length ? fromPaper : ['train/error', 'validation/error']);
  const units: Record<string, ColumnUnit> = Object.fromEntries(columns.map((c) => [c, input.metricOf(c).percent ? 'percent' : 'value']));
  const selected = selectRestarts(input.finished, input.facts.restarts);
  const rows: SummaryRow[] = input.variants.map((variant) => {
    const runs = runsOf(selected, variant);
    return { variant, runs: runs.length, steps: maxSteps(runs), ours: Object.fromEntries(columns.map((c) => [c, mean(finalValues(runs, input.metricOf(c)))])), paper: paperOf(input.facts, variant) };
  });

  const tasks: TaskRow[] = [];
  for (const setting of input.settings) {
    const perVariant: Record<string, TaskRow['variants'][string]> = {};
    for (const variant of input.variants) {
      const chosen = runsOf(selected, variant, setting);
      if (chosen.length === 0) continue;
      const values = Object.fromEntries(columns.map((c) => [c, mean(finalValues(chosen, input.metricOf(c)))]));
      perVariant[variant] = { values, restarts: runsOf(input.finished, variant, setting).length, selected: chosen.map((o) => o.runId) };
    }
    if (Object.keys(perVariant).length) tasks.push({ setting, label: settingLabel(setting), variants: perVariant });
  }
  const variants = input.variants.filter((v) => tasks.some((t) => t.variants[v]));
  const sel = input.facts.restarts;
  const meanOver = (v: string, c: string) => mean(tasks.map((t) => t.variants[v]?.values[c]).filter((x): x is number => x !== undefined && Number.isFinite(x)));
  const section = {
    name: 'task',
    title: `Per setting — restart with the ${sel?.mode === 'max' ? 'highest' : 'lowest'} ${sel?.selectBy ?? 'train/error'} (percent; restarts behind each cell)`,
    header: ['setting', ...variants.flatMap((v) => columns.map((c) => `${v} ${c}`)), ...variants.map((v) => `${v} restarts`)],
    rows: [
      ...tasks.map((t) => [t.label, ...variants.flatMap((v) => columns.map((c) => formatCell(t.variants[v]?.values[c], units[c]))), ...variants.map((v) => String(t.variants[v]?.restarts ?? 0))]),
      ['mean (ours)', ...variants.flatMap((v) => columns.map((c) => formatCell(meanOver(v, c), units[c]))), ...variants.map(() => '')],
      ['paper', ...variants.flatMap((v) => columns.map((c) => formatCell(paperOf(input.facts, v)[c], units[c]))), ...variants.map(() => '')],
    ],
    values: tasks.flatMap((t) => Object.entries(t.variants).flatMap(([v, cell]) => columns.map((c) => ({ variant: v, setting: t.label, column: c, ours: cell.values[c], runs: cell.restarts })))),
  };

  const comparisons: ArmComparison[] = [];
  const [base, ...others] = input.variants;
  for (const other of others) {
    for (const c of columns) {
      const perTask = (v: string) => tasks.map((t) => t.variants[v]?.values[c]).filter((x): x is number => x !== undefined && Number.isFinite(x));
      comparisons.push(compareMeans(`${c}, selected restart per task (tasks as samples)`, base, perTask(base), other, perTask(other), units[c] === 'percent'));
    }
  }
  return { summary: { title: `${columns.join(', ')}${columns.every((c) => units[c] === 'percent') ? ' (percent)' : ''}`, metric: spec.metric, columns, units, rows }, sections: tasks.length ? [section] : [], comparisons, tasks };
};
