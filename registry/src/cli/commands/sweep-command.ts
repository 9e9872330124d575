import { join } from 'node:path';
import { AnnealError, LocalRunStore, resolveAnnealHome } from '@anneal/core';
import { selectBackend } from '../../backend/select-backend.js';
import { bootAnneal } from '../../boot.js';
import { parseSetArg } from '../../recipes/set-override.js';
import { resolveRecipeArg } from '../../catalog/resolve-recipe-arg.js';
import { formatMarkdown } from '../../report/format-report.js';
import { writeReportFiles } from '../../report/report-artifacts.js';
import { runSweep } from '../../sweep/run-sweep.js';
import { readSweepManifest } from '../../report/sweep-manifest.js';
import { SWEEP_HELP } from '../help.js';
import { parse, toList } from '../parse.js';
import { checkQueueReachable, queueUrlFrom } from '../../queue/queue-url.js';
import { queueSweepOptions } from '../../queue/queue-sweep.js';
import { requireMlflow } from '../../queue/queue-worker.js';
import { formatSweepStatus, queuedSweepStatus } from '../../queue/sweep-status.js';
import { parseShard } from '../../sweep/shards.js';

/** `anneal sweep <recipe> [--quick] [--workers N] [--resume <sweep-id>] [--set k=v]… [--seed N]… [--backend b] [--json]`. */
export async function sweepCommand(args: readonly string[], io: { signal: AbortSignal; env: NodeJS.ProcessEnv }): Promise<number> {
  const { values, positionals } = parse('sweep', args, {
    quick: { type: 'boolean' },
    workers: { type: 'string', short: 'j' },
    resume: { type: 'string' },
    seed: { type: 'string', multiple: true },
    variant: { type: 'string', multiple: true },
    set: { type: 'string', multiple: true },
    plugin: { type: 'string', multiple: true },
    backend: { type: 'string' },
    json: { type: 'boolean' },
    verbose: { type: 'boolean', short: 'v' },
    out: { type: 'string' },
    'no-plots': { type: 'boolean' },
    queue: { type: 'string' },
    detach: { type: 'boolean' },
    status: { type: 'string' },
    shard: { type: 'string' },
    retries: { type: 'string' },
    'retry-backoff': { type: 'string' },
  });
  if (values.help) {
    process.stdout.write(SWEEP_HELP);
    return 0;
  }
  const queue = queueUrlFrom(values.queue, io.env);
  if (values.status !== undefined) {
    if (!queue) throw new AnnealError('ANNEAL_ERR_CLI_USAGE', 'sweep --status <sweep-id> reads the queue: give --queue redis://host:port (or set ANNEAL_QUEUE_URL).');
    const status = await queuedSweepStatus(queue, values.status);
    process.stdout.write(values.json ? `${JSON.stringify(status, null, 2)}\n` : formatSweepStatus(status));
    return 0;
  }
  if (values.detach && !queue) throw new AnnealError('ANNEAL_ERR_CLI_USAGE', 'sweep: --detach needs --queue (the trials run on anneal worker processes while nothing waits here).');
  if (values.shard !== undefined && (queue || values.resume)) throw new AnnealError('ANNEAL_ERR_CLI_USAGE', 'sweep: --shard is for schedulers without a queue (a SLURM array, a Kubernetes Indexed Job); drop --queue / --resume.');
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  const count = (flag: string, fallback: number) => {
    const v = values[flag] === undefined ? fallback : Number(values[flag]);
    if (!Number.isInteger(v) || v < 0) throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `--${flag} '${values[flag]}' is not allowed; it must be an integer ≥ 0.`);
    return v;
  };
  const retry = { retries: count('retries', 2), backoffMs: count('retry-backoff', 2000) };
  // Checked before anything starts: the MLflow server every worker tracks to, and Redis.
  const mlflow = queue ? requireMlflow(io.env, 'anneal sweep') : undefined;
  if (queue) await checkQueueReachable(queue);
  if (positionals.length > 1 || (!values.resume && positionals.length !== 1)) {
    throw new AnnealError('ANNEAL_ERR_CLI_USAGE', `sweep: give one recipe name (e.g. anneal sweep mlp-table1-exp3 --quick --workers 2), or --resume <sweep-id>. See 'anneal recipes ls'.`);
  }
  if (values.resume && (values.quick || values.set || values.seed || values.variant || values.plugin)) {
    throw new AnnealError('ANNEAL_ERR_CLI_USAGE', `sweep: --resume continues the sweep exactly as planned; --quick, --set, --seed, --variant and --plugin cannot change it (start a new sweep instead).`);
  }
  let workers: number | undefined;
  if (values.workers !== undefined) {
    workers = Number(values.workers);
    if (!Number.isInteger(workers) || workers < 1) throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `--workers '${values.workers}' is not allowed; it must be an integer ≥ 1 (e.g. --workers 2).`);
  }
  const seeds = toList(values.seed).map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0) throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `--seed '${s}' is not allowed; it must be a non-negative integer (e.g. --seed 1).`);
    return n;
  });
  const sets = toList(values.set).map(parseSetArg);
  let pluginModules = toList(values.plugin);
  if (values.resume) {
    // A resumed sweep loads the plugin modules it was started with.
    const store = new LocalRunStore(resolveAnnealHome(io.env));
    const id = store.resolveRunId(values.resume);
    pluginModules = [...readSweepManifest(store.artifactsDir(id), id).pluginModules];
  }
  const booted = await bootAnneal({ pluginModules, env: io.env });
  try {
    const requested = values.backend ?? (values.resume ? undefined : io.env.ANNEAL_BACKEND ?? 'auto');
    const backend = requested === undefined ? undefined : (await selectBackend(requested)).name;
    const result = await runSweep(booted, {
      recipe: values.resume ? positionals[0] : positionals[0] === undefined ? undefined : await resolveRecipeArg(positionals[0], booted),
      resume: values.resume,
      quick: values.quick,
      seeds: seeds.length ? seeds : undefined,
      variants: toList(values.variant),
      sets,
      pluginModules: values.resume ? undefined : pluginModules,
      backend,
      workers,
      signal: io.signal,
      env: io.env,
      verbose: values.verbose,
      plots: !values['no-plots'],
      shard,
      ...(queue && mlflow ? queueSweepOptions({ connection: queue, mlflow, retry, detach: values.detach }) : {}),
    });
    if (result.detached) {
      process.stderr.write(
        `anneal: sweep ${result.sweepId}: ${result.counts.total} trials handed to the queue at ${queue?.safeUrl}; follow with 'anneal sweep --status ${result.sweepId} --queue …', report with 'anneal report ${result.sweepId}' (MLflow), or wait and finish it here with 'anneal sweep --resume ${result.sweepId} --queue …'.\n`,
      );
      return 0;
    }
    const plots = result.report?.plots.map((p) => join(result.artifactsDir, 'plots', p.name)) ?? [];
    if (values.out && result.report) {
      const written = writeReportFiles(values.out, result.report);
      process.stderr.write(`anneal: report written to ${values.out}: ${written.length} files\n`);
    }
    if (values.json) {
      process.stdout.write(
        `${JSON.stringify(
          {
            sweepId: result.sweepId,
            recipe: result.recipe,
            quick: result.quick,
            status: result.status,
            workers: result.workers,
            counts: result.counts,
            trials: result.trials.map((t) => ({ id: t.trial.id, label: t.trial.label, variant: t.trial.variant, setting: t.trial.setting, seed: t.trial.seed, restart: t.trial.restart, status: t.status, runId: t.runId, resumed: t.resumed, message: t.message, final: t.outcome?.final })),
            summary: result.report && { metric: result.report.report.summary.metric, rows: result.report.report.summary.rows, table: result.report.report.summary.table },
            artifactsDir: result.artifactsDir,
            plots,
            timing: result.timing,
            resumeCommand: result.resumeCommand,
          },
          (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
          2,
        )}\n`,
      );
    } else if (result.report) {
      process.stdout.write(`\n${formatMarkdown(result.report.report, plots)}`);
    }
    const c = result.counts;
    process.stderr.write(
      `anneal: sweep ${result.sweepId} ${result.status}: ${c.finished} finished${c.skipped ? ` (+${c.skipped} from before)` : ''}, ${c.failed} failed${c.killed ? `, ${c.killed} killed` : ''}${c.notRun ? `, ${c.notRun} not run` : ''} in ${((result.timing.endedAt - result.timing.startedAt) / 1000).toFixed(1)} s; summary and plots in ${result.artifactsDir}\n`,
    );
    if (result.resumeCommand) process.stderr.write(`anneal: ${result.status === 'KILLED' ? 'interrupted' : 'unfinished trials remain'}; resume with: ${result.resumeCommand}\n`);
    if (io.signal.aborted || result.status === 'KILLED') return 130;
    return result.status === 'FINISHED' ? 0 : 1;
  } finally {
    await booted.tracker.close();
  }
}
