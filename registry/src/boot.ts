import 'reflect-metadata';
import { AnnealError, LocalRunStore, isAnnealError, resolveAnnealHome, type PluginDefinition, type Tracker } from '@anneal/core';
import * as mlflow from '@anneal/tracker-mlflow';
import type { Container } from 'inversify';
import { builtinPlugins, builtinRecipes } from './builtins.js';
import { loadPluginPackage, type PluginPackage } from './catalog/load-external.js';
import { checkRecipeValues, loadRecipeFile } from './catalog/load-recipe-file.js';
import { readProjectFile, type ProjectFile } from './catalog/project-file.js';
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
  /** Read the cwd's project file (anneal.config.json / package.json "anneal"); default true. */
  readonly projectFile?: boolean;
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
  /** The directory recipe files and plugin paths are resolved against. */
  readonly cwd: string;
  /** The project file that was read, if any. */
  readonly project?: ProjectFile;
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
  const project = options.projectFile === false ? undefined : readProjectFile(cwd);
  const projectPackages: PluginPackage[] = [];
  for (const entry of project?.plugins ?? []) projectPackages.push(await atEntry(entry.where, () => loadPluginPackage(entry.spec, project!.dir)));
  const attachedPackages: PluginPackage[] = [];
  for (const spec of options.pluginModules ?? []) attachedPackages.push(await loadPluginPackage(spec, cwd));
  const packages = [...projectPackages, ...attachedPackages];
  const external = packages.flatMap((p) => p.definitions.map((definition) => ({ definition, source: p.spec })));
  const container = createAnnealContainer({ plugins: [...builtinPlugins(), ...dedupe(external)], recipes: builtinRecipes(), tracker, store });
  const plugins = container.get<PluginCatalog>(PluginCatalogToken);
  const recipes = container.get<RecipeCatalog>(RecipeCatalogToken);
  // Recipes of one's own: checked against the catalog (names only) once every plugin is loaded.
  for (const p of packages) {
    for (const recipe of checkRecipeValues(p.recipes, `plugin package '${p.spec}'`, plugins)) recipes.register(recipe, p.spec);
  }
  for (const entry of project?.recipes ?? []) {
    const loaded = await atEntry(entry.where, () => loadRecipeFile(entry.spec, { cwd: project!.dir, plugins }));
    for (const l of loaded) recipes.register(l.recipe, l.source);
  }
  const launcher = container.get(RunLauncher);
  const extraPluginNames = attachedPackages.flatMap((p) => p.definitions.map((d) => d.manifest.name));
  return { container, launcher, plugins, recipes, store, tracker, extraPluginNames: [...new Set(extraPluginNames)], cwd, project };
}

/** One entry per definition (a package listed in the project file and given to --plugin loads once). */
function dedupe(list: { definition: PluginDefinition; source: string }[]): { definition: PluginDefinition; source: string }[] {
  return list.filter((e, i) => list.findIndex((f) => f.definition === e.definition) === i);
}

/** Runs a project-file entry's loading; its errors name the file and the key (`anneal.config.json: plugins[1]`). */
async function atEntry<T>(where: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (!isAnnealError(error) || error.message.includes(where)) throw error;
    throw new AnnealError(error.code, `${where}: ${error.message.slice(error.code.length + 2)}`, { ...error.details, where });
  }
}
