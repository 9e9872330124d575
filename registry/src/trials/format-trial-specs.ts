import { HOOK_POINTS } from '@anneal/core';
import { stableJson } from './expand-grid.js';
import type { ResolvedPlugin, TrialPlanSpec, TrialSpec } from './trial-spec.js';

const cfg = (c: Readonly<Record<string, unknown>>) =>
  Object.entries(c)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('');

const use = (u: ResolvedPlugin) => `${u.name === u.plugin ? u.name : `${u.name} (${u.plugin})`}@${u.version}${cfg(u.config)}`;

/** One trial plan as a tree: components, plugins per hook point in order, training. */
export function formatTrialPlan(p: TrialPlanSpec): string {
  const lines = [`├─ model    ${p.model.name}@${p.model.version}${cfg(p.model.config)}`, `├─ dataset  ${p.dataset.name}@${p.dataset.version}${cfg(p.dataset.config)}`];
  for (const f of p.forward) lines.push(`├─ forward  ${use(f)}`);
  for (const c of p.curricula) lines.push(`├─ curriculum ${use(c)}`);
  lines.push('├─ step     loss+gradients');
  for (const hp of HOOK_POINTS) {
    const list = hp === 'update' ? [{ ...p.optimizer, plugin: p.optimizer.name }] : p.hooks[hp];
    if (list.length === 0) lines.push(`│  ├─ ${hp.padEnd(11)} ·`);
    for (const u of list) lines.push(`│  ├─ ${hp.padEnd(11)} ${use(u)}`);
  }
  const t = p.training;
  lines.push(`├─ training batch=${t.batchSize} ${t.phases.map((ph) => `${ph.name}:${ph.epochs}ep@lr${ph.learningRate}`).join(' → ')}${t.maxSteps ? ` maxSteps=${t.maxSteps}` : ''} sampling=${t.sampling}`);
  lines.push(`└─ metrics  ${p.metrics.map((m) => `${m.key} (${m.direction})`).join(', ') || '·'}`);
  return lines.join('\n');
}

/** Every trial (id and label), and each distinct plan once with the trials that share it. */
export function formatTrialSpecs(trials: readonly TrialSpec[]): string {
  const plans = new Map<string, { plan: TrialPlanSpec; trials: TrialSpec[] }>();
  for (const t of trials) {
    const key = stableJson(t.plan);
    const entry = plans.get(key) ?? { plan: t.plan, trials: [] };
    entry.trials.push(t);
    plans.set(key, entry);
  }
  const out = [`${trials.length} trial${trials.length === 1 ? '' : 's'} of ${trials[0]?.recipe.name ?? '?'}${trials[0]?.quick ? ' (quick)' : ''}:`];
  for (const t of trials) out.push(`  ${t.id}  ${t.label}`);
  for (const { plan, trials: ts } of plans.values()) {
    out.push('', `plan of ${ts.length === trials.length ? 'every trial' : ts.map((t) => t.label).join('; ')}:`, formatTrialPlan(plan));
  }
  return out.join('\n');
}
