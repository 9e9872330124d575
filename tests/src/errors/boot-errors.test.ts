import test from 'ava';
import { AnnealError, Trainer, definePlugin, defineSchema, type HookPoint, type PluginDefinition } from '@anneal/core';
import { PluginCatalog } from '@anneal/registry';
import { planFor, testCatalog, tinyRecipe } from '../helpers/test-catalog.js';

function passThrough(name: string, hookPoint: HookPoint, extra: { after?: string[]; before?: string[]; priority?: number } = {}): PluginDefinition {
  return definePlugin.gradientTransform({
    manifest: { name, version: '1.0.0', kind: 'gradient-transform', hookPoint, allowedHookPoints: ['pre-clip', 'post-clip', 'pre-update'], configSchema: defineSchema({}), card: { summary: 'test' }, ...extra },
    create: () => ({ name, init: () => ({}), update: (grads, state) => ({ grads, state }) }),
  });
}

async function planError(t: { throwsAsync: (fn: () => Promise<unknown>) => Promise<Error | undefined> }, defs: PluginDefinition[], plugins: { plugin: string; at?: HookPoint; as?: string }[], extraPlugins: string[] = []): Promise<AnnealError> {
  return (await t.throwsAsync(() => planFor(testCatalog(defs), tinyRecipe({ plugins }), { extraPlugins }))) as AnnealError;
}

test('a recipe order that contradicts a manifest after/before → ANNEAL_ERR_ORDER_CONFLICT naming both', async (t) => {
  const e = await planError(t, [passThrough('a', 'pre-update'), passThrough('b', 'pre-update', { after: ['a'] })], [{ plugin: 'b' }, { plugin: 'a' }]);
  t.is(e.code, 'ANNEAL_ERR_ORDER_CONFLICT');
  t.is(e.message, "ANNEAL_ERR_ORDER_CONFLICT: at pre-update: 'b' must run after 'a' (its manifest says so), but the recipe lists it before. Order given: b → a.");
});

test('after/before cycles → ANNEAL_ERR_ORDER_CYCLE with the cycle', async (t) => {
  const e = await planError(t, [passThrough('a', 'pre-update', { after: ['b'] }), passThrough('b', 'pre-update', { after: ['a'] })], [{ plugin: 'a' }, { plugin: 'b' }]);
  t.is(e.code, 'ANNEAL_ERR_ORDER_CYCLE');
  t.regex(e.message, /cycle: (a → b → a|b → a → b)/);
});

test('plugins added outside the recipe are placed by their constraints, ties by priority then name', async (t) => {
  const catalog = testCatalog([passThrough('first', 'pre-update'), passThrough('late', 'pre-update', { before: ['first'] }), passThrough('zeta', 'pre-update', { priority: 5 }), passThrough('alpha', 'pre-update')]);
  const plan = await planFor(catalog, tinyRecipe({ plugins: [{ plugin: 'first' }] }), { extraPlugins: ['late', 'zeta', 'alpha'] });
  t.deepEqual(
    plan.stages['pre-update'].map((e) => e.name),
    ['late', 'first', 'zeta', 'alpha'],
  );
  plan.model.instance.dispose();
});

test('two clip plugins → ANNEAL_ERR_HOOK_CARDINALITY; a placement the plugin does not allow → ANNEAL_ERR_HOOK_NOT_ALLOWED', async (t) => {
  const two = await planError(t, [], [{ plugin: 'clip-global-norm' }, { plugin: 'clip-value' }]);
  t.is(two.message, 'ANNEAL_ERR_HOOK_CARDINALITY: the clip hook point takes at most one plugin, got 2: clip-global-norm, clip-value. Place extra clipping at pre-clip or post-clip.');
  const wrong = await planError(t, [], [{ plugin: 'clip-global-norm', at: 'post-update' }]);
  t.is(wrong.code, 'ANNEAL_ERR_HOOK_NOT_ALLOWED');
});

test('the same plugin twice needs distinct `as` names', async (t) => {
  const dup = await planError(t, [], [{ plugin: 'annealed-gaussian' }, { plugin: 'annealed-gaussian' }]);
  t.is(dup.code, 'ANNEAL_ERR_PLUGIN_DUPLICATE');
  const plan = await planFor(testCatalog(), tinyRecipe({ plugins: [{ plugin: 'annealed-gaussian' }, { plugin: 'annealed-gaussian', as: 'second-noise', at: 'pre-update' }] }));
  t.deepEqual([plan.stages['post-clip'].map((e) => e.name), plan.stages['pre-update'].map((e) => e.name)], [['annealed-gaussian'], ['second-noise']]);
  plan.model.instance.dispose();
});

test('registration checks manifests: duplicate names, unknown hook points, non-kebab names', (t) => {
  const catalog = new PluginCatalog();
  catalog.register(passThrough('dup', 'pre-update'), 'pkg-a');
  const dup = t.throws(() => catalog.register(passThrough('dup', 'pre-update'), 'pkg-b')) as AnnealError;
  t.is(dup.message, "ANNEAL_ERR_PLUGIN_DUPLICATE: plugin 'dup' from pkg-b is already registered (from pkg-a). Give your plugin another name.");
  const badHook = t.throws(() => catalog.register(passThrough('bad-hook', 'pre-clipp' as HookPoint), 'pkg-c')) as AnnealError;
  t.is(badHook.code, 'ANNEAL_ERR_HOOK_UNKNOWN');
  t.regex(badHook.message, /names hook point "pre-clipp"; hook points are pre-clip → clip → post-clip → pre-update → update → post-update/);
  const badName = t.throws(() => catalog.register(passThrough('Bad_Name', 'pre-update'), 'pkg-d')) as AnnealError;
  t.is(badName.code, 'ANNEAL_ERR_PLUGIN_LOAD');
});

test('an observer that throws is reported with its name and event, and training completes', async (t) => {
  const failing = definePlugin.observer({
    manifest: { name: 'failing-observer', version: '1.0.0', kind: 'observer', configSchema: defineSchema({}), card: { summary: 'throws' } },
    create: () => ({
      name: 'failing-observer',
      on: {
        'step:end': (r) => {
          if (r.step === 1) throw new Error('disk full');
        },
      },
    }),
  });
  const plan = await planFor(testCatalog([failing]), tinyRecipe({ plugins: [{ plugin: 'failing-observer' }] }));
  const reported: string[] = [];
  const trainer = new Trainer(plan, { runId: 'obs', onObserverFailure: (f) => reported.push(`${f.observer}@${f.event}: ${(f.error as Error).message}`) });
  const result = await trainer.run();
  t.is(result.status, 'FINISHED');
  t.is(result.steps, 4);
  t.deepEqual(reported, ['failing-observer@step:end: disk full']);
  t.is(result.observerFailures.length, 1);
  trainer.dispose();
  plan.model.instance.dispose();
});
