import { inReportUnit, type MetricFacts } from '../metric-facts.js';
import type { ReportRun } from '../report-run.js';
import { settingKey } from '../select-runs.js';

/** The arm of a run ("default" when the recipe has no variants). */
export const armOf = (r: Pick<ReportRun, 'variant'>): string => r.variant ?? 'default';

/** Runs of one arm (and, when given, one grid setting). */
export function runsOf<R extends Pick<ReportRun, 'variant' | 'setting'>>(runs: readonly R[], arm: string, setting?: Readonly<Record<string, unknown>>): R[] {
  const key = setting === undefined ? undefined : settingKey(setting);
  return runs.filter((r) => armOf(r) === arm && (key === undefined || settingKey(r.setting) === key));
}

/** The finite final values of a metric over runs, in the report unit. */
export function finalValues(runs: readonly Pick<ReportRun, 'final'>[], facts: MetricFacts): number[] {
  return runs.map((r) => r.final[facts.key]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v)).map((v) => inReportUnit(v, facts));
}

/** Most updates of any run (0 when unknown). */
export function maxSteps(runs: readonly Pick<ReportRun, 'budget'>[]): number {
  const steps = runs.map((r) => r.budget.steps).filter((s): s is number => s !== undefined);
  return steps.length ? Math.max(...steps) : 0;
}

/** The paper's numbers of one arm. */
export function paperOf(facts: { readonly paper?: { readonly values: Readonly<Record<string, Readonly<Record<string, number>>>> } }, arm: string): Readonly<Record<string, number>> {
  return facts.paper?.values[arm] ?? {};
}
