import { AnnealError, describeSchema, type Recipe } from '@anneal/core';
import { bootAnneal } from '../../boot.js';
import { resolveRecipeArg } from '../../catalog/resolve-recipe-arg.js';
import { expandTrials, resolveBase } from '../../trials/resolve-trials.js';
import { formatTable } from '../format-table.js';
import { PLUGINS_HELP, RECIPES_HELP } from '../help.js';
import { parse, toList } from '../parse.js';

const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);

/** `anneal recipes ls|show`: registered recipes, those of the project file and plugin packages, and recipe files. */
export async function recipesCommand(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parse('recipes', args, { json: { type: 'boolean' }, quick: { type: 'boolean' }, trials: { type: 'boolean' }, plugin: { type: 'string', multiple: true } });
  const [sub, name] = positionals;
  if (values.help || !sub) {
    out(RECIPES_HELP);
    return values.help ? 0 : 2;
  }
  const booted = await bootAnneal({ env, pluginModules: toList(values.plugin) });
  const { recipes } = booted;
  if (sub === 'ls') {
    const list = recipes.list();
    if (values.json) out(JSON.stringify(list.map((r) => ({ name: r.name, version: r.version, description: r.description, model: r.model.name, dataset: r.dataset.name, runs: expandTrials(r).length, quickRuns: r.quick ? expandTrials(r, { quick: true }).length : null, tags: r.tags ?? [], source: recipes.source(r.name) })), null, 2));
    else out(formatTable(['recipe', 'v', 'model', 'dataset', 'runs (full/quick)', 'source', 'description'], list.map((r) => [r.name, String(r.version), r.model.name, r.dataset.name, `${expandTrials(r).length}/${r.quick ? expandTrials(r, { quick: true }).length : '–'}`, recipes.source(r.name) ?? '', r.description])));
    return 0;
  }
  if (sub === 'show') {
    if (!name) throw new AnnealError('ANNEAL_ERR_CLI_USAGE', 'recipes show: give a recipe name or a recipe file. See anneal recipes ls.');
    const recipe = await resolveRecipeArg(name, booted);
    // With --quick the quick patch is applied and dropped, so the printed recipe runs as the quick variant.
    const base: Recipe = values.quick ? resolveBase(recipe, true) : recipe;
    const trials = expandTrials(recipe, { quick: values.quick });
    const trialRows = trials.map((t) => ({ id: t.id, label: t.label, variant: t.variant, setting: t.setting, seed: t.seed }));
    if (values.json) out(JSON.stringify(values.trials ? trialRows : base, null, 2));
    else {
      out(`${recipe.name} v${recipe.version}${values.quick ? ' (quick)' : ''}  (${recipes.source(recipe.name) ?? 'builtin'})\n${recipe.description}\n`);
      out(JSON.stringify(base, null, 2));
      out(`\n${trials.length} runs:`);
      out(formatTable(['trial', 'variant', 'setting', 'seed'], trials.slice(0, 50).map((t) => [t.id, t.variant ?? '', JSON.stringify(t.setting), String(t.seed)])) + (trials.length > 50 ? `\n… and ${trials.length - 50} more` : ''));
    }
    return 0;
  }
  throw new AnnealError('ANNEAL_ERR_CLI_USAGE', `recipes: unknown subcommand '${sub}'; use ls or show.`);
}

/** `anneal plugins ls|show`. */
export async function pluginsCommand(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parse('plugins', args, { json: { type: 'boolean' }, kind: { type: 'string' }, plugin: { type: 'string', multiple: true } });
  const [sub, name] = positionals;
  if (values.help || !sub) {
    out(PLUGINS_HELP);
    return values.help ? 0 : 2;
  }
  const { plugins } = await bootAnneal({ env, pluginModules: toList(values.plugin) });
  if (sub === 'ls') {
    const list = plugins.list(values.kind as never);
    const rows = list.map((e) => ({ name: e.definition.manifest.name, kind: e.definition.manifest.kind, version: e.definition.manifest.version, hookPoint: e.definition.manifest.hookPoint ?? (e.definition.manifest.kind === 'optimizer' ? 'update' : e.definition.manifest.kind === 'param-transform' ? 'post-update' : null), source: e.source, summary: e.definition.manifest.card.summary }));
    if (values.json) out(JSON.stringify(rows, null, 2));
    else out(formatTable(['plugin', 'kind', 'hook point', 'version', 'source', 'summary'], rows.map((r) => [r.name, r.kind, r.hookPoint ?? '', r.version, r.source, r.summary])));
    return 0;
  }
  if (sub === 'show') {
    if (!name) throw new AnnealError('ANNEAL_ERR_CLI_USAGE', 'plugins show: give a plugin name. See anneal plugins ls.');
    const def = plugins.get(name);
    const m = def.manifest;
    const schema = describeSchema(m.configSchema);
    if (values.json) out(JSON.stringify({ ...m, configSchema: schema, source: plugins.entry(name)?.source }, null, 2));
    else {
      out(`${m.name}@${m.version}  (${m.kind}${m.hookPoint ? ` at ${m.hookPoint}` : ''}${m.allowedHookPoints?.length ? `; may also sit at ${m.allowedHookPoints.join(', ')}` : ''})`);
      out(m.card.summary);
      if (m.card.paper) out(`paper: ${m.card.paper}`);
      if (m.card.details) out(m.card.details);
      out('\nconfig:');
      out(schema.length ? formatTable(['key', 'default', 'allowed', 'description'], schema.map((s) => [s.key, s.default === undefined ? '' : JSON.stringify(s.default), s.allowed, s.description])) : '(no config)');
    }
    return 0;
  }
  throw new AnnealError('ANNEAL_ERR_CLI_USAGE', `plugins: unknown subcommand '${sub}'; use ls or show.`);
}
