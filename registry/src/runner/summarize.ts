import type { PaperComparison, RestartSpec } from '@anneal/core';
import type { TrialOutcome } from '../trials/trial-spec.js';


export interface SummaryRow {
  readonly variant: string;
  /** Runs (after restart selection) behind the row. */
  readonly runs: number;
  readonly steps: number;
  /** Our value per paper column key. */
  readonly ours: Readonly<Record<string, number>>;
  readonly paper: Readonly<Record<string, number>>;
}

export interface Summary {
  readonly metric: string;
  readonly columns: readonly string[];
  readonly rows: readonly SummaryRow[];
  readonly table: string;
}

const lowerIsBetter = (metric: string) => /error|loss|perplexity/.test(metric);

/** Keeps, per (variant, setting, seed), the restart with the best `selectBy` metric. */
export function selectRestarts(outcomes: readonly TrialOutcome[], restarts?: RestartSpec): TrialOutcome[] {
  const finished = outcomes.filter((o) => o.status === 'FINISHED');
  if (!restarts) return finished;
  const groups = new Map<string, TrialOutcome[]>();
  for (const o of finished) {
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

const pct = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '–' : `${v.toFixed(1)}%`);

/**
 * The paper-style table: one row per variant; for each paper column, our number (percent):
 * 'best' / 'average' of `paper.metric` over runs, or the mean of a named metric (e.g. 'train/error').
 */
export function summarize(outcomes: readonly TrialOutcome[], paper: PaperComparison | undefined, restarts?: RestartSpec, fallbackMetric = 'test/accuracy'): Summary {
  const selected = selectRestarts(outcomes, restarts);
  const metric = paper?.metric ?? fallbackMetric;
  const variants = [...new Set(outcomes.map((o) => o.variant ?? 'default'))];
  const columns = paper ? [...new Set(Object.values(paper.values).flatMap((v) => Object.keys(v)))] : ['best', 'average'];
  const rows: SummaryRow[] = variants.map((variant) => {
    const runs = selected.filter((o) => (o.variant ?? 'default') === variant);
    const ours: Record<string, number> = {};
    for (const col of columns) {
      const key = col === 'best' || col === 'average' ? metric : col;
      const values = runs.map((o) => o.final[key]).filter((v): v is number => typeof v === 'number' && !Number.isNaN(v)).map((v) => v * 100);
      if (values.length === 0) ours[col] = NaN;
      else if (col === 'best') ours[col] = lowerIsBetter(key) ? Math.min(...values) : Math.max(...values);
      else ours[col] = values.reduce((a, b) => a + b, 0) / values.length;
    }
    return { variant, runs: runs.length, steps: runs.length ? Math.max(...runs.map((r) => r.steps)) : 0, ours, paper: paper?.values[variant] ?? {} };
  });
  const header = ['setting', ...columns.flatMap((c) => [`${c} (ours)`, `${c} (paper)`]), 'runs', 'steps/run'];
  const body = rows.map((r) => [r.variant, ...columns.flatMap((c) => [pct(r.ours[c]), r.paper[c] === undefined ? '–' : `${r.paper[c].toFixed(1)}%`]), String(r.runs), String(r.steps)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  const table = [
    `${paper ? `${paper.table} — ` : ''}${columns.includes('best') || columns.includes('average') ? metric : 'metrics'} (percent)`,
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...body.map(line),
    ...(paper?.note ? [`note: ${paper.note}`] : []),
  ].join('\n');
  return { metric, columns, rows, table };
}

/**
 * One row per grid setting (e.g. per bAbI task, or per learning rate), one column group per variant:
 * the same statistics as `summarize`, computed within the setting (after restart selection).
 * Returns undefined when the runs have a single setting.
 */
export function summarizePerSetting(outcomes: readonly TrialOutcome[], paper: PaperComparison | undefined, restarts?: RestartSpec, fallbackMetric = 'test/accuracy'): string | undefined {
  const selected = selectRestarts(outcomes, restarts);
  const settings = [...new Map(outcomes.map((o) => [JSON.stringify(o.setting), o.setting])).values()];
  if (settings.length < 2) return undefined;
  const metric = paper?.metric ?? fallbackMetric;
  const variants = [...new Set(outcomes.map((o) => o.variant ?? 'default'))];
  const columns = paper ? [...new Set(Object.values(paper.values).flatMap((v) => Object.keys(v)))] : ['best', 'average'];
  const label = (s: Readonly<Record<string, unknown>>) => Object.entries(s).map(([k, v]) => `${k.split('.').pop()}=${JSON.stringify(v)}`).join(' ') || '-';
  const header = ['setting', ...variants.flatMap((v) => columns.map((c) => `${v} ${c}`)), 'runs'];
  const body = settings.map((setting) => {
    const key = JSON.stringify(setting);
    const inSetting = selected.filter((o) => JSON.stringify(o.setting) === key);
    const cells = variants.flatMap((v) => {
      const runs = inSetting.filter((o) => (o.variant ?? 'default') === v);
      return columns.map((c) => {
        const k = c === 'best' || c === 'average' ? metric : c;
        const values = runs.map((o) => o.final[k]).filter((x): x is number => typeof x === 'number' && !Number.isNaN(x)).map((x) => x * 100);
        if (values.length === 0) return '–';
        const value = c === 'best' ? (lowerIsBetter(k) ? Math.min(...values) : Math.max(...values)) : values.reduce((a, b) => a + b, 0) / values.length;
        return pct(value);
      });
    });
    return [label(setting), ...cells, String(inSetting.length)];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [`per setting${restarts ? ` (best of ${restarts.count} restarts by ${restarts.selectBy})` : ''}:`, line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}
