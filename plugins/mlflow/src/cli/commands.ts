import { AnnealError, isAnnealError } from '@anneal/core';
import { listModels, registerModel } from '../registry/register-model.js';
import { syncRuns } from '../sync/sync-runs.js';
import { runMlflowUp } from './mlflow-up.js';

/** Where the CLI handlers write; defaults to the process streams. */
export interface CliIo {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly out?: (line: string) => void;
  readonly err?: (line: string) => void;
}

const MLFLOW_USAGE = `usage:
  anneal mlflow up [--port P] [--host H] [--verbose]
      Start a local MLflow server (SQLite + artifacts under .anneal/mlflow) and print the URI to export.
  anneal mlflow sync [run-id ...] [--json]
      Deliver spooled runs to MLFLOW_TRACKING_URI (all runs not fully delivered, or the given ones).
      Idempotent: running it again adds no duplicate runs, params or metric rows.`;

const MODELS_USAGE = `usage:
  anneal models register <run-id> <NAME> [--alias A] [--description TEXT]
      Register the run's model/ artifacts as a new version of NAME and point alias A at it.
  anneal models ls [--json]
      List registered models, their versions and aliases.`;

interface Parsed {
  positional: string[];
  flags: Record<string, string | true>;
}

function parseArgs(args: readonly string[], valued: readonly string[]): Parsed {
  const positional: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (eq > 0) flags[name] = a.slice(eq + 1);
      else if (valued.includes(name)) {
        const v = args[i + 1];
        if (v === undefined || v.startsWith('--')) throw new AnnealError('ANNEAL_ERR_CLI_USAGE', `--${name} needs a value`);
        flags[name] = v;
        i++;
      } else flags[name] = true;
    } else positional.push(a);
  }
  return { positional, flags };
}

function checkFlags(parsed: Parsed, allowed: readonly string[]): void {
  for (const f of Object.keys(parsed.flags)) {
    if (!allowed.includes(f)) throw new AnnealError('ANNEAL_ERR_CLI_USAGE', `unknown option --${f} (allowed: ${allowed.map((a) => `--${a}`).join(', ') || 'none'})`);
  }
}

function io(ioOpts: CliIo) {
  return {
    env: ioOpts.env ?? process.env,
    cwd: ioOpts.cwd ?? process.cwd(),
    out: ioOpts.out ?? ((l: string) => process.stdout.write(`${l}\n`)),
    err: ioOpts.err ?? ((l: string) => process.stderr.write(`${l}\n`)),
  };
}

function fail(error: unknown, err: (l: string) => void, usage: string): number {
  if (isAnnealError(error, 'ANNEAL_ERR_CLI_USAGE')) {
    err(error.message);
    err(usage);
    return 2;
  }
  err(error instanceof Error ? error.message : String(error));
  return 1;
}

