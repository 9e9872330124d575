/**
 * How a recipe's runs become its table: a layout as data. `anneal run`'s parent summary, `anneal sweep`'s
 * summary and `anneal report` all render it through one report pipeline (registry/src/report).
 * Metric keys are tracked keys: `<split>/<metric>` as the model family declares them ("test/accuracy");
 * which way is better and whether it prints as a percentage come from the family's MetricSpec.
 * Where two arms are compared over seeds, every layout prints a test (Welch's t for means, Wilson
 * intervals and Fisher's exact test for rates): `baseline` (default: the first arm) against each other arm.
 */
interface ReportSpecCommon {
  /** The arm the others are compared with (default: the first variant, e.g. 'no-noise'). */
  readonly baseline?: string;
}

export type ReportSpec = ReportSpecCommon &
  (
    /** Table 1: per arm, the best and the average of `metric` over seeds, grid settings pooled. */
    | { readonly layout: 'best-average'; readonly metric: string }
    /**
     * Table 2: per task (grid setting) and arm, the restart with the best `restarts.selectBy`, its
     * `columns` (default: the paper's columns, else train/validation error); then the mean over tasks.
     */
    | { readonly layout: 'restart-selection'; readonly metric: string; readonly columns?: readonly string[] }
    /**
     * Table 3: per task (the grid keys in `taskKeys`) and arm, the best `metric` over the rest of the
     * grid and the seeds.
     */
    | { readonly layout: 'grid-best'; readonly metric: string; readonly taskKeys: readonly string[] }
    /**
     * Table 4: per grid setting and arm, the share of seeds whose `metric` reaches `threshold`
     * (`reach: 'at-most'` for errors, 'at-least' for accuracies), on the same seeds in every arm.
     * The threshold is in the tracked unit (0.01 = 1 % error).
     */
    | { readonly layout: 'success-rate'; readonly metric: string; readonly threshold: number; readonly reach: 'at-most' | 'at-least' }
    /**
     * Table 5: per arm, the number of runs whose `metric` is under (<) each threshold (tracked unit); with
     * `means`, also the mean ± std over seeds of those metrics, compared with Welch's t.
     */
    | { readonly layout: 'threshold-counts'; readonly metric: string; readonly thresholds: readonly number[]; readonly means?: readonly string[] }
    /** PTB: per arm, mean ± std over seeds of `metric` and of each of `metrics`. */
    | { readonly layout: 'mean-std'; readonly metric: string; readonly metrics?: readonly string[] }
  );

export type ReportLayoutName = ReportSpec['layout'];

export const REPORT_LAYOUTS: readonly ReportLayoutName[] = ['best-average', 'restart-selection', 'grid-best', 'success-rate', 'threshold-counts', 'mean-std'];
