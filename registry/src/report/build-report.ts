import type { ReportLayoutName, ReportSpec } from '@anneal/core';
import type { Collected, ReportTarget } from './collect-runs.js';
import { applyLayout, reportSpecOf } from './layouts/apply-layout.js';
import type { ReportSection, SettingRow, Summary, TaskRow } from './layouts/layout-types.js';
import { summaryTable } from './layouts/summary-table.js';
import { metricFacts } from './metric-facts.js';
import type { RecipeFacts, ReportRun } from './report-run.js';
import { settingKey } from './select-runs.js';
import type { ArmComparison } from './stats/compare-arms.js';
import type { TrialOutcome } from './trial-outcome.js';

export interface ReportCounts {
  /** Trials the sweep planned (sweep reports only). */
  readonly planned?: number;
  readonly finished: number;
  readonly failed: number;
  readonly killed: number;
  readonly running: number;
  /** Planned trials with no run at all (sweep reports only). */
  readonly notRun?: number;
  /** Earlier attempts of a trial, left out (each trial counts once). */
  readonly superseded: number;
}

export interface BudgetRow {
  readonly variant: string;
  readonly label: string;
  readonly epochs?: number;
  /** Min and max updates per run over the runs behind the row. */
  readonly stepsMin?: number;
  readonly stepsMax?: number;
  readonly batchSize?: number;
  readonly trainSize?: number;
  readonly runs: number;
}

/** A recipe's table from its tracked runs, in any layout, beside the paper's numbers (no I/O). */
export interface Report {
  readonly title: string;
  readonly target: ReportTarget;
  readonly recipe: RecipeFacts;
  readonly quick: boolean;
  readonly layout: ReportLayoutName;
  readonly spec: ReportSpec;
  /** The metric of the main table and of the plots. */
  readonly metric: string;
  readonly counts: ReportCounts;
  /** The main table: one row per arm. */
  readonly summary: Summary;
  /** The layout's detail tables. */
  readonly sections: readonly ReportSection[];
  /** Arms compared over seeds: tests and verdicts. */
  readonly comparisons: readonly ArmComparison[];
  /** best-average: per arm × setting. */
  readonly settings: readonly SettingRow[];
  /** restart-selection: per task, the selected restarts. */
  readonly tasks: readonly TaskRow[];
  readonly budget: readonly BudgetRow[];
  readonly outcomes: readonly TrialOutcome[];
  readonly notes: readonly string[];
  /** Runs behind the report (each trial once), for plots. */
  readonly runs: readonly ReportRun[];
}

export function toOutcome(r: ReportRun): TrialOutcome {
  return {
    trialId: r.trialId ?? r.runId,
    runId: r.runId,
    variant: r.variant,
    setting: r.setting,
    seed: r.seed,
    restart: r.restart,
    status: r.status,
    final: r.final,
    steps: r.budget.steps ?? 0,
    epochs: r.budget.epochs,
    durationMs: r.endTime !== undefined ? r.endTime - r.startTime : undefined,
  };
}

