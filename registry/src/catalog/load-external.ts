import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AnnealError, type PluginDefinition } from '@anneal/core';
import { packageExports, type ExportedValue } from './module-exports.js';
import { shareAnnealPackages } from './shared-imports.js';

/** Finds an installed package's ESM entry by walking node_modules up from `fromDir`. */
function resolvePackageEntry(name: string, fromDir: string): string | undefined {
  let dir = resolve(fromDir);
  for (;;) {
    const pkgDir = join(dir, 'node_modules', name);
    const pkgJson = join(pkgDir, 'package.json');
    if (existsSync(pkgJson)) {
      const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as { exports?: unknown; main?: string; module?: string };
      let entry: string | undefined;
      const exp = pkg.exports as Record<string, unknown> | string | undefined;
      const root = typeof exp === 'string' ? exp : exp && (exp['.'] ?? (Object.keys(exp).every((k) => !k.startsWith('.')) ? exp : undefined));
      if (typeof root === 'string') entry = root;
      else if (root && typeof root === 'object') {
        const r = root as Record<string, unknown>;
        const pick = r.import ?? r.default ?? r.node;
        entry = typeof pick === 'string' ? pick : typeof pick === 'object' && pick ? ((pick as Record<string, string>).default ?? undefined) : undefined;
      }
      entry ??= pkg.module ?? pkg.main ?? 'index.js';
      return join(pkgDir, entry);
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** A module specifier that is a path (./x.js, /abs/x.mjs) rather than a package name. */
export function isModulePath(spec: string): boolean {
  return spec.startsWith('.') || isAbsolute(spec) || spec.endsWith('.js') || spec.endsWith('.mjs');
}

/**
 * Imports a module given by path or installed package name, with anneal's own `@anneal/*` and tfjs
 * shared into it (so a plugin in a directory of its own, without node_modules, loads).
 */
export async function importExternalModule(spec: string, cwd: string, what = 'plugin module'): Promise<{ file: string; mod: Record<string, unknown> }> {
  const looksLikePath = isModulePath(spec);
  const file = looksLikePath ? resolve(cwd, spec) : resolvePackageEntry(spec, cwd);
  if (!file || !existsSync(file)) {
    throw new AnnealError(
      'ANNEAL_ERR_PLUGIN_LOAD',
      looksLikePath
        ? `${what} '${spec}' not found (looked at ${file}). Give a path to a built .js file (relative to ${cwd}).`
        : `plugin package '${spec}' is not installed (searched node_modules from ${cwd} upwards). Install it (npm install ${spec}) or give a path.`,
      { spec },
    );
  }
  shareAnnealPackages();
  try {
    return { file, mod: (await import(pathToFileURL(file).href)) as Record<string, unknown> };
  } catch (error) {
    throw new AnnealError('ANNEAL_ERR_PLUGIN_LOAD', `${what} '${spec}' (${file}) failed to load: ${(error as Error).message}`, { spec });
  }
}

/** A loaded plugin package: its plugin definitions and the recipes it exports (not yet validated). */
export interface PluginPackage {
  readonly spec: string;
  readonly file: string;
  readonly definitions: PluginDefinition[];
  readonly recipes: ExportedValue[];
}

/**
 * Loads a plugin package (path or package name): plugins as the default export (a definition or a
 * list), `plugins`/`plugin` exports or a default `{ plugins, recipes }`; recipes as `recipes`.
 */
export async function loadPluginPackage(spec: string, cwd = process.cwd()): Promise<PluginPackage> {
  const { file, mod } = await importExternalModule(spec, cwd);
  const { plugins, recipes } = packageExports(mod);
  if (plugins.length === 0 && recipes.length === 0) {
    throw new AnnealError(
      'ANNEAL_ERR_PLUGIN_LOAD',
      `plugin module '${spec}' exports no plugin and no recipe: export default a definition (definePlugin.*) or a list of them, or export 'plugins' and/or 'recipes'.`,
      { spec },
    );
  }
  return { spec, file, definitions: plugins.map((p) => p.value as PluginDefinition), recipes };
}

/** The plugin definitions of a module (see loadPluginPackage). */
export async function loadPluginModule(spec: string, cwd = process.cwd()): Promise<PluginDefinition[]> {
  return (await loadPluginPackage(spec, cwd)).definitions;
}
