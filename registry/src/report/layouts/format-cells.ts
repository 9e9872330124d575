import type { ColumnUnit } from './layout-types.js';

/** A number as the report prints it in a column of this unit ('–' when missing). */
export function formatCell(v: number | undefined, unit: ColumnUnit): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  if (unit === 'percent') return `${v.toFixed(1)}%`;
  if (unit === 'count') return String(Math.round(v));
  return String(Number(v.toPrecision(4)));
}

/** Markdown table with padded columns. */
export function mdTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => (c ?? '').padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
