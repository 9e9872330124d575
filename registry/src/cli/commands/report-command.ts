import { join } from 'node:path';
import { AnnealError, LocalRunStore, resolveAnnealHome } from '@anneal/core';
import { bootAnneal } from '../../boot.js';
import { formatReport, REPORT_FORMATS, reportHeadline, type ReportFormat } from '../../report/format-report.js';
import { LocalRunSource } from '../../report/local-source.js';
import { MlflowRunSource, mlflowClientFromEnv } from '../../report/mlflow-source.js';
import type { RunSource } from '../../report/report-run.js';
import { recipeFactsFrom } from '../../report/recipe-facts.js';
import { writeReportFiles, type ReportResult } from '../../report/report-artifacts.js';
import { makeReport } from '../../report/run-report.js';
import { REPORT_HELP } from '../help.js';
import { parse } from '../parse.js';

const SOURCES = ['auto', 'local', 'mlflow'] as const;

/** `anneal report <recipe-or-sweep-id> [--format md|csv|json] [--out dir] [--quick|--full] [--source auto|local|mlflow] [--no-plots]`. */
export async function reportCommand(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parse('report', args, {
    format: { type: 'string' },
    out: { type: 'string' },
    quick: { type: 'boolean' },
    full: { type: 'boolean' },
    source: { type: 'string' },
    'no-plots': { type: 'boolean' },
  });
  if (values.help) {
    process.stdout.write(REPORT_HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new AnnealError('ANNEAL_ERR_CLI_USAGE', `report: give one recipe name or sweep id (e.g. anneal report mlp-table1-exp3 --quick, or anneal report <sweep-id>). See 'anneal report --help'.`);
  }
  const format = (values.format ?? 'md') as ReportFormat;
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) throw new AnnealError('ANNEAL_ERR_CLI_USAGE', `report: --format '${values.format}' is not one of ${REPORT_FORMATS.join(', ')}.`);
  const sourceChoice = values.source ?? 'auto';
  if (!(SOURCES as readonly string[]).includes(sourceChoice)) throw new AnnealError('ANNEAL_ERR_CLI_USAGE', `report: --source '${values.source}' is not one of ${SOURCES.join(', ')}.`);
  if (values.quick && values.full) throw new AnnealError('ANNEAL_ERR_CLI_USAGE', 'report: --quick and --full exclude each other.');
  const target = positionals[0];
  const { recipes, plugins: pluginCatalog } = await bootAnneal({ env, tracker: new LocalRunStore(resolveAnnealHome(env)) });
  const recipeFacts = recipeFactsFrom(recipes, pluginCatalog);
  const knownRecipes = recipes.list().map((r) => r.name);
  const local = new LocalRunSource(new LocalRunStore(resolveAnnealHome(env)));
  const quick = values.quick ? true : values.full ? false : undefined;
  const plots = !values['no-plots'];

  let result: ReportResult | undefined;
  let source: RunSource = local;
  const client = sourceChoice === 'local' ? undefined : mlflowClientFromEnv(env);
  if (sourceChoice === 'mlflow' && !client) {
    throw new AnnealError('ANNEAL_ERR_TRACKING', 'report: --source mlflow needs MLFLOW_TRACKING_URI=http(s)://… (start a server with anneal mlflow up).');
  }
  if (client) {
    const mlflowSource = new MlflowRunSource(client, { experimentId: env.MLFLOW_EXPERIMENT_ID || undefined, experimentName: env.MLFLOW_EXPERIMENT_NAME || undefined });
    try {
      result = await makeReport({ source: mlflowSource, target, quick, recipeFacts, plots, knownRecipes });
      source = mlflowSource;
    } catch (error) {
      if (sourceChoice === 'mlflow') throw error;
      process.stderr.write(`anneal: report from MLflow at ${client.trackingUri} failed (${(error as Error).message.split('\n')[0]}); using the local store instead.\n`);
    }
  }
  result ??= await makeReport({ source: local, target, quick, recipeFacts, plots, knownRecipes });
  const dir = values.out ?? join(resolveAnnealHome(env), 'reports', `${result.report.target.id}${result.report.quick ? '-quick' : ''}`);
  const written = writeReportFiles(dir, result, format);
  process.stdout.write(formatReport(result.report, format, result.plots.map((p) => join(dir, p.name))));
  process.stderr.write(`anneal: ${reportHeadline(result.report)}\nanneal: report (${source.kind}) written to ${dir}: ${written.map((p) => p.slice(dir.length + 1)).join(', ')}\n`);
  return 0;
}
