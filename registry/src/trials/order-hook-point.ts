import { AnnealError, type PluginDefinition } from '@anneal/core';

export interface Placed {
  readonly name: string;
  readonly definition: PluginDefinition;
  /** True for plugins added outside the recipe's list (e.g. --plugin); they are placed by constraints. */
  readonly extra: boolean;
}

/**
 * Orders the plugins of one hook point. The recipe's list order is authoritative; plugins added
 * outside it are inserted by their after/before constraints (ties: higher priority first, then name),
 * as late as the constraints allow. Any violated after/before → ANNEAL_ERR_ORDER_CONFLICT;
 * a cycle → ANNEAL_ERR_ORDER_CYCLE.
 */
export function orderHookPoint(hookPoint: string, placed: readonly Placed[]): Placed[] {
  detectCycle(hookPoint, placed);
  const list = placed.filter((p) => !p.extra);
  const extras = placed
    .filter((p) => p.extra)
    .sort((a, b) => (b.definition.manifest.priority ?? 0) - (a.definition.manifest.priority ?? 0) || a.name.localeCompare(b.name));
  for (const extra of extras) {
    const m = extra.definition.manifest;
    let lo = 0;
    let hi = list.length;
    list.forEach((p, i) => {
      const pm = p.definition.manifest;
      if ((m.after ?? []).includes(p.definition.manifest.name) || (pm.before ?? []).includes(m.name)) lo = Math.max(lo, i + 1);
      if ((m.before ?? []).includes(p.definition.manifest.name) || (pm.after ?? []).includes(m.name)) hi = Math.min(hi, i);
    });
    if (lo > hi) {
      throw new AnnealError('ANNEAL_ERR_ORDER_CONFLICT', `cannot place '${extra.name}' at ${hookPoint}: its after/before constraints contradict the order ${list.map((p) => p.name).join(' → ')}.`);
    }
    list.splice(hi, 0, extra);
  }
  list.forEach((p, i) => {
    const m = p.definition.manifest;
    list.forEach((q, j) => {
      const qn = q.definition.manifest.name;
      if ((m.after ?? []).includes(qn) && j > i) {
        throw new AnnealError('ANNEAL_ERR_ORDER_CONFLICT', `at ${hookPoint}: '${p.name}' must run after '${q.name}' (its manifest says so), but the recipe lists it before. Order given: ${list.map((x) => x.name).join(' → ')}.`);
      }
      if ((m.before ?? []).includes(qn) && j < i) {
        throw new AnnealError('ANNEAL_ERR_ORDER_CONFLICT', `at ${hookPoint}: '${p.name}' must run before '${q.name}' (its manifest says so), but the recipe lists it after. Order given: ${list.map((x) => x.name).join(' → ')}.`);
      }
    });
  });
  return list;
}

function detectCycle(hookPoint: string, placed: readonly Placed[]): void {
  const names = new Set(placed.map((p) => p.definition.manifest.name));
  const edges = new Map<string, string[]>();
  for (const p of placed) {
    const m = p.definition.manifest;
    for (const a of m.after ?? []) if (names.has(a)) edges.set(a, [...(edges.get(a) ?? []), m.name]);
    for (const b of m.before ?? []) if (names.has(b)) edges.set(m.name, [...(edges.get(m.name) ?? []), b]);
  }
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (n: string): void => {
    if (state.get(n) === 2) return;
    if (state.get(n) === 1) {
      const cycle = [...stack.slice(stack.indexOf(n)), n];
      throw new AnnealError('ANNEAL_ERR_ORDER_CYCLE', `at ${hookPoint}: after/before constraints form a cycle: ${cycle.join(' → ')}.`);
    }
    state.set(n, 1);
    stack.push(n);
    for (const m of edges.get(n) ?? []) visit(m);
    stack.pop();
    state.set(n, 2);
  };
  for (const n of names) visit(n);
}
