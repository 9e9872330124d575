import type { MetricPoint } from '@anneal/core';
import type { TopLevelSpec } from 'vega-lite';
import { renderVegaLiteSvg } from './render.js';

export type KeySelector = readonly string[] | ((key: string) => boolean);

export interface TrainingCurveOptions {
  readonly title?: string;
  /** Keys of the loss panel (default: keys containing "loss"). */
  readonly lossKeys?: KeySelector;
  /** Keys of the accuracy panel (default: keys containing "acc" or "error"). */
  readonly accuracyKeys?: KeySelector;
  /** Log scale for the loss axis: 'auto' (default) uses it when all losses are > 0 and span ≥ 2 decades. */
  readonly logLoss?: boolean | 'auto';
  /** Panel size in px (default 640 × 220). */
  readonly width?: number;
  readonly height?: number;
  /** Longest series kept per key; longer ones are thinned evenly, keeping the last point (default 2000). */
  readonly maxPointsPerSeries?: number;
}

function selector(sel: KeySelector | undefined, fallback: (key: string) => boolean): (key: string) => boolean {
  if (!sel) return fallback;
  if (typeof sel === 'function') return sel;
  const set = new Set(sel);
  return (k) => set.has(k);
}

/** Evenly thins `rows` to at most `max`, always keeping the first and the last. */
export function thin<T>(rows: readonly T[], max: number): T[] {
  if (rows.length <= max || max < 2) return [...rows];
  const out: T[] = [];
  const stride = (rows.length - 1) / (max - 1);
  for (let i = 0; i < max; i++) out.push(rows[Math.round(i * stride)]);
  return out;
}

interface Row {
  key: string;
  step: number;
  value: number;
}

function series(points: readonly MetricPoint[], pick: (key: string) => boolean, max: number): Row[] {
  const byKey = new Map<string, Row[]>();
  for (const p of points) {
    const value = typeof p.value === 'number' ? p.value : Number(p.value);
    if (!pick(p.key) || !Number.isFinite(value) || Math.abs(value) >= 1e300) continue;
    let rows = byKey.get(p.key);
    if (!rows) byKey.set(p.key, (rows = []));
    rows.push({ key: p.key, step: p.step, value });
  }
  const out: Row[] = [];
  for (const key of [...byKey.keys()].sort()) {
    const rows = byKey.get(key)!.sort((a, b) => a.step - b.step);
    out.push(...thin(rows, max));
  }
  return out;
}

function panel(rows: Row[], title: string, yTitle: string, width: number, height: number, log: boolean): object {
  const sparse = rows.length > 0 && rows.length / new Set(rows.map((r) => r.key)).size <= 60;
  return {
    title,
    width,
    height,
    data: { values: rows },
    mark: { type: 'line', point: sparse, interpolate: 'linear', strokeWidth: 1.5 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step' },
      y: { field: 'value', type: 'quantitative', title: yTitle, scale: log ? { type: 'log' } : { zero: false } },
      color: { field: 'key', type: 'nominal', title: 'metric' },
      tooltip: [{ field: 'key' }, { field: 'step' }, { field: 'value', format: '.4g' }],
    },
  };
}

/**
 * A training-curve plot (SVG, via Vega-Lite): loss vs step on top, accuracy / error vs step below.
 * Non-finite values are left out (they are in the metric history). Panels without data are omitted.
 */
export async function renderTrainingCurves(points: readonly MetricPoint[], options: TrainingCurveOptions = {}): Promise<string> {
  const width = options.width ?? 640;
  const height = options.height ?? 220;
  const max = options.maxPointsPerSeries ?? 2000;
  const lossRows = series(points, selector(options.lossKeys, (k) => /loss/i.test(k)), max);
  const accRows = series(points, selector(options.accuracyKeys, (k) => /acc|error/i.test(k)), max);
  const panels: object[] = [];
  if (lossRows.length) {
    const values = lossRows.map((r) => r.value);
    const min = Math.min(...values);
    const maxV = Math.max(...values);
    const log = options.logLoss === 'auto' || options.logLoss === undefined ? min > 0 && maxV / min >= 100 : options.logLoss && min > 0;
    panels.push(panel(lossRows, 'loss', log ? 'loss (log scale)' : 'loss', width, height, log));
  }
  if (accRows.length) panels.push(panel(accRows, 'accuracy / error', 'value', width, height, false));
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title ?? 'training curves',
    ...(panels.length
      ? { vconcat: panels, resolve: { scale: { color: 'independent' } } }
      : { width, height, data: { values: [{ text: 'no finite loss or accuracy metrics' }] }, mark: 'text', encoding: { text: { field: 'text' } } }),
    config: { font: 'sans-serif', legend: { orient: 'right' } },
  } as unknown as TopLevelSpec;
  return renderVegaLiteSvg(spec);
}
