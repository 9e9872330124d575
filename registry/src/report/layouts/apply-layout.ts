import { AnnealError, REPORT_LAYOUTS, type ReportSpec } from '@anneal/core';
import type { RecipeFacts } from '../report-run.js';
import { bestAverageLayout } from './best-average.js';
import { gridBestLayout } from './grid-best.js';
import type { LayoutInput, LayoutOutput } from './layout-types.js';
import { meanStdLayout } from './mean-std.js';
import { restartSelectionLayout } from './restart-selection.js';
import { successRateLayout } from './success-rate.js';
import { thresholdCountsLayout } from './threshold-counts.js';

/**
 * The recipe's table: Recipe.report when it declares one; otherwise restart selection for recipes
 * with restarts and best/average for the rest, on the paper's metric (else the first metric the model
 * declares, on the test split).
 */
export function reportSpecOf(facts: RecipeFacts): ReportSpec {
  if (facts.report) return facts.report;
  const metric = facts.paper?.metric ?? (facts.metrics?.length ? `test/${facts.metrics[0].key}` : 'test/accuracy');
  return facts.restarts ? { layout: 'restart-selection', metric } : { layout: 'best-average', metric };
}

/** Runs the layout a spec names. */
export function applyLayout(spec: ReportSpec, input: LayoutInput): LayoutOutput {
  switch (spec.layout) {
    case 'best-average':
      return bestAverageLayout(spec, input);
    case 'restart-selection':
      return restartSelectionLayout(spec, input);
    case 'grid-best':
      return gridBestLayout(spec, input);
    case 'success-rate':
      return successRateLayout(spec, input);
    case 'threshold-counts':
      return thresholdCountsLayout(spec, input);
    case 'mean-std':
      return meanStdLayout(spec, input);
    default:
      throw new AnnealError('ANNEAL_ERR_RECIPE_INVALID', `report layout '${(spec as { layout: string }).layout}' is not one of ${REPORT_LAYOUTS.join(', ')}; fix the recipe's report.layout.`);
  }
}
