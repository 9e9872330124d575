import {
  AnnealError,
  Rng,
  deriveSeed,
  didYouMean,
  freezePlain,
  validateConfig,
  type Dataset,
  type ExecutionPlan,
  type ForwardTransform,
  type GradientTransform,
  type HookPoint,
  type Initializer,
  type InitializerSpec,
  type Observer,
  type ParamTransform,
  type PlanEntry,
  type PluginDefinition,
  type Recipe,
  type ResolvedPhase,
  type ResolvedTraining,
} from '@anneal/core';
import type { PluginCatalog } from '../catalog/plugin-catalog.js';
import { defaultHookPoint } from '../catalog/validate-manifest.js';
import { siteMatches } from '@anneal/core';
import { orderHookPoint, type Placed } from './order-hook-point.js';

export interface PlanInputs {
  readonly recipe: Recipe;
  readonly seed: number;
  readonly runName: string;
  readonly variant?: string;
  readonly backend: string;
  /** Names of plugins loaded with --plugin that the recipe does not list: attached by their manifest. */
  readonly extraPlugins?: readonly string[];
  /** Data directory (ANNEAL_DATA_DIR) handed to dataset loaders. */
  readonly dataDir?: string;
  /** Observers supplied by the runner (tracking, progress); loggers last. */
  readonly runtimeObservers?: readonly Observer[];
  /** Loads a dataset (lets the runner cache parsed data across trials). */
  readonly loadDataset?: (def: Extract<PluginDefinition, { manifest: { kind: 'dataset' } }>, config: Readonly<Record<string, unknown>>, seed: number) => Promise<Dataset>;
}

const GRADIENT_STAGES = ['pre-clip', 'clip', 'post-clip', 'pre-update'] as const;

