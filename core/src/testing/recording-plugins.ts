import { defineSchema } from '../config/schema.js';
import { definePlugin } from '../plugin/definition.js';
import type { HookPoint } from '../hooks/hook-point.js';

/**
 * Test kit: gradient/param transforms that append "<name>@<step>" to a shared log and pass
 * gradients through unchanged. Used by the golden step-order test.
 */
export function recordingGradientTransform(name: string, hookPoint: HookPoint, log: string[]) {
  return definePlugin.gradientTransform({
    manifest: {
      name,
      version: '0.0.0',
      kind: 'gradient-transform',
      hookPoint,
      allowedHookPoints: ['pre-clip', 'clip', 'post-clip', 'pre-update'],
      configSchema: defineSchema({}),
      card: { summary: 'Test kit: records when it runs.' },
    },
    create: () => ({
      name,
      init: () => ({ calls: 0 }),
      update: (grads, state: { calls: number }, ctx) => {
        log.push(`${name}@${ctx.step}`);
        return { grads, state: { calls: state.calls + 1 } };
      },
    }),
  });
}

export function recordingParamTransform(name: string, log: string[]) {
  return definePlugin.paramTransform({
    manifest: { name, version: '0.0.0', kind: 'param-transform', hookPoint: 'post-update', configSchema: defineSchema({}), card: { summary: 'Test kit: records when it runs.' } },
    create: () => ({
      name,
      init: () => ({}),
      apply: (_params, state, ctx) => {
        log.push(`${name}@${ctx.step}`);
        return { state };
      },
    }),
  });
}