/** Builds the report of collected runs in the recipe's layout (Recipe.report, or the default one). */
export function buildReport(collected: Collected): Report {
  const { recipe, counted } = collected;
  const notes = [...collected.notes];
  const finished = counted.filter((r) => r.status === 'FINISHED');
  const counts: ReportCounts = {
    planned: collected.planned,
    finished: finished.length,
    failed: counted.filter((r) => r.status === 'FAILED').length,
    killed: counted.filter((r) => r.status === 'KILLED').length,
    running: counted.filter((r) => r.status === 'RUNNING').length,
    notRun: collected.notRun,
    superseded: collected.superseded.length,
  };
  const spec = reportSpecOf(recipe);
  const arms = [...new Set([...Object.keys(recipe.paper?.values ?? {}), ...counted.map((r) => r.variant ?? 'default')])].filter((v) => counted.some((r) => (r.variant ?? 'default') === v));
  const variants = spec.baseline && arms.includes(spec.baseline) ? [spec.baseline, ...arms.filter((v) => v !== spec.baseline)] : arms;
  const undeclared = new Set<string>();
  const metricOf = (key: string) => {
    const f = metricFacts(recipe.metrics, key);
    if (!f.declared) undeclared.add(key);
    return f;
  };
  const out = applyLayout(spec, { spec, facts: recipe, counted, finished, variants, settings: uniqueSettings(counted), metricOf });
  const summary = summaryTable(out.summary, recipe.paper);
  notes.push(...(out.notes ?? []));
  if (undeclared.size) notes.push(`metric(s) ${[...undeclared].join(', ')} not declared by the model family: taken as higher-is-better and printed as tracked.`);
  if (counts.failed + counts.killed + counts.running > 0) notes.push(`${counts.failed} failed, ${counts.killed} killed and ${counts.running} running trial(s) are not in the statistics.`);
  if (collected.superseded.length > 0) notes.push(`${collected.superseded.length} earlier attempt(s) of trials were left out (each trial counts once: its latest finished run).`);
  return {
    title: recipe.paper?.table ?? recipe.name,
    target: collected.target,
    recipe,
    quick: collected.quick,
    layout: spec.layout,
    spec,
    metric: spec.metric,
    counts,
    summary,
    sections: out.sections,
    comparisons: out.comparisons,
    settings: out.settings ?? [],
    tasks: out.tasks ?? [],
    budget: budgetRows(variants, finished),
    outcomes: finished.map(toOutcome),
    notes,
    runs: counted,
  };
}

function budgetRows(variants: readonly string[], finished: readonly ReportRun[]): BudgetRow[] {
  const budget: BudgetRow[] = [];
  for (const variant of variants) {
    const combos = new Map<string, ReportRun[]>();
    for (const r of finished.filter((x) => (x.variant ?? 'default') === variant)) {
      const k = JSON.stringify([r.budget.epochs, r.budget.batchSize, r.budget.trainSize]);
      combos.set(k, [...(combos.get(k) ?? []), r]);
    }
    for (const rs of combos.values()) {
      const steps = rs.map((r) => r.budget.steps).filter((s): s is number => s !== undefined);
      const b = rs[0].budget;
      budget.push({ variant, label: budgetLabel(b.epochs, steps, b.batchSize, b.trainSize), epochs: b.epochs, stepsMin: steps.length ? Math.min(...steps) : undefined, stepsMax: steps.length ? Math.max(...steps) : undefined, batchSize: b.batchSize, trainSize: b.trainSize, runs: rs.length });
    }
  }
  return budget;
}

function uniqueSettings(runs: readonly ReportRun[]): Readonly<Record<string, unknown>>[] {
  const seen = new Map<string, Readonly<Record<string, unknown>>>();
  for (const r of runs) if (!seen.has(settingKey(r.setting))) seen.set(settingKey(r.setting), r.setting);
  return [...seen.values()].sort((a, b) => compareSettings(a, b));
}

function compareSettings(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): number {
  for (const k of Object.keys(a).sort()) {
    const x = a[k];
    const y = b[k];
    if (typeof x === 'number' && typeof y === 'number' && x !== y) return x - y;
    const c = String(x).localeCompare(String(y));
    if (c !== 0) return c;
  }
  return 0;
}

function budgetLabel(epochs: number | undefined, steps: readonly number[], batch: number | undefined, trainSize: number | undefined): string {
  const parts: string[] = [];
  if (epochs !== undefined) parts.push(`${epochs} epochs`);
  if (steps.length) {
    const lo = Math.min(...steps);
    const hi = Math.max(...steps);
    parts.push(`${lo === hi ? lo.toLocaleString('en-US') : `${lo.toLocaleString('en-US')}–${hi.toLocaleString('en-US')}`} updates/run`);
  }
  if (batch !== undefined) parts.push(`batch ${batch}`);
  if (trainSize !== undefined) parts.push(`${trainSize.toLocaleString('en-US')} training examples`);
  return parts.join(', ') || 'unknown';
}
