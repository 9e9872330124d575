import { buildReport } from './build-report.js';
import { collectRuns, type Collected } from './collect-runs.js';
import type { ReportResult } from './report-artifacts.js';
import { renderReportPlots } from './report-plots.js';
import type { RecipeFacts, RunSource } from './report-run.js';

export interface ReportRequest {
  readonly source: RunSource;
  /** A recipe name or a sweep (parent) run id / unique prefix. */
  readonly target: string;
  readonly quick?: boolean;
  readonly recipeFacts?: (name: string, quick: boolean) => RecipeFacts | undefined;
  /** Use these recipe facts whatever the source recorded. */
  readonly facts?: RecipeFacts;
  /** Render the plots (default true). */
  readonly plots?: boolean;
  /** Built by the running sweep itself. */
  readonly liveSweep?: boolean;
  readonly knownRecipes?: readonly string[];
}

/**
 * The one report pipeline: collected runs → buildReport (the recipe's layout) → plots. `anneal report`
 * and `anneal sweep` call it with a source and a target; `anneal run` with the runs it just made.
 */
export async function makeReport(req: ReportRequest): Promise<ReportResult> {
  const collected = await collectRuns(req.source, req.target, { quick: req.quick, recipeFacts: req.recipeFacts, facts: req.facts, liveSweep: req.liveSweep, knownRecipes: req.knownRecipes });
  return reportOf(collected, req.plots === false ? undefined : req.source);
}

/** Builds the report of collected runs and, given a source for their curves, renders its plots. */
export async function reportOf(collected: Collected, curves?: RunSource): Promise<ReportResult> {
  const report = buildReport(collected);
  if (!curves) return { report, plots: [] };
  try {
    return { report, plots: await renderReportPlots(report, curves) };
  } catch (error) {
    return { report: { ...report, notes: [...report.notes, `the plots could not be rendered: ${(error as Error).message}`] }, plots: [] };
  }
}
