import * as tf from '@tensorflow/tfjs-core';
import {
  AnnealError,
  GraphStepRunner,
  Rng,
  deriveSeed,
  didYouMean,
  freezePlain,
  siteMatches,
  type Curriculum,
  type ExecutionPlan,
  type ForwardTransform,
  type GradientTransform,
  type Initializer,
  type InitializerSpec,
  type Model,
  type Observer,
  type Optimizer,
  type ParamTransform,
  type PlanEntry,
  type ResolvedTraining,
  validateConfig,
} from '@anneal/core';
import type { PluginCatalog } from '../catalog/plugin-catalog.js';
import type { ListHookPoint, ResolvedPlugin, TrialSpec } from '../trials/trial-spec.js';
import { DatasetCache } from './dataset-cache.js';

export interface InstantiateOptions {
  readonly backend: string;
  /** Loads datasets once per process (default: a cache of its own). */
  readonly datasets?: DatasetCache;
  readonly dataDir?: string;
  /** Observers supplied by the runner (progress); loggers last. */
  readonly runtimeObservers?: readonly Observer[];
}

/**
 * Builds the runtime plan of a resolved trial: loads its dataset (once per process), builds the model
 * and every plugin instance from the spec's validated configs, and freezes it. The only checks left
 * are those that need built objects: forward sites against the model's, eval splits against the dataset's.
 */
