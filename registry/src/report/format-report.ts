import type { Report } from './build-report.js';
import { formatCell, mdTable } from './layouts/format-cells.js';
import { settingKey } from './select-runs.js';
import type { ArmComparison } from './stats/compare-arms.js';

export const REPORT_FORMATS = ['md', 'csv', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** One line saying where the runs came from and how many there are. */
export function reportHeadline(r: Report): string {
  const c = r.counts;
  const what = r.target.kind === 'sweep' ? `sweep ${r.target.id}` : r.target.kind === 'run' ? `run ${r.target.id}` : `recipe ${r.target.id}`;
  const parts = [`${c.finished} finished`, `${c.failed} failed`];
  if (c.killed) parts.push(`${c.killed} killed`);
  if (c.running) parts.push(`${c.running} running`);
  if (c.notRun) parts.push(`${c.notRun} not run`);
  const from = r.target.source === 'mlflow' ? 'MLflow server' : r.target.source === 'memory' ? 'runs of this process in' : 'local store';
  return `${what}${r.quick ? ' (quick)' : ''} from the ${from} ${r.target.location}: ${c.planned !== undefined ? `${c.planned} trials planned, ` : ''}${parts.join(', ')}`;
}

function estimateText(c: ArmComparison, side: 'a' | 'b'): string {
  const e = c[side];
  if (c.kind === 'rates') {
    const pct = (x: number) => formatCell(100 * x, 'percent');
    return e.n ? `${e.successes}/${e.n} = ${pct(e.estimate)} [${pct(e.interval!.low)}, ${pct(e.interval!.high)}]` : '0 runs';
  }
  const unit = c.percent ? 'percent' : 'value';
  return e.n ? `${formatCell(e.estimate, unit)} ± ${formatCell(e.std, unit)} (n=${e.n})` : '0 runs';
}

/** The arm comparisons as a Markdown table (rates: k/n with the 95% Wilson interval; means: mean ± std). */
export function comparisonTable(r: Report): string {
  return mdTable(
    ['compared', 'arm', 'estimate', 'vs arm', 'estimate', 'test', 'p', 'verdict'],
    r.comparisons.map((c) => [c.what, c.a.arm, estimateText(c, 'a'), c.b.arm, estimateText(c, 'b'), c.test, Number.isNaN(c.p) ? '–' : c.p < 0.001 ? '< 0.001' : c.p.toFixed(3), c.verdict]),
  );
}

/**
 * What `anneal run` prints at the end: the detail tables (a best-average one only with several grid
 * settings, else it repeats the main table), the main table and the arm comparisons.
 */
export function formatConsole(r: Report): string {
  const out: string[] = [];
  const oneSetting = new Set(r.runs.map((x) => settingKey(x.setting))).size < 2;
  for (const s of r.sections) if (!(oneSetting && r.layout === 'best-average')) out.push(`${s.title}:`, mdTable(s.header, s.rows), '');
  out.push(r.summary.table, '');
  if (r.comparisons.length) out.push('arms compared over seeds:', comparisonTable(r), '');
  return out.join('\n');
}

/** The report as Markdown (what `anneal report` prints and summary.md holds). */
export function formatMarkdown(r: Report, plots: readonly string[] = []): string {
  const out: string[] = [];
  out.push(`# ${r.title}`, '');
  if (r.recipe.description) out.push(r.recipe.description, '');
  out.push(reportHeadline(r), '');
  out.push('```', r.summary.table, '```', '');
  out.push(r.budget.length ? 'Budget (per run):' : 'Budget (per run): unknown');
  for (const b of r.budget) out.push(`- ${b.variant}: ${b.label} (${b.runs} run${b.runs === 1 ? '' : 's'})`);
  out.push('');
  for (const s of r.sections) out.push(`## ${s.title}`, '', mdTable(s.header, s.rows), '');
  if (r.comparisons.length) {
    out.push('## Arms compared over seeds (means: mean ± std and Welch p; rates: k/n [95% Wilson interval] and Fisher p; the paper gives no uncertainty)', '', comparisonTable(r), '');
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

function csvCell(v: string | number | undefined): string {
  const s = v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const round = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? undefined : Math.round(v * 1e4) / 1e4);

/**
 * The report as CSV in long form, one number per line: section (summary, the layout's detail
 * sections, comparison), variant, setting, column, ours, paper, runs, epochs, steps. Numbers in the
 * report's unit (percent for percent metrics); a comparison line holds the p-value in `ours`.
 */
export function formatCsv(r: Report): string {
  const header = ['section', 'variant', 'setting', 'column', 'ours', 'paper', 'runs', 'epochs', 'steps'];
  const lines: (string | number | undefined)[][] = [];
  for (const row of r.summary.rows) {
    const b = r.budget.find((x) => x.variant === row.variant);
    for (const c of r.summary.columns) lines.push(['summary', row.variant, 'all', c === 'best' || c === 'average' ? `${c} ${r.summary.metric}` : c, round(row.ours[c]), row.paper[c], row.runs, b?.epochs, row.steps]);
  }
  for (const s of r.sections) for (const v of s.values) lines.push([s.name, v.variant, v.setting, v.column, round(v.ours), v.paper, v.runs, v.epochs, v.steps]);
  for (const c of r.comparisons) lines.push(['comparison', `${c.a.arm} vs ${c.b.arm}`, c.what, `${c.test} p`, round(c.p), undefined, c.a.n + c.b.n, undefined, undefined]);
  return `${[header, ...lines].map((l) => l.map(csvCell).join(',')).join('\n')}\n`;
}

/** The report as JSON (runs listed with their ids). */
export function formatJson(r: Report, plots: readonly string[] = []): string {
  const { runs, ...rest } = r;
  return `${JSON.stringify(
    {
      ...rest,
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
