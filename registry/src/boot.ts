import 'reflect-metadata';
import { LocalRunStore, resolveAnnealHome, type PluginDefinition, type Tracker } from '@anneal/core';
import * as mlflow from '@anneal/tracker-mlflow';
import type { Container } from 'inversify';
import { builtinPlugins, builtinRecipes } from './builtins.js';
import { loadPluginModule } from './catalog/load-external.js';
import type { PluginCatalog } from './catalog/plugin-catalog.js';
import type { RecipeCatalog } from './catalog/recipe-catalog.js';
import { createAnnealContainer } from './di/create-container.js';
import { PluginCatalogToken, RecipeCatalogToken } from './di/tokens.js';
import { RunLauncher } from './runner/run-launcher.js';

export interface BootOptions {
  /** --plugin module specifiers (paths or package names). */
  readonly pluginModules?: readonly string[];
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Use this tracker instead of the one chosen from the environment. */
  readonly tracker?: Tracker;
}

export interface Booted {
  readonly container: Container;
  readonly launcher: RunLauncher;
  readonly plugins: PluginCatalog;
  readonly recipes: RecipeCatalog;
  readonly store: LocalRunStore;
  readonly tracker: Tracker;
  /** Plugin names that came from --plugin modules (attached to runs). */
  readonly extraPluginNames: readonly string[];
}

type TrackerFactory = (args: { env: NodeJS.ProcessEnv; store: LocalRunStore }) => Tracker;

/** Chooses the tracker: MLflow (on top of the local store) when MLFLOW_TRACKING_URI is set, else the local store. */
export function createTracker(env: NodeJS.ProcessEnv, store: LocalRunStore): Tracker {
  const factory = (mlflow as Record<string, unknown>).createTrackerFromEnv as TrackerFactory | undefined;
  if (factory) return factory({ env, store });
  return store;
}

/**
 * Boots anneal: loads built-in and external plugins, builds the DI container (the composition
 * root), validates the catalogues, and returns the launcher. Everything is resolved here, once.
 */
export async function bootAnneal(options: BootOptions = {}): Promise<Booted> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const store = new LocalRunStore(resolveAnnealHome(env, cwd));
  const tracker = options.tracker ?? createTracker(env, store);
  const external: { definition: PluginDefinition; source: string }[] = [];
  for (const spec of options.pluginModules ?? []) {
    for (const definition of await loadPluginModule(spec, cwd)) external.push({ definition, source: spec });
  }
  const container = createAnnealContainer({ plugins: [...builtinPlugins(), ...external], recipes: builtinRecipes(), tracker, store });
  const plugins = container.get<PluginCatalog>(PluginCatalogToken);
  const recipes = container.get<RecipeCatalog>(RecipeCatalogToken);
  const launcher = container.get(RunLauncher);
  return { container, launcher, plugins, recipes, store, tracker, extraPluginNames: external.map((e) => e.definition.manifest.name) };
}
