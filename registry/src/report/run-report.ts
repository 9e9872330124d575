import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RecipeCatalog } from '../catalog/recipe-catalog.js';
import { resolveBase } from '../trials/resolve-trials.js';
import { buildReport, collectRuns, type Report } from './build-report.js';
import { formatCsv, formatJson, formatMarkdown, type ReportFormat } from './format-report.js';
import { renderReportPlots, type ReportPlot } from './report-plots.js';
import type { RecipeFacts, RunSource } from './report-run.js';

/** Recipe facts (paper numbers, restart selection, version) from the registered recipes. */
export function recipeFactsFrom(recipes: RecipeCatalog): (name: string, quick: boolean) => RecipeFacts | undefined {
  return (name, quick) => {
    if (!recipes.has(name)) return undefined;
    const recipe = recipes.get(name);
    const base = quick && recipe.quick ? resolveBase(recipe, true) : recipe;
    return { name: recipe.name, version: recipe.version, description: recipe.description, paper: base.paper, restarts: base.restarts };
  };
}

export interface ReportRequest {
  readonly source: RunSource;
  /** A recipe name or a sweep (parent) run id / unique prefix. */
  readonly target: string;
  readonly quick?: boolean;
  readonly recipeFacts?: (name: string, quick: boolean) => RecipeFacts | undefined;
  /** Render the plots (default true). */
  readonly plots?: boolean;
  /** Built by the running sweep itself. */
  readonly liveSweep?: boolean;
  readonly knownRecipes?: readonly string[];
}

export interface ReportResult {
  readonly report: Report;
  readonly plots: readonly ReportPlot[];
}

/** Collects the runs, builds the tables and renders the plots. */
export async function makeReport(req: ReportRequest): Promise<ReportResult> {
  const collected = await collectRuns(req.source, req.target, { quick: req.quick, recipeFacts: req.recipeFacts, liveSweep: req.liveSweep, knownRecipes: req.knownRecipes });
  const report = buildReport(collected);
  const plots = req.plots === false ? [] : await renderReportPlots(report, req.source);
  return { report, plots };
}

/** File names of a report written to a directory. */
export const REPORT_FILES = { md: 'report.md', csv: 'report.csv', json: 'report.json' } as const;

/**
 * Writes the report in every format (report.md / .csv / .json) and the plots (SVG) into `dir`;
 * returns the paths written, the requested format's file first.
 */
export function writeReportFiles(dir: string, result: ReportResult, format: ReportFormat = 'md'): string[] {
  const abs = resolve(dir);
  mkdirSync(abs, { recursive: true });
  const plotNames = result.plots.map((p) => p.name);
  const written: string[] = [];
  const files: [ReportFormat, string][] = [
    ['md', formatMarkdown(result.report, plotNames)],
    ['csv', formatCsv(result.report)],
    ['json', formatJson(result.report, plotNames)],
  ];
  for (const [f, text] of files.sort((a, b) => Number(b[0] === format) - Number(a[0] === format))) {
    const path = join(abs, REPORT_FILES[f]);
    writeFileSync(path, text);
    written.push(path);
  }
  for (const p of result.plots) {
    const path = join(abs, p.name);
    writeFileSync(path, p.svg);
    written.push(path);
  }
  return written;
}


