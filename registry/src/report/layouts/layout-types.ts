import type { ReportSpec } from '@anneal/core';
import type { MetricFacts } from '../metric-facts.js';
import type { RecipeFacts, ReportRun } from '../report-run.js';
import type { ArmComparison } from '../stats/compare-arms.js';

/** How the numbers of a column print: percent ("97.0%"), a count of runs, or the value as tracked. */
export type ColumnUnit = 'percent' | 'count' | 'value';

/** One arm's row of a layout's main table. */
export interface SummaryRow {
  readonly variant: string;
  /** Runs behind the row (after restart selection). */
  readonly runs: number;
  /** Most updates of any run behind the row. */
  readonly steps: number;
  /** Our number per column. */
  readonly ours: Readonly<Record<string, number>>;
  /** mean-std: the standard deviation beside each mean. */
  readonly spread?: Readonly<Record<string, number>>;
  /** The paper's number per column (PaperComparison.values of the arm). */
  readonly paper: Readonly<Record<string, number>>;
}

/** A layout's main table: one row per arm, ours beside the paper's per column. */
export interface Summary {
  readonly metric: string;
  readonly columns: readonly string[];
  readonly units: Readonly<Record<string, ColumnUnit>>;
  readonly rows: readonly SummaryRow[];
  /** The table as text (what `anneal run` prints and summary.md starts with). */
  readonly table: string;
}

/** One number of a detail table in long form (a CSV line). */
export interface SectionValue {
  readonly variant: string;
  readonly setting: string;
  readonly column: string;
  readonly ours: number | undefined;
  readonly paper?: number;
  readonly runs?: number;
  readonly epochs?: number;
  readonly steps?: number;
}

/** A detail table of a layout: Markdown cells and the same numbers in long form. */
export interface ReportSection {
  /** The CSV `section` value, e.g. "setting", "task". */
  readonly name: string;
  readonly title: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  readonly values: readonly SectionValue[];
}

/** Table 1 detail: one row per variant × grid setting. */
export interface SettingRow {
  readonly variant: string;
  readonly setting: Readonly<Record<string, unknown>>;
  readonly label: string;
  readonly metric: string;
  /** In the report unit (percent for percent metrics). */
  readonly best: number;
  readonly average: number;
  readonly std: number;
  readonly runs: number;
  /** Trials of the cell that did not finish (failed, killed or still running). */
  readonly unfinished: number;
  readonly epochs?: number;
  readonly steps?: number;
}

/** Table 2 detail: one row per grid setting (task); per variant the selected restart's values. */
export interface TaskRow {
  readonly setting: Readonly<Record<string, unknown>>;
  readonly label: string;
  readonly variants: Readonly<Record<string, { readonly values: Readonly<Record<string, number>>; readonly restarts: number; readonly selected: readonly string[] }>>;
}

/** What every layout gets: the runs behind the report, in a stable order, and the metric facts. */
export interface LayoutInput {
  readonly spec: ReportSpec;
  readonly facts: RecipeFacts;
  /** Every counted run (each trial once), any status. */
  readonly counted: readonly ReportRun[];
  /** The FINISHED ones: the statistics use only these. */
  readonly finished: readonly ReportRun[];
  /** Arms in report order (the paper's order first); the baseline first. */
  readonly variants: readonly string[];
  /** Distinct grid settings, sorted. */
  readonly settings: readonly Readonly<Record<string, unknown>>[];
  /** Facts of a tracked metric (direction, percent) from the model's declared metrics. */
  metricOf(key: string): MetricFacts;
}

export interface LayoutOutput {
  readonly summary: Omit<Summary, 'table'> & { readonly title: string };
  readonly sections: readonly ReportSection[];
  readonly comparisons: readonly ArmComparison[];
  readonly settings?: readonly SettingRow[];
  readonly tasks?: readonly TaskRow[];
  readonly notes?: readonly string[];
}

export type Layout<S extends ReportSpec['layout']> = (spec: Extract<ReportSpec, { layout: S }>, input: LayoutInput) => LayoutOutput;