/** Builds and freezes the execution plan for one trial: resolves every name, validates every config. */
export async function buildPlan(catalog: PluginCatalog, inputs: PlanInputs): Promise<ExecutionPlan> {
  const r = inputs.recipe;

  // Optimizer (the `update` hook point).
  const optDef = catalog.get(r.optimizer.name, 'optimizer', `recipe '${r.name}' optimizer`);
  const optConfig = validateConfig(`optimizer '${r.optimizer.name}'`, optDef.manifest.configSchema, r.optimizer.config);

  // Plugins from the recipe's ordered list, then extras.
  interface Use {
    plugin: string;
    as?: string;
    at?: HookPoint;
    config?: Readonly<Record<string, unknown>>;
    extra: boolean;
  }
  const uses: Use[] = [
    ...r.plugins.map((u) => ({ ...u, extra: u.placement === 'constraints' })),
    ...(inputs.extraPlugins ?? []).filter((n) => !r.plugins.some((u) => u.plugin === n)).map((n) => ({ plugin: n, extra: true })),
  ];
  const byHook = new Map<string, Placed[]>();
  const configs = new Map<string, Readonly<Record<string, unknown>>>();
  const forward: Placed[] = [];
  const observers: Placed[] = [];
  const instanceNames = new Set<string>([r.optimizer.name]);
  for (const use of uses) {
    const def = catalog.get(use.plugin, undefined, `recipe '${r.name}' plugins`);
    const kind = def.manifest.kind;
    if (!['gradient-transform', 'param-transform', 'forward-transform', 'observer'].includes(kind)) {
      throw new AnnealError('ANNEAL_ERR_PLUGIN_KIND', `'${use.plugin}' is a ${kind}; the plugins list takes gradient transforms, param transforms, forward transforms (dropout) and observers. Put a ${kind} under '${kind === 'optimizer' ? 'optimizer' : kind === 'model-family' ? 'model' : kind === 'dataset' ? 'dataset' : 'model.config.init'}'.`);
    }
    const name = use.as ?? use.plugin;
    if (instanceNames.has(name)) {
      throw new AnnealError('ANNEAL_ERR_PLUGIN_DUPLICATE', `plugin instance '${name}' appears twice in recipe '${r.name}'; give the second one a different 'as' name.`);
    }
    instanceNames.add(name);
    configs.set(name, validateConfig(`plugin '${name}'`, def.manifest.configSchema, use.config));
    const placed: Placed = { name, definition: def, extra: use.extra };
    if (kind === 'forward-transform') forward.push(placed);
    else if (kind === 'observer') observers.push(placed);
    else {
      const at = use.at ?? defaultHookPoint(def);
      const allowed = [defaultHookPoint(def), ...(def.manifest.allowedHookPoints ?? [])];
      if (!allowed.includes(at)) {
        throw new AnnealError('ANNEAL_ERR_HOOK_NOT_ALLOWED', `plugin '${name}' cannot be placed at '${at}'; it allows ${[...new Set(allowed)].join(', ')}.`, { name, at, allowed });
      }
      byHook.set(at as string, [...(byHook.get(at as string) ?? []), placed]);
    }
  }
  const clipCount = (byHook.get('clip') ?? []).length;
  if (clipCount > 1) {
    throw new AnnealError('ANNEAL_ERR_HOOK_CARDINALITY', `the clip hook point takes at most one plugin, got ${clipCount}: ${(byHook.get('clip') ?? []).map((p) => p.name).join(', ')}. Place extra clipping at pre-clip or post-clip.`);
  }
  for (const [name, def] of [...byHook.values()].flat().concat(forward, observers).map((p) => [p.name, p.definition] as const)) {
    for (const req of def.manifest.requires ?? []) {
      if (!instanceNames.has(req) && ![...instanceNames].some((n) => catalog.entry(n)?.definition.manifest.name === req)) {
        throw new AnnealError('ANNEAL_ERR_PLUGIN_REQUIRES', `plugin '${name}' requires '${req}', which is not in this run. Add it to the recipe's plugins.`);
      }
    }
  }

  const entry = <I>(p: Placed, hookPoint: PlanEntry<I>['hookPoint'], instance: I): PlanEntry<I> => ({
    name: p.name,
    plugin: p.definition.manifest.name,
    version: p.definition.manifest.version,
    hookPoint,
    config: configs.get(p.name) ?? {},
    instance,
  });
  const stage = (hp: HookPoint): PlanEntry<GradientTransform>[] =>
    orderHookPoint(hp, byHook.get(hp) ?? []).map((p) => entry(p, hp, (p.definition as { create(c: unknown): GradientTransform }).create(configs.get(p.name))));

  // Dataset and model.
  const dsDef = catalog.get(r.dataset.name, 'dataset', `recipe '${r.name}' dataset`);
  const dsConfig = validateConfig(`dataset '${r.dataset.name}'`, dsDef.manifest.configSchema, r.dataset.config);
  const dsSeed = deriveSeed(inputs.seed, 'dataset');
  const dataset = inputs.loadDataset ? await inputs.loadDataset(dsDef, dsConfig, dsSeed) : await dsDef.load(dsConfig, { dataDir: inputs.dataDir, seed: dsSeed });
  const modelDef = catalog.get(r.model.name, 'model-family', `recipe '${r.name}' model`);
  const modelConfig = validateConfig(`model '${r.model.name}'`, modelDef.manifest.configSchema, r.model.config);
  const initializer = (spec: InitializerSpec): Initializer => {
    const name = typeof spec === 'string' ? spec : spec.name;
    const def = catalog.get(name, 'initializer', `model '${r.model.name}' init`);
    return def.create(validateConfig(`initializer '${name}'`, def.manifest.configSchema, typeof spec === 'string' ? undefined : spec.config));
  };
  const model = modelDef.create(modelConfig, { dataset: dataset.info, rng: new Rng(deriveSeed(inputs.seed, 'model/init')), initializer });

  const forwardEntries = forward.map((p) => {
    const instance = (p.definition as { create(c: unknown): ForwardTransform }).create(configs.get(p.name));
    for (const pattern of instance.sites) {
      if (!model.sites.some((s) => siteMatches(pattern, s))) {
        throw new AnnealError(
          'ANNEAL_ERR_CONFIG_VALUE',
          `plugin '${p.name}': site '${pattern}' matches none of model '${r.model.name}''s forward sites (${model.sites.slice(0, 4).join(', ')}${model.sites.length > 4 ? ', …' : ''}).${didYouMean(pattern, model.sites)}`,
        );
      }
    }
    return entry<ForwardTransform>(p, 'forward', instance);
  });

  const training = resolveTraining(r, optConfig as Record<string, unknown>, dataset);
  const optimizer = optDef.create(optConfig);
  const observerEntries = [
    ...observers.map((p) => entry<Observer>(p, 'observer', (p.definition as { create(c: unknown): Observer }).create(configs.get(p.name)))),
    ...(inputs.runtimeObservers ?? []).map((o) => ({ name: o.name, plugin: o.name, version: '-', hookPoint: 'observer' as const, config: {}, instance: o })),
  ];

  const stages = {
    'pre-clip': stage('pre-clip'),
    clip: stage('clip'),
    'post-clip': stage('post-clip'),
    'pre-update': stage('pre-update'),
    update: { name: r.optimizer.name, plugin: r.optimizer.name, version: optDef.manifest.version, hookPoint: 'update' as const, config: optConfig, instance: optimizer },
    'post-update': orderHookPoint('post-update', byHook.get('post-update') ?? []).map((p) =>
      entry<ParamTransform>(p, 'post-update', (p.definition as { create(c: unknown): ParamTransform }).create(configs.get(p.name))),
    ),
  };
  void GRADIENT_STAGES;

  const resolvedConfig = freezePlain({
    recipe: { name: r.name, version: r.version },
    variant: inputs.variant ?? null,
    seed: inputs.seed,
    backend: inputs.backend,
    model: { name: r.model.name, config: modelConfig },
    dataset: { name: r.dataset.name, config: dsConfig },
    optimizer: { name: r.optimizer.name, config: optConfig },
    plugins: Object.fromEntries([...configs.entries()].map(([k, v]) => [k, { plugin: catalog.entry(k)?.definition.manifest.name ?? k, ...v }])),
    hooks: Object.fromEntries((['pre-clip', 'clip', 'post-clip', 'pre-update', 'post-update'] as const).map((h) => [h, (stages[h] as readonly PlanEntry<unknown>[]).map((e) => e.name).join(',')])),
    training,
  });

  const plan: ExecutionPlan = {
    runName: inputs.runName,
    recipe: { name: r.name, version: r.version },
    variant: inputs.variant,
    seed: inputs.seed,
    backend: inputs.backend,
    model: { family: r.model.name, version: modelDef.manifest.version, config: modelConfig, instance: model },
    dataset: { name: r.dataset.name, version: dsDef.manifest.version, config: dsConfig, instance: dataset },
    stages,
    forward: forwardEntries,
    curricula: [],
    observers: observerEntries,
    training,
    resolvedConfig,
  };
  Object.freeze(plan.stages);
  return Object.freeze(plan);
}

