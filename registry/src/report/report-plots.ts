import { renderVegaLiteSvg } from '@anneal/plots';
import type { Report } from './build-report.js';
import { metricFacts } from './metric-facts.js';
import { binCurve } from './metrics-reader.js';
import type { Curve, ReportRun, RunSource } from './report-run.js';
import { settingKey, settingLabel } from './select-runs.js';

type TopLevelSpec = Parameters<typeof renderVegaLiteSvg>[0];

export interface ReportPlot {
  /** File name, e.g. "curves.svg". */
  readonly name: string;
  readonly title: string;
  readonly svg: string;
}

/** One point of a band: mean line and min–max band across the runs (seeds) of a group. */
export interface BandRow {
  readonly variant: string;
  readonly setting: string;
  readonly x: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

const LOSS_KEY = 'train/loss';

/**
 * Mean / min / max across runs per (variant, setting) and x. Dense per-step curves (train loss) are
 * first averaged into power-of-two bins per run (widths aligned within a group), sparse ones
 * (evaluations) are used as they are.
 */
export function bandRows(perRun: readonly { run: ReportRun; curve: Curve }[], options: { maxBins?: number; binned?: boolean } = {}): BandRow[] {
  const maxBins = options.maxBins ?? 300;
  const groups = new Map<string, { variant: string; setting: string; curves: Curve[] }>();
  for (const { run, curve } of perRun) {
    if (curve.size === 0) continue;
    const key = JSON.stringify([run.variant ?? 'default', settingKey(run.setting)]);
    const g = groups.get(key) ?? { variant: run.variant ?? 'default', setting: settingLabel(run.setting), curves: [] };
    g.curves.push(curve);
    groups.set(key, g);
  }
  const rows: BandRow[] = [];
  for (const g of groups.values()) {
    let series: Map<number, number>[];
    let offset = 0;
    if (options.binned === false) series = g.curves.map((c) => new Map(c));
    else {
      const width = Math.max(...g.curves.map((c) => binCurve(c, maxBins).width));
      series = g.curves.map((c) => binCurve(c, maxBins, width).bins);
      offset = width > 1 ? width / 2 : 0;
    }
    const byX = new Map<number, number[]>();
    for (const s of series) for (const [x, v] of s) byX.set(x, [...(byX.get(x) ?? []), v]);
    for (const [x, vs] of [...byX.entries()].sort((a, b) => a[0] - b[0])) {
      rows.push({ variant: g.variant, setting: g.setting, x: x + offset, mean: vs.reduce((a, b) => a + b, 0) / vs.length, min: Math.min(...vs), max: Math.max(...vs), n: vs.length });
    }
  }
  return rows;
}

function bandLayer(yTitle: string, logY: boolean, points: boolean): object[] {
  const xEnc = { field: 'x', type: 'quantitative', title: 'step', scale: { domainMin: 0 } };
  const y = { type: 'quantitative', title: yTitle, scale: logY ? { type: 'log' } : { zero: false }, axis: { format: '~g' } };
  const color = { field: 'variant', type: 'nominal', title: 'variant' };
  return [
    { mark: { type: 'area', opacity: 0.22 }, encoding: { x: xEnc, y: { ...y, field: 'min' }, y2: { field: 'max' }, color } },
    {
      mark: { type: 'line', strokeWidth: 1.8, point: points },
      encoding: {
        x: xEnc,
        y: { ...y, field: 'mean' },
        color,
        tooltip: [{ field: 'variant' }, { field: 'setting' }, { field: 'x', title: 'step' }, { field: 'mean', format: '.4g' }, { field: 'min', format: '.4g' }, { field: 'max', format: '.4g' }, { field: 'n', title: 'runs' }],
      },
    },
  ];
}

function panel(rows: readonly BandRow[], title: string, yTitle: string, logY: boolean, facet: boolean): object {
  const perGroup = rows.length / Math.max(1, new Set(rows.map((r) => `${r.variant}\u0000${r.setting}`)).size);
  const layer = bandLayer(yTitle, logY, perGroup <= 40);
  if (!facet) return { title, width: 560, height: 220, data: { values: rows }, layer };
  return {
    title,
    data: { values: rows },
    facet: { field: 'setting', type: 'nominal', title: null, header: { labelFontSize: 12 } },
    columns: 3,
    spec: { width: 300, height: 190, layer },
    resolve: { scale: { y: 'independent' } },
  };
}

/**
 * Figure-2-style training curves: train loss (top) and the report's metric (bottom) vs step, one colour per
 * variant (noise / no noise), line = mean across seeds, band = min–max across seeds; one panel per
 * grid setting.
 */
export async function renderCurvesPlot(lossRows: readonly BandRow[], evalRows: readonly BandRow[], options: { title: string; metric: string; percent: boolean }): Promise<string> {
  const settings = new Set([...lossRows, ...evalRows].map((r) => r.setting));
  const facet = settings.size > 1;
  const panels: object[] = [];
  if (lossRows.length) {
    const pos = lossRows.every((r) => r.min > 0);
    const lo = Math.min(...lossRows.map((r) => r.min));
    const hi = Math.max(...lossRows.map((r) => r.max));
    const log = pos && hi / lo >= 50;
    panels.push(panel(lossRows, `training loss (${LOSS_KEY}) — mean over runs (seeds, restarts), band min–max`, log ? 'train loss (log scale)' : 'train loss', log, facet));
  }
  const k = options.percent ? 100 : 1;
  const unit = options.percent ? ' (percent)' : '';
  if (evalRows.length) panels.push(panel(evalRows.map((r) => ({ ...r, mean: r.mean * k, min: r.min * k, max: r.max * k })), `${options.metric}${unit} — mean over runs (seeds, restarts), band min–max`, `${options.metric}${options.percent ? ' (%)' : ''}`, false, facet));
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: options.title, fontSize: 15 },
    ...(panels.length ? { vconcat: panels } : { width: 400, height: 80, data: { values: [{ t: 'no curves in the tracked runs' }] }, mark: 'text', encoding: { text: { field: 't' } } }),
    config: { font: 'sans-serif', legend: { orient: 'right' } },
  } as unknown as TopLevelSpec;
  return renderVegaLiteSvg(spec);
}

