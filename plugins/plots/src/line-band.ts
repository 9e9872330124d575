import type { MetricPoint } from '@anneal/core';
import type { TopLevelSpec } from 'vega-lite';
import { renderVegaLiteSvg } from './render.js';
import { thin } from './training-curves.js';

/** One group (e.g. "noise" / "no noise"): a mean line with a min–max band. */
export interface BandSeries {
  readonly label: string;
  readonly points: readonly { readonly x: number; readonly mean: number; readonly min: number; readonly max: number; readonly n?: number }[];
}

export interface LineBandOptions {
  readonly title?: string;
  readonly xTitle?: string;
  readonly yTitle?: string;
  readonly width?: number;
  readonly height?: number;
  readonly logY?: boolean;
  /** Longest series kept per group (default 1500). */
  readonly maxPointsPerSeries?: number;
}

/**
 * Mean lines with shaded min–max bands (one colour per group), as SVG via Vega-Lite. For sweep plots:
 * noise vs no noise across seeds.
 */
export async function renderLineBand(series: readonly BandSeries[], options: LineBandOptions = {}): Promise<string> {
  const max = options.maxPointsPerSeries ?? 1500;
  const rows = series.flatMap((s) =>
    thin(
      [...s.points].filter((p) => [p.x, p.mean, p.min, p.max].every((v) => Number.isFinite(v) && Math.abs(v) < 1e300)).sort((a, b) => a.x - b.x),
      max,
    ).map((p) => ({ group: s.label, x: p.x, mean: p.mean, min: p.min, max: p.max, n: p.n ?? null })),
  );
  const logY = options.logY === true && rows.every((r) => r.min > 0);
  const yScale = logY ? { type: 'log' } : { zero: false };
  const color = { field: 'group', type: 'nominal', title: null };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title ?? '',
    width: options.width ?? 640,
    height: options.height ?? 320,
    data: { values: rows },
    layer: [
      {
        mark: { type: 'area', opacity: 0.2 },
        encoding: {
          x: { field: 'x', type: 'quantitative', title: options.xTitle ?? 'step' },
          y: { field: 'min', type: 'quantitative', title: options.yTitle ?? 'value', scale: yScale },
          y2: { field: 'max' },
          color,
        },
      },
      {
        mark: { type: 'line', strokeWidth: 1.8 },
        encoding: {
          x: { field: 'x', type: 'quantitative' },
          y: { field: 'mean', type: 'quantitative', scale: yScale },
          color,
          tooltip: [{ field: 'group' }, { field: 'x' }, { field: 'mean', format: '.4g' }, { field: 'min', format: '.4g' }, { field: 'max', format: '.4g' }, { field: 'n' }],
        },
      },
    ],
    config: { font: 'sans-serif', legend: { symbolOpacity: 1, symbolType: 'stroke', symbolStrokeWidth: 2.5 } },
  } as unknown as TopLevelSpec;
  return renderVegaLiteSvg(spec);
}

/**
 * Mean / min / max of one metric across runs (e.g. seeds), per group and step. Steps where only some
 * runs have a value use the runs that have one (`n` says how many).
 */
export function bandAcrossRuns(runs: readonly { readonly group: string; readonly points: readonly MetricPoint[] }[], key: string): BandSeries[] {
  const groups = new Map<string, Map<number, number[]>>();
  for (const run of runs) {
    let steps = groups.get(run.group);
    if (!steps) groups.set(run.group, (steps = new Map()));
    for (const p of run.points) {
      const v = typeof p.value === 'number' ? p.value : Number(p.value);
      if (p.key !== key || !Number.isFinite(v)) continue;
      let vals = steps.get(p.step);
      if (!vals) steps.set(p.step, (vals = []));
      vals.push(v);
    }
  }
  return [...groups.entries()].map(([label, steps]) => ({
    label,
    points: [...steps.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([x, vals]) => ({ x, mean: vals.reduce((s, v) => s + v, 0) / vals.length, min: Math.min(...vals), max: Math.max(...vals), n: vals.length })),
  }));
}