function resolveTraining(r: Recipe, optConfig: Record<string, unknown>, dataset: Dataset): ResolvedTraining {
  const t = r.training;
  const baseLr = typeof optConfig.learningRate === 'number' ? optConfig.learningRate : NaN;
  const phases: ResolvedPhase[] = (t.phases && t.phases.length > 0 ? t.phases : [{ name: 'main', epochs: t.epochs ?? 1 }]).map((p) => ({
    ...p,
    learningRate: p.learningRate ?? baseLr,
    lrSchedule: p.lrSchedule ?? t.lrSchedule ?? { kind: 'constant' },
  }));
  for (const p of phases) {
    if (!Number.isFinite(p.learningRate)) throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `recipe '${r.name}': phase '${p.name}' has no learning rate (set optimizer.config.learningRate or the phase's learningRate).`);
    if (!Number.isInteger(p.epochs) || p.epochs < 1) throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `recipe '${r.name}': phase '${p.name}' epochs = ${JSON.stringify(p.epochs)}; it must be an integer ≥ 1.`);
  }
  const defaultSplits = (['validation', 'test'] as const).filter((s) => dataset.splits[s] !== undefined);
  const evalSplits = t.evalSplits ?? defaultSplits;
  for (const s of evalSplits) {
    if (!dataset.splits[s]) throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `recipe '${r.name}': training.evalSplits names '${s}', which dataset '${r.dataset.name}' does not have (it has ${Object.keys(dataset.splits).join(', ')}).`);
  }
  return freezePlain({
    batchSize: t.batchSize,
    phases,
    maxSteps: t.maxSteps,
    evalEveryEpochs: t.evalEveryEpochs ?? 1,
    evalSplits,
    sampling: t.sampling ?? 'permutation',
    recordGradNorms: t.recordGradNorms ?? true,
  });
}