/** Deterministic jitter in [-0.8, 0.8] from a run id (no Math.random: the SVG is reproducible). */
function jitter(id: string): number {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619) >>> 0;
  return ((h % 1000) / 999 - 0.5) * 1.6;
}

/** Per-setting distribution of a final metric: box (min–max whiskers) + one dot per run, per variant. */
export async function renderDistributionPlot(runs: readonly ReportRun[], metric: string, options: { title: string; percent: boolean }): Promise<string> {
  const rows = runs
    .filter((r) => r.status === 'FINISHED' && Number.isFinite(r.final[metric]))
    .map((r) => ({ variant: r.variant ?? 'default', setting: settingLabel(r.setting), value: r.final[metric] * (options.percent ? 100 : 1), seed: r.seed, restart: r.restart ?? null, run: r.runId.slice(0, 12), jitter: jitter(r.runId) }));
  const settings = new Set(rows.map((r) => r.setting));
  const variants = new Set(rows.map((r) => r.variant));
  const color = { field: 'variant', type: 'nominal', title: 'variant' };
  const y = { field: 'value', type: 'quantitative', title: `final ${metric}${options.percent ? ' (%)' : ''}`, scale: { zero: false } };
  const only = settings.size === 1 ? [...settings][0] : undefined;
  const x = { field: 'variant', type: 'nominal', title: only && only !== 'all' ? only : null, axis: { labelAngle: 0 } };
  const layer = [
    { mark: { type: 'boxplot', extent: 'min-max', opacity: 0.35, size: 28 }, encoding: { x, y, color } },
    {
      mark: { type: 'point', filled: true, size: 46, opacity: 0.9, stroke: 'black', strokeWidth: 0.4 },
      encoding: { x, xOffset: { field: 'jitter', type: 'quantitative', scale: { domain: [-2.2, 2.2] } }, y, color, tooltip: [{ field: 'variant' }, { field: 'setting' }, { field: 'seed' }, { field: 'restart' }, { field: 'value', format: '.2f' }, { field: 'run' }] },
    },
  ];
  const width = Math.max(140, 75 * variants.size);
  const body = rows.length
    ? settings.size > 1
      ? { data: { values: rows }, facet: { field: 'setting', type: 'nominal', title: null }, columns: 4, spec: { width, height: 220, layer } }
      : { data: { values: rows }, width, height: 260, layer }
    : { width: 400, height: 80, data: { values: [{ t: `no finished runs with ${metric}` }] }, mark: 'text', encoding: { text: { field: 't' } } };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: options.title, fontSize: 15 },
    ...body,
    config: { font: 'sans-serif' },
  } as unknown as TopLevelSpec;
  return renderVegaLiteSvg(spec);
}

/**
 * The per-update training loss: an evaluation on the train split logs its (per-example) loss under the
 * same key at step = updates done; mid-run the next batch's loss at that step replaces it (last value
 * wins), but after the last update it stays. Keeps steps 0 … updates − 1 only.
 */
export function perUpdateLoss(curve: Curve, updates: number | undefined): Map<number, number> {
  const out = new Map(curve);
  if (updates !== undefined) for (const step of curve.keys()) if (step >= updates) out.delete(step);
  return out;
}

/** Both report plots, reading the curves of the finished runs behind the report from the source. */
export async function renderReportPlots(report: Report, source: RunSource): Promise<ReportPlot[]> {
  const finished = report.runs.filter((r) => r.status === 'FINISHED');
  const metric = report.metric;
  const { percent } = metricFacts(report.recipe.metrics, metric);
  const loss: { run: ReportRun; curve: Curve }[] = [];
  const evals: { run: ReportRun; curve: Curve }[] = [];
  for (const run of finished) {
    const curves = await source.curves(run, [LOSS_KEY, metric]);
    loss.push({ run, curve: perUpdateLoss(curves.get(LOSS_KEY) ?? new Map(), run.budget.steps) });
    evals.push({ run, curve: curves.get(metric) ?? new Map() });
  }
  const name = `${report.recipe.name}${report.quick ? ' (quick)' : ''}`;
  const curves = await renderCurvesPlot(bandRows(loss), bandRows(evals, { binned: false }), { title: `${name}: noise vs no noise — ${finished.length} runs`, metric, percent });
  const dist = await renderDistributionPlot(finished, metric, { title: `${name}: final ${metric} per setting (one dot per run)`, percent });
  return [
    { name: 'curves.svg', title: `training curves (train loss and ${metric} vs step; band across seeds)`, svg: curves },
    { name: `final-${metric.replace(/[^\w]+/g, '-')}.svg`, title: `final ${metric} per setting`, svg: dist },
  ];
}