export async function instantiate(catalog: PluginCatalog, spec: TrialSpec, options: InstantiateOptions): Promise<ExecutionPlan> {
  const p = spec.plan;
  const r = spec.recipe;
  const create = <I>(use: ResolvedPlugin): I => (catalog.get(use.plugin) as unknown as { create(c: unknown): I }).create(use.config);
  const entry = <I>(use: ResolvedPlugin, hookPoint: PlanEntry<I>['hookPoint'], instance: I): PlanEntry<I> => ({ ...use, hookPoint, instance });
  const hook = <I>(hp: ListHookPoint): PlanEntry<I>[] => p.hooks[hp].map((u) => entry<I>(u, hp, create<I>(u)));

  const datasets = options.datasets ?? new DatasetCache(options.dataDir);
  const dataset = await datasets.load(catalog.get(p.dataset.name, 'dataset'), p.dataset.config, deriveSeed(spec.runSeed, 'dataset'));
  const initializer = (s: InitializerSpec): Initializer => {
    const name = typeof s === 'string' ? s : s.name;
    const def = catalog.get(name, 'initializer', `model '${p.model.name}' init`);
    return def.create(validateConfig(`initializer '${name}'`, def.manifest.configSchema, typeof s === 'string' ? undefined : s.config));
  };
  // Built inside a tidy: the tensors a family makes on the way to its Variables are released.
  const family = catalog.get(p.model.name, 'model-family');
  const model = tf.tidy(() => family.create(p.model.config, { dataset: dataset.info, rng: new Rng(deriveSeed(spec.runSeed, 'model/init')), initializer }) as unknown as tf.TensorContainer) as unknown as Model;

  const forward = p.forward.map((u) => {
    const instance = create<ForwardTransform>(u);
    for (const pattern of instance.sites) {
      if (!model.sites.some((s) => siteMatches(pattern, s))) {
        model.dispose();
        throw new AnnealError(
          'ANNEAL_ERR_CONFIG_VALUE',
          `plugin '${u.name}': site '${pattern}' matches none of model '${p.model.name}''s forward sites (${model.sites.slice(0, 4).join(', ')}${model.sites.length > 4 ? ', …' : ''}).${didYouMean(pattern, model.sites)}`,
        );
      }
    }
    return entry<ForwardTransform>(u, 'forward', instance);
  });
  const evalSplits = p.training.evalSplits ?? (['validation', 'test'] as const).filter((s) => dataset.splits[s] !== undefined);
  for (const [key, list] of [['evalSplits', evalSplits], ['evalOnlyAtEnd', p.training.evalOnlyAtEnd ?? []]] as const) {
    for (const s of list) {
      if (!dataset.splits[s]) {
        model.dispose();
        throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `recipe '${r.name}': training.${key} names '${s}', which dataset '${p.dataset.name}' does not have (it has ${Object.keys(dataset.splits).join(', ')}).`);
      }
    }
  }
  const training: ResolvedTraining = freezePlain({ ...p.training, evalSplits: [...evalSplits] });
  const optimizer = p.optimizer;
  const plan: ExecutionPlan = {
    runName: spec.runName,
    recipe: { name: r.name, version: r.version },
    variant: spec.variant,
    seed: spec.runSeed,
    backend: options.backend,
    model: { family: p.model.name, version: p.model.version, config: p.model.config, instance: model },
    dataset: { name: p.dataset.name, version: p.dataset.version, config: p.dataset.config, instance: dataset },
    stages: Object.freeze({
      'pre-clip': hook<GradientTransform>('pre-clip'),
      clip: hook<GradientTransform>('clip'),
      'post-clip': hook<GradientTransform>('post-clip'),
      'pre-update': hook<GradientTransform>('pre-update'),
      update: entry<Optimizer>({ ...optimizer, plugin: optimizer.name }, 'update', create<Optimizer>({ ...optimizer, plugin: optimizer.name })),
      'post-update': hook<ParamTransform>('post-update'),
    }),
    forward,
    curricula: p.curricula.map((u) => entry<Curriculum>(u, 'curriculum', create<Curriculum>(u))),
    observers: [
      ...p.observers.map((u) => entry<Observer>(u, 'observer', create<Observer>(u))),
      ...(options.runtimeObservers ?? []).map((o) => ({ name: o.name, plugin: o.name, version: '-', hookPoint: 'observer' as const, config: {}, instance: o })),
    ],
    training,
    resolvedConfig: freezePlain(resolvedConfig(spec, options.backend, training)),
  };
  const noGraph = training.graphStep === 'on' || training.graphStep === 'auto' ? GraphStepRunner.unsupported(plan) : undefined;
  if (noGraph && training.graphStep === 'on') {
    model.dispose();
    throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `recipe '${r.name}': training.graphStep = 'on' cannot be used here: ${noGraph}. Set training.graphStep to 'off' (the default) or 'auto'.`, { key: 'training.graphStep' });
  }
  if (training.graphStep === 'auto') {
    // Resolved here, once: the plan (and the run's recorded config) says what runs, and why not the graph.
    const { graphStep: _auto, ...rest } = training;
    const resolved: ResolvedTraining = freezePlain(noGraph ? { ...rest, graphStepAutoOff: noGraph } : { ...rest, graphStep: 'on' as const });
    return Object.freeze({ ...plan, training: resolved, resolvedConfig: freezePlain(resolvedConfig(spec, options.backend, resolved)) });
  }
  return Object.freeze(plan);
}

/** The flattened-config view of a trial (params in tracking, config.json). */
function resolvedConfig(spec: TrialSpec, backend: string, training: ResolvedTraining): Record<string, unknown> {
  const p = spec.plan;
  const hooks = Object.entries(p.hooks) as [ListHookPoint, readonly ResolvedPlugin[]][];
  const instances = [...hooks.flatMap(([, list]) => list), ...p.forward, ...p.curricula, ...p.observers];
  return {
    recipe: { name: spec.recipe.name, version: spec.recipe.version },
    variant: spec.variant ?? null,
    seed: spec.runSeed,
    backend,
    model: { name: p.model.name, config: p.model.config },
    dataset: { name: p.dataset.name, config: p.dataset.config },
    optimizer: { name: p.optimizer.name, config: p.optimizer.config },
    plugins: Object.fromEntries(instances.map((u) => [u.name, { plugin: u.plugin, ...u.config }])),
    hooks: Object.fromEntries(hooks.map(([h, list]) => [h, list.map((u) => u.name).join(',')])),
    training,
  };
}
