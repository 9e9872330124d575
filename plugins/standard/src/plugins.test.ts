import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { HOOK_POINTS, PLUGIN_KINDS, isAnnealError, validateConfig, type FieldSpec, type InitContext, type PluginDefinition } from '@anneal/core';
import { annealedGaussianPlugin, standardPlugins } from './index.js';

const EXPECTED = {
  'annealed-gaussian': ['gradient-transform', 'post-clip'],
  'constant-gaussian': ['gradient-transform', 'post-clip'],
  'weight-noise': ['param-transform', 'post-update'],
  'clip-global-norm': ['gradient-transform', 'clip'],
  'clip-tensor-norm': ['gradient-transform', 'clip'],
  'clip-value': ['gradient-transform', 'clip'],
  sgd: ['optimizer', 'update'],
  momentum: ['optimizer', 'update'],
  adam: ['optimizer', 'update'],
  adagrad: ['optimizer', 'update'],
  normal: ['initializer', undefined],
  zero: ['initializer', undefined],
  he: ['initializer', undefined],
  sussillo: ['initializer', undefined],
  glorot: ['initializer', undefined],
  dropout: ['forward-transform', undefined],
} as const;

test('standardPlugins lists every plugin once, with the expected kind and default hook point', (t) => {
  const names = standardPlugins.map((p) => p.manifest.name);
  t.deepEqual([...names].sort(), Object.keys(EXPECTED).sort());
  for (const p of standardPlugins) {
    const [kind, hook] = EXPECTED[p.manifest.name as keyof typeof EXPECTED];
    t.is(p.manifest.kind, kind, p.manifest.name);
    t.is(p.manifest.hookPoint, hook, p.manifest.name);
  }
});

test('noise plugins may be placed before clipping, after it (default) or just before the update', (t) => {
  for (const name of ['annealed-gaussian', 'constant-gaussian']) {
    const p = standardPlugins.find((d) => d.manifest.name === name)!;
    t.deepEqual(p.manifest.allowedHookPoints, ['pre-clip', 'post-clip', 'pre-update']);
  }
});

for (const plugin of standardPlugins) {
  const m = plugin.manifest;
  test(`manifest of '${m.name}': kebab name, version, kind, card, documented schema with defaults and ranges`, (t) => {
    t.regex(m.name, /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
    t.is(m.version, '0.1.0');
    t.true(PLUGIN_KINDS.includes(m.kind));
    if (m.hookPoint !== undefined) t.true(HOOK_POINTS.includes(m.hookPoint));
    for (const h of m.allowedHookPoints ?? []) t.true(HOOK_POINTS.includes(h));
    t.true(m.card.summary.length > 10);
    t.true((m.card.paper ?? '').length > 5, 'paper reference');
    for (const [key, spec] of Object.entries(m.configSchema as Record<string, FieldSpec>)) {
      t.true(spec.description.length > 5, `${key} has a description`);
      t.not(spec.default, undefined, `${key} has a default`);
      if (spec.type === 'number') t.true(spec.min !== undefined || spec.max !== undefined, `${key} has an allowed range`);
    }
  });

  test(`'${m.name}' builds from its default config`, (t) => {
    const config = validateConfig(`plugin '${m.name}'`, m.configSchema, {});
    const built = create(plugin, config);
    t.is(built.name, m.name);
    const state = built.init?.({ seed: 1, params: {} });
    built.dispose?.(state);
    t.pass();
  });
}

interface Built {
  readonly name: string;
  init?(ctx: InitContext): unknown;
  dispose?(state: unknown): void;
}

function create(plugin: PluginDefinition, config: Readonly<Record<string, unknown>>): Built {
  if (plugin.manifest.kind === 'dataset') throw new Error('no datasets here');
  return (plugin as unknown as { create(c: unknown): Built }).create(config);
}

test('annealed-gaussian eta = -1 → ANNEAL_ERR_CONFIG_VALUE naming eta, the value and the allowed range', (t) => {
  const error = t.throws(() => validateConfig("plugin 'annealed-gaussian'", annealedGaussianPlugin.manifest.configSchema, { eta: -1 }));
  t.true(isAnnealError(error, 'ANNEAL_ERR_CONFIG_VALUE'));
  t.regex(error!.message, /annealed-gaussian/);
  t.regex(error!.message, /'eta' = -1/);
  t.regex(error!.message, /> 0/);
  t.regex(error!.message, /VARIANCE/);
});

test('unknown keys and out-of-range values are rejected for other plugins too', (t) => {
  const byName = (n: string) => standardPlugins.find((p) => p.manifest.name === n)!.manifest.configSchema;
  t.true(isAnnealError(t.throws(() => validateConfig('p', byName('annealed-gaussian'), { sigma: 1 })), 'ANNEAL_ERR_CONFIG_KEY'));
  t.true(isAnnealError(t.throws(() => validateConfig('p', byName('clip-global-norm'), { maxNorm: 0 })), 'ANNEAL_ERR_CONFIG_VALUE'));
  t.true(isAnnealError(t.throws(() => validateConfig('p', byName('dropout'), { rate: 1 })), 'ANNEAL_ERR_CONFIG_VALUE'));
  t.true(isAnnealError(t.throws(() => validateConfig('p', byName('adam'), { beta2: 1 })), 'ANNEAL_ERR_CONFIG_VALUE'));
  t.true(isAnnealError(t.throws(() => validateConfig('p', byName('glorot'), { distribution: 'gauss' })), 'ANNEAL_ERR_CONFIG_VALUE'));
  t.true(isAnnealError(t.throws(() => validateConfig('p', byName('momentum'), { nesterov: 'yes' })), 'ANNEAL_ERR_CONFIG_VALUE'));
});

test('defaults match the paper and spec', (t) => {
  const defaults = (n: string) => validateConfig('p', standardPlugins.find((p) => p.manifest.name === n)!.manifest.configSchema, {});
  t.deepEqual({ ...defaults('annealed-gaussian') }, { eta: 0.01, gamma: 0.55 });
  t.deepEqual({ ...defaults('constant-gaussian') }, { eta: 0.001 });
  t.deepEqual({ ...defaults('weight-noise') }, { eta: 1e-6, gamma: 0.55 });
  t.deepEqual({ ...defaults('adam') }, { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  t.is(defaults('sgd').learningRate, 0.1);
  t.is(defaults('clip-tensor-norm').maxNorm, 40);
  t.is(defaults('normal').std, 0.1);
  t.is(defaults('dropout').rate, 0.5);
});

test.serial('optimizer plugins: init from params and dispose frees everything they created', (t) => {
  const params = { w: tf.variable(tf.zeros([3, 2]), false), b: tf.variable(tf.zeros([2]), false) };
  const base = tf.memory().numTensors;
  for (const name of ['sgd', 'momentum', 'adam', 'adagrad']) {
    const plugin = standardPlugins.find((p) => p.manifest.name === name)!;
    const opt = create(plugin, validateConfig('p', plugin.manifest.configSchema, {}));
    const state = opt.init!({ seed: 0, params });
    opt.dispose?.(state);
    t.is(tf.memory().numTensors, base, name);
  }
  tf.dispose([params.w, params.b]);
});