/** Runs `fn` with an AbortSignal that SIGINT / SIGTERM abort (handlers removed afterwards). */
async function withInterrupt<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const onSignal = () => ac.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await fn(ac.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** `anneal mlflow <up|sync> ...`; returns the process exit code (0 ok, 1 failure, 2 usage). */
export async function runMlflowCommand(args: readonly string[], ioOpts: CliIo = {}): Promise<number> {
  const { env, cwd, out, err } = io(ioOpts);
  const [sub, ...rest] = args;
  try {
    switch (sub) {
      case 'up': {
        const p = parseArgs(rest, ['port', 'host']);
        checkFlags(p, ['port', 'host', 'verbose']);
        if (p.positional.length) throw new AnnealError('ANNEAL_ERR_CLI_USAGE', `unexpected argument '${p.positional[0]}'`);
        const port = p.flags.port === undefined ? 5000 : Number(p.flags.port);
        if (!Number.isInteger(port) || port < 1 || port > 65535) throw new AnnealError('ANNEAL_ERR_CLI_USAGE', `--port must be an integer in 1..65535, got '${String(p.flags.port)}'`);
        return await withInterrupt((signal) =>
          runMlflowUp({ port, host: typeof p.flags.host === 'string' ? p.flags.host : undefined, env, cwd, out, err, signal, verbose: p.flags.verbose === true }),
        );
      }
      case 'sync': {
        const p = parseArgs(rest, []);
        checkFlags(p, ['json']);
        const report = await withInterrupt((signal) => syncRuns({ env, runIds: p.positional, signal, log: (l) => err(`[mlflow] ${l}`) }));
        if (p.flags.json) {
          out(JSON.stringify(report, null, 2));
        } else {
          if (report.runs.length === 0) out(`nothing to sync: every run is already in ${report.trackingUri}`);
          for (const r of report.runs) {
            const what = `${r.sent.metrics} metrics, ${r.sent.params} params, ${r.sent.tags} tags, ${r.sent.artifacts} artifacts sent`;
            if (r.skipped) out(`${r.runId}  skipped: ${r.skipped}`);
            else if (r.error) out(`${r.runId}  FAILED (${r.error}); still pending: ${r.pending}`);
            else if (r.complete) out(`${r.runId}  ${r.status}  ${what}  → ${r.url}`);
            else out(`${r.runId}  ${r.status}${r.status === 'RUNNING' ? ' (still running locally)' : ''}  ${what}; pending: ${r.pending}  → ${r.url ?? ''}`);
          }
        }
        return report.ok ? 0 : 1;
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out(MLFLOW_USAGE);
        return sub === undefined ? 2 : 0;
      default:
        throw new AnnealError('ANNEAL_ERR_CLI_USAGE', `unknown command 'anneal mlflow ${sub}'`);
    }
  } catch (error) {
    return fail(error, err, MLFLOW_USAGE);
  }
}

/** `anneal models <register|ls> ...`; returns the process exit code. */
export async function runModelsCommand(args: readonly string[], ioOpts: CliIo = {}): Promise<number> {
  const { env, out, err } = io(ioOpts);
  const [sub, ...rest] = args;
  try {
    switch (sub) {
      case 'register': {
        const p = parseArgs(rest, ['alias', 'description']);
        checkFlags(p, ['alias', 'description', 'json']);
        if (p.positional.length !== 2) throw new AnnealError('ANNEAL_ERR_CLI_USAGE', 'models register needs <run-id> and <NAME>');
        const [runId, name] = p.positional;
        const r = await withInterrupt((signal) =>
          registerModel({
            env,
            runId,
            name,
            alias: typeof p.flags.alias === 'string' ? p.flags.alias : undefined,
            description: typeof p.flags.description === 'string' ? p.flags.description : undefined,
            signal,
            log: (l) => err(`[mlflow] ${l}`),
          }),
        );
        if (p.flags.json) out(JSON.stringify(r, null, 2));
        else out(`${r.reused ? 'already registered' : 'registered'}: ${r.name} version ${r.version}${r.alias ? ` (alias '${r.alias}')` : ''} from run ${r.localRunId} → ${r.url}`);
        return 0;
      }
      case 'ls': {
        const p = parseArgs(rest, []);
        checkFlags(p, ['json']);
        const models = await withInterrupt((signal) => listModels({ env, signal, log: (l) => err(`[mlflow] ${l}`) }));
        if (p.flags.json) {
          out(JSON.stringify(models, null, 2));
          return 0;
        }
        if (models.length === 0) {
          out('no registered models');
          return 0;
        }
        for (const m of models) {
          const aliasText = Object.entries(m.aliases)
            .map(([a, v]) => `@${a}→v${v}`)
            .join(' ');
          out(`${m.name}  ${m.versions.length} version${m.versions.length === 1 ? '' : 's'}${aliasText ? `  ${aliasText}` : ''}`);
          for (const v of m.versions) {
            const when = v.created ? new Date(v.created).toISOString().slice(0, 19).replace('T', ' ') : '';
            out(`  v${v.version}  ${v.status ?? ''}  run ${v.runId ?? '-'}  ${when}${v.aliases.length ? `  ${v.aliases.map((a) => `@${a}`).join(' ')}` : ''}`);
          }
        }
        return 0;
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out(MODELS_USAGE);
        return sub === undefined ? 2 : 0;
      default:
        throw new AnnealError('ANNEAL_ERR_CLI_USAGE', `unknown command 'anneal models ${sub}'`);
    }
  } catch (error) {
    return fail(error, err, MODELS_USAGE);
  }
}
