import { AnnealError, LocalRunStore, localProbe, resolveAnnealHome } from '@anneal/core';
import { formatTable } from '../format-table.js';
import { RUNS_HELP } from '../help.js';
import { parse } from '../parse.js';

const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);

/** `anneal runs ls|show` over the local run store. */
export async function runsCommand(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parse('runs', args, { json: { type: 'boolean' }, recipe: { type: 'string' }, limit: { type: 'string' } });
  const [sub, id] = positionals;
  if (values.help || !sub) {
    out(RUNS_HELP);
    return values.help ? 0 : 2;
  }
  const store = new LocalRunStore(resolveAnnealHome(env));
  // The stored status stays as written (resume relies on it); `state` says whether a RUNNING run's
  // process is still there (DEAD: gone from this host, STALE: no heartbeat lately).
  const probe = localProbe();
  const all = store.listRuns();
  const stateOf = (m: (typeof all)[number]) => {
    const { state, reason } = store.runState(m, probe, all);
    return reason ? { state, stateReason: reason } : { state };
  };
  if (sub === 'ls') {
    let runs = all;
    if (values.recipe) runs = runs.filter((r) => r.recipe === values.recipe);
    const limit = values.limit ? Number(values.limit) : undefined;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `--limit '${values.limit}' must be a positive integer.`);
    if (limit) runs = runs.slice(0, limit);
    const rows = runs.map((m) => {
      const tags = store.readTags(m.runId);
      const final = tags['anneal.final'] ? (JSON.parse(tags['anneal.final']) as Record<string, number>) : {};
      return { ...m, ...stateOf(m), final };
    });
    if (values.json) out(JSON.stringify(rows, null, 2));
    else
      out(
        formatTable(
          ['run', 'status', 'started', 'recipe', 'name', 'backend', 'test acc'],
          rows.map((r) => [r.runId.slice(0, 12), r.state, new Date(r.startTime).toISOString().replace('T', ' ').slice(0, 19), r.recipe, r.runName, r.backend, r.final['test/accuracy'] !== undefined ? `${(r.final['test/accuracy'] * 100).toFixed(2)}%` : '']),
        ) + `\n(${rows.length} runs in ${store.runsDir})`,
      );
    return 0;
  }
  if (sub === 'show') {
    if (!id) throw new AnnealError('ANNEAL_ERR_CLI_USAGE', 'runs show: give a run id (or a unique prefix). See anneal runs ls.');
    const runId = store.resolveRunId(id);
    const run = store.readRun(runId);
    const observed = stateOf(run.meta);
    const keys = [...new Set(run.metrics.map((p) => p.key))].sort();
    const latest = Object.fromEntries(keys.map((k) => {
      const pts = run.metrics.filter((p) => p.key === k);
      return [k, { count: pts.length, last: pts[pts.length - 1].value, lastStep: pts[pts.length - 1].step }];
    }));
    if (values.json) out(JSON.stringify({ meta: run.meta, ...observed, params: run.params, tags: run.tags, metrics: latest, artifacts: store.listArtifacts(runId) }, null, 2));
    else {
      out(`run ${runId}  ${observed.state}  ${run.meta.runName}`);
      if (observed.stateReason) out(`state ${observed.state} (stored status ${run.meta.status}): ${observed.stateReason}`);
      if (run.meta.statusFromChildren) out(`status ${run.meta.status} follows its children (its own process had ended)`);
      out(`recipe ${run.meta.recipe}  seed ${run.meta.seed}  backend ${run.meta.backend}  git ${run.meta.gitCommit ?? '-'}${run.meta.parentRunId ? `  parent ${run.meta.parentRunId}` : ''}`);
      out(`started ${new Date(run.meta.startTime).toISOString()}${run.meta.endTime ? `  ended ${new Date(run.meta.endTime).toISOString()}` : ''}${run.meta.error ? `\nerror: ${run.meta.error}` : ''}`);
      out('\nmetrics (last value, points):');
      out(formatTable(['key', 'last', 'step', 'points'], Object.entries(latest).map(([k, v]) => [k, String(v.last), String(v.lastStep), String(v.count)])));
      out(`\nparams: ${Object.keys(run.params).length} (see --json)   artifacts: ${store.listArtifacts(runId).join(', ') || '-'}`);
    }
    return 0;
  }
  throw new AnnealError('ANNEAL_ERR_CLI_USAGE', `runs: unknown subcommand '${sub}'; use ls or show.`);
}
