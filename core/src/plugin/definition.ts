import type { ConfigOf, ConfigSchema } from '../config/schema.js';
import type { Dataset, DatasetLoadContext } from '../data/dataset.js';
import type { Observer } from '../events/train-events.js';
import type { HookPoint } from '../hooks/hook-point.js';
import type { Initializer, Model, ModelBuildContext } from '../model/model.js';
import type { Curriculum, ForwardTransform, GradientTransform, Optimizer, ParamTransform } from './transforms.js';
import type { MetricSpec } from '../model/metrics.js';

export type PluginKind =
  | 'gradient-transform'
  | 'optimizer'
  | 'param-transform'
  | 'forward-transform'
  | 'initializer'
  | 'model-family'
  | 'dataset'
  | 'curriculum'
  | 'observer';

export const PLUGIN_KINDS: readonly PluginKind[] = [
  'gradient-transform',
  'optimizer',
  'param-transform',
  'forward-transform',
  'initializer',
  'model-family',
  'dataset',
  'curriculum',
  'observer',
];

/** A short card shown by `anneal plugins show`: what it does and where it comes from. */
export interface PluginCard {
  readonly summary: string;
  /** Paper reference, e.g. "Neelakantan et al. 2015, Eq. (1), §3". */
  readonly paper?: string;
  readonly details?: string;
}

/** Data about a plugin, validated at boot. */
export interface PluginManifest<S extends ConfigSchema = ConfigSchema> {
  /** Unique kebab-case name; also the key of its state in checkpoints and of its params in tracking. */
  readonly name: string;
  readonly version: string;
  readonly kind: PluginKind;
  /** Default hook point (gradient transforms, optimizers at 'update', param transforms at 'post-update'). */
  readonly hookPoint?: HookPoint;
  /** Other hook points a recipe may place it at with `at:` (e.g. noise: pre-clip, post-clip, pre-update). */
  readonly allowedHookPoints?: readonly HookPoint[];
  /** Plugin names this one must run after / before when both sit at the same hook point. */
  readonly after?: readonly string[];
  readonly before?: readonly string[];
  /** Tie-breaker for plugins added outside a recipe's list (higher runs first). Default 0. */
  readonly priority?: number;
  /** Plugins that must also be in the run. */
  readonly requires?: readonly string[];
  readonly configSchema: S;
  readonly card: PluginCard;
}

interface Base<K extends PluginKind, S extends ConfigSchema> {
  readonly manifest: PluginManifest<S> & { readonly kind: K };
}

export interface GradientTransformPlugin<S extends ConfigSchema = ConfigSchema> extends Base<'gradient-transform', S> {
  create(config: ConfigOf<S>): GradientTransform<any>;
}
export interface OptimizerPlugin<S extends ConfigSchema = ConfigSchema> extends Base<'optimizer', S> {
  create(config: ConfigOf<S>): Optimizer<any>;
}
export interface ParamTransformPlugin<S extends ConfigSchema = ConfigSchema> extends Base<'param-transform', S> {
  create(config: ConfigOf<S>): ParamTransform<any>;
}
export interface ForwardTransformPlugin<S extends ConfigSchema = ConfigSchema> extends Base<'forward-transform', S> {
  create(config: ConfigOf<S>): ForwardTransform<any>;
}
export interface InitializerPlugin<S extends ConfigSchema = ConfigSchema> extends Base<'initializer', S> {
  create(config: ConfigOf<S>): Initializer;
}
export interface ModelFamilyPlugin<S extends ConfigSchema = ConfigSchema> extends Base<'model-family', S> {
  /** The evaluation metrics the family's models report, per split (known before anything is built). */
  readonly metrics: readonly MetricSpec[];
  create(config: ConfigOf<S>, ctx: ModelBuildContext): Model;
}
export interface CurriculumPlugin<S extends ConfigSchema = ConfigSchema> extends Base<'curriculum', S> {
  create(config: ConfigOf<S>): Curriculum<any>;
}
export interface DatasetPlugin<S extends ConfigSchema = ConfigSchema> extends Base<'dataset', S> {
  load(config: ConfigOf<S>, ctx: DatasetLoadContext): Promise<Dataset>;
}
export interface ObserverPlugin<S extends ConfigSchema = ConfigSchema> extends Base<'observer', S> {
  create(config: ConfigOf<S>): Observer;
}

/** Any plugin definition: a data manifest plus a pure factory. */
export type PluginDefinition =
  | GradientTransformPlugin<any>
  | OptimizerPlugin<any>
  | ParamTransformPlugin<any>
  | ForwardTransformPlugin<any>
  | InitializerPlugin<any>
  | ModelFamilyPlugin<any>
  | DatasetPlugin<any>
  | CurriculumPlugin<any>
  | ObserverPlugin<any>;

/** Identity helpers that keep the config type flowing from the schema into the factory. */
export const definePlugin = {
  gradientTransform: <S extends ConfigSchema>(p: GradientTransformPlugin<S>) => p,
  optimizer: <S extends ConfigSchema>(p: OptimizerPlugin<S>) => p,
  paramTransform: <S extends ConfigSchema>(p: ParamTransformPlugin<S>) => p,
  forwardTransform: <S extends ConfigSchema>(p: ForwardTransformPlugin<S>) => p,
  initializer: <S extends ConfigSchema>(p: InitializerPlugin<S>) => p,
  modelFamily: <S extends ConfigSchema>(p: ModelFamilyPlugin<S>) => p,
  dataset: <S extends ConfigSchema>(p: DatasetPlugin<S>) => p,
  curriculum: <S extends ConfigSchema>(p: CurriculumPlugin<S>) => p,
  observer: <S extends ConfigSchema>(p: ObserverPlugin<S>) => p,
};

/**
 * What an external plugin package exports (default export or named `plugins`): one definition or a list.
 * `anneal run --plugin ./my-plugin.js` and recipes' `load:` entries read this.
 */
export type PluginModuleExport = PluginDefinition | readonly PluginDefinition[];
