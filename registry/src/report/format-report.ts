import type { Report } from './build-report.js';

export const REPORT_FORMATS = ['md', 'csv', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const pct = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : `${v.toFixed(1)}%`);
const num = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '' : String(v));

function mdTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => (c ?? '').padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** One line saying where the runs came from and how many there are. */
export function reportHeadline(r: Report): string {
  const c = r.counts;
  const what = r.target.kind === 'sweep' ? `sweep ${r.target.id}` : `recipe ${r.target.id}`;
  const parts = [`${c.finished} finished`, `${c.failed} failed`];
  if (c.killed) parts.push(`${c.killed} killed`);
  if (c.running) parts.push(`${c.running} running`);
  if (c.notRun) parts.push(`${c.notRun} not run`);
  return `${what}${r.quick ? ' (quick)' : ''} from the ${r.target.source === 'mlflow' ? 'MLflow server' : 'local store'} ${r.target.location}: ${c.planned !== undefined ? `${c.planned} trials planned, ` : ''}${parts.join(', ')}`;
}

/** The report as Markdown (what `anneal report` prints). */
export function formatMarkdown(r: Report, plots: readonly string[] = []): string {
  const out: string[] = [];
  out.push(`# ${r.title}`, '');
  if (r.recipe.description) out.push(r.recipe.description, '');
  out.push(reportHeadline(r), '');
  out.push('```', r.summary.table, '```', '');
  out.push(r.budget.length ? 'Budget (per run):' : 'Budget (per run): unknown');
  for (const b of r.budget) out.push(`- ${b.variant}: ${b.label} (${b.runs} run${b.runs === 1 ? '' : 's'})`);
  out.push('');
  if (r.layout === 'table1' && r.settings.length) {
    out.push(`## By variant and setting — ${r.metric}`, '');
    out.push(
      mdTable(
        ['variant', 'setting', 'best', 'average', 'std', 'runs', 'unfinished', 'epochs', 'updates/run'],
        r.settings.map((s) => [s.variant, s.label, pct(s.best), pct(s.average), Number.isFinite(s.std) ? s.std.toFixed(1) : '–', String(s.runs), String(s.unfinished), num(s.epochs), num(s.steps)]),
      ),
      '',
    );
  }
  if (r.layout === 'table2' && r.tasks.length) {
    const variants = [...new Set(r.tasks.flatMap((t) => Object.keys(t.variants)))];
    const sel = r.recipe.restarts;
    out.push(`## Per setting — restart with the ${sel?.mode === 'max' ? 'highest' : 'lowest'} ${sel?.selectBy ?? 'train/error'} (percent; restarts behind each cell)`, '');
    const header = ['setting', ...variants.flatMap((v) => r.columns.map((c) => `${v} ${c}`)), ...variants.map((v) => `${v} restarts`)];
    const rows = r.tasks.map((t) => [t.label, ...variants.flatMap((v) => r.columns.map((c) => pct(t.variants[v]?.values[c]))), ...variants.map((v) => String(t.variants[v]?.restarts ?? 0))]);
    const meanRow = ['mean (ours)', ...variants.flatMap((v) => r.columns.map((c) => pct(meanOf(r.tasks.map((t) => t.variants[v]?.values[c]))))), ...variants.map(() => '')];
    const paperRow = ['paper', ...variants.flatMap((v) => r.columns.map((c) => pct(r.recipe.paper?.values[v]?.[c]))), ...variants.map(() => '')];
    out.push(mdTable(header, [...rows, meanRow, paperRow]), '');
  }
  if (plots.length) {
    out.push('## Plots', '');
    for (const p of plots) out.push(`- ${p}`);
    out.push('');
  }
  if (r.notes.length) {
    out.push('## Notes', '');
    for (const n of r.notes) out.push(`- ${n}`);
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function meanOf(values: readonly (number | undefined)[]): number {
  const xs = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN;
}

function csvCell(v: string | number | undefined): string {
  const s = v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The report as CSV in long form, one number per line: section (summary / setting / task), variant,
 * setting, column, ours, paper, runs, epochs, steps. Percent values.
 */
export function formatCsv(r: Report): string {
  const header = ['section', 'variant', 'setting', 'column', 'ours', 'paper', 'runs', 'epochs', 'steps'];
  const lines: (string | number | undefined)[][] = [];
  for (const row of r.summary.rows) {
    const b = r.budget.find((x) => x.variant === row.variant);
    for (const c of r.summary.columns) lines.push(['summary', row.variant, 'all', c === 'best' || c === 'average' ? `${c} ${r.summary.metric}` : c, round(row.ours[c]), row.paper[c], row.runs, b?.epochs, row.steps]);
  }
  for (const s of r.settings) {
    lines.push(['setting', s.variant, s.label, `best ${s.metric}`, round(s.best), undefined, s.runs, s.epochs, s.steps]);
    lines.push(['setting', s.variant, s.label, `average ${s.metric}`, round(s.average), undefined, s.runs, s.epochs, s.steps]);
  }
  for (const t of r.tasks) {
    for (const [v, cell] of Object.entries(t.variants)) for (const c of r.columns) lines.push(['task', v, t.label, c, round(cell.values[c]), undefined, cell.restarts, undefined, undefined]);
  }
  return `${[header, ...lines].map((l) => l.map(csvCell).join(',')).join('\n')}\n`;
}

const round = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? undefined : Math.round(v * 1e4) / 1e4);

/** The report as JSON (numbers in percent; runs listed with their ids). */
export function formatJson(r: Report, plots: readonly string[] = []): string {
  const { runs, ...rest } = r;
  return `${JSON.stringify(
    {
      ...rest,
      summary: { metric: r.summary.metric, columns: r.summary.columns, rows: r.summary.rows, table: r.summary.table },
      runs: runs.map((x) => ({ runId: x.runId, mlflowRunId: x.mlflowRunId, trialId: x.trialId, status: x.status, variant: x.variant, setting: x.setting, seed: x.seed, restart: x.restart, final: x.final, budget: x.budget })),
      plots,
    },
    (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
    2,
  )}\n`;
}

export function formatReport(r: Report, format: ReportFormat, plots: readonly string[] = []): string {
  return format === 'csv' ? formatCsv(r) : format === 'json' ? formatJson(r, plots) : formatMarkdown(r, plots);
}
