import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { MetricPoint } from '@anneal/core';
import type { Report } from './build-report.js';
import { formatCsv, formatJson, formatMarkdown, type ReportFormat } from './format-report.js';
import type { ReportPlot } from './report-plots.js';

/** A built report and its rendered plots. */
export interface ReportResult {
  readonly report: Report;
  readonly plots: readonly ReportPlot[];
}

/** File names of a report: in a run's artifacts (summary.* + plots/) or in a directory of its own (report.* beside the plots). */
export const REPORT_FILE_NAMES = {
  artifacts: { md: 'summary.md', csv: 'summary.csv', json: 'summary.json', plots: 'plots/' },
  directory: { md: 'report.md', csv: 'report.csv', json: 'report.json', plots: '' },
} as const;
export type ReportFileNames = keyof typeof REPORT_FILE_NAMES;

/** The files of a report (relative path → text): md, csv and json (`first` first), then the plots (SVG). */
export function reportFiles(result: ReportResult, names: ReportFileNames, first: ReportFormat = 'md'): [string, string][] {
  const n = REPORT_FILE_NAMES[names];
  const plotPaths = result.plots.map((p) => `${n.plots}${p.name}`);
  const texts: [ReportFormat, string][] = [
    ['md', formatMarkdown(result.report, plotPaths)],
    ['csv', formatCsv(result.report)],
    ['json', formatJson(result.report, plotPaths)],
  ];
  texts.sort((a, b) => Number(b[0] === first) - Number(a[0] === first));
  return [...texts.map(([f, text]): [string, string] => [n[f], text]), ...result.plots.map((p, i): [string, string] => [plotPaths[i], p.svg])];
}

/** The main table's numbers as metrics of the parent / sweep run: summary/<arm>/<column>, step 0. */
export function summaryMetricPoints(report: Report, timestamp = Date.now()): MetricPoint[] {
  return report.summary.rows.flatMap((r) =>
    Object.entries(r.ours)
      .filter(([, v]) => Number.isFinite(v))
      .map(([k, v]) => ({ key: `summary/${r.variant}/${k.replace(/[^\w./ -]/g, '_')}`, value: v, step: 0, timestamp })),
  );
}

/** Where a tracked run's report goes: the run's artifacts (and its metrics). */
export interface ReportSink {
  logArtifact(relPath: string, data: string): Promise<void>;
  logMetrics(points: readonly MetricPoint[]): Promise<void>;
}

/** Writes summary.md/.csv/.json and plots/*.svg to a run's artifacts and the main table's numbers as its metrics. */
export async function writeReportArtifacts(sink: ReportSink, result: ReportResult): Promise<void> {
  for (const [path, text] of reportFiles(result, 'artifacts')) await sink.logArtifact(path, text);
  const points = summaryMetricPoints(result.report);
  if (points.length) await sink.logMetrics(points);
}

/** Writes report.md/.csv/.json and the plots into `dir`; returns the absolute paths, the `format` file first. */
export function writeReportFiles(dir: string, result: ReportResult, format: ReportFormat = 'md'): string[] {
  const abs = resolve(dir);
  return reportFiles(result, 'directory', format).map(([rel, text]) => {
    const path = join(abs, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    return path;
  });
}
