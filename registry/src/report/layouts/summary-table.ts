import type { PaperComparison } from '@anneal/core';
import { formatCell, mdTable } from './format-cells.js';
import type { LayoutOutput, Summary } from './layout-types.js';

/**
 * The main table as text: a title line, one row per arm with ours beside the paper's number per
 * column (mean ± std where the layout has a spread), runs and updates per run; the paper's note last.
 */
export function summaryTable(summary: LayoutOutput['summary'], paper: PaperComparison | undefined): Summary {
  const { title, ...rest } = summary;
  const header = ['variant', ...summary.columns.flatMap((c) => [`${c} (ours)`, `${c} (paper)`]), 'runs', 'steps/run'];
  const body = summary.rows.map((r) => [
    r.variant,
    ...summary.columns.flatMap((c) => {
      const unit = summary.units[c] ?? 'value';
      const ours = formatCell(r.ours[c], unit);
      const spread = r.spread?.[c];
      return [spread !== undefined && Number.isFinite(spread) && ours !== '–' ? `${ours} ± ${formatCell(spread, unit)}` : ours, formatCell(r.paper[c], unit)];
    }),
    String(r.runs),
    String(r.steps),
  ]);
  const table = [`${paper ? `${paper.table} — ` : ''}${title}`, mdTable(header, body), ...(paper?.note ? [`note: ${paper.note}`] : [])].join('\n');
  return { ...rest, table };
}
