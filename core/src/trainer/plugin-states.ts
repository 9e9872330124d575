import * as tf from '@tensorflow/tfjs-core';
import { deriveSeed } from '../random/seed-derivation.js';
import { planEntries, type ExecutionPlan, type PlanEntry } from './execution-plan.js';
import type { PluginStates } from './run-step.js';

/** Every plugin instance of a plan that owns state, in hook-point order. */
export function statefulEntries(plan: ExecutionPlan): PlanEntry<{ init(ctx: unknown): unknown; dispose?(s: unknown): void }>[] {
  return planEntries(plan) as PlanEntry<{ init(ctx: unknown): unknown; dispose?(s: unknown): void }>[];
}

/** Creates each plugin's state with its own RNG seed, derived from (run seed, instance name). */
export function createPluginStates(plan: ExecutionPlan): PluginStates {
  const states: PluginStates = new Map();
  const params = plan.model.instance.params;
  for (const e of statefulEntries(plan)) {
    states.set(e.name, tf.tidy(() => e.instance.init({ seed: deriveSeed(plan.seed, `plugin/${e.name}`), params }) as tf.TensorContainer));
  }
  return states;
}

/** Releases every plugin state (Variables). */
export function disposePluginStates(plan: ExecutionPlan, states: PluginStates): void {
  for (const e of statefulEntries(plan)) if (states.has(e.name)) e.instance.dispose?.(states.get(e.name));
  states.clear();
}
