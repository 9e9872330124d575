import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AnnealError, type PluginDefinition, type PluginModuleExport } from '@anneal/core';

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

/**
 * Loads plugin definitions from a module given by path (./my-plugin.js, /abs/x.js) or package name
 * (my-anneal-plugin, @lab/noise). The module's default export, or its `plugins` export, is one
 * definition or a list of them.
 */
export async function loadPluginModule(spec: string, cwd = process.cwd()): Promise<PluginDefinition[]> {
  const looksLikePath = spec.startsWith('.') || isAbsolute(spec) || spec.endsWith('.js') || spec.endsWith('.mjs');
  const file = looksLikePath ? resolve(cwd, spec) : resolvePackageEntry(spec, cwd);
  if (!file || !existsSync(file)) {
    throw new AnnealError(
      'ANNEAL_ERR_PLUGIN_LOAD',
      looksLikePath
        ? `plugin module '${spec}' not found (looked at ${file}). Give a path to a built .js file (relative to ${cwd}).`
        : `plugin package '${spec}' is not installed (searched node_modules from ${cwd} upwards). Install it (npm install ${spec}) or give a path.`,
      { spec },
    );
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new AnnealError('ANNEAL_ERR_PLUGIN_LOAD', `plugin module '${spec}' (${file}) failed to load: ${(error as Error).message}`, { spec });
  }
  const exported = (mod.default ?? mod.plugins ?? mod.plugin) as PluginModuleExport | undefined;
  if (!exported) {
    throw new AnnealError('ANNEAL_ERR_PLUGIN_LOAD', `plugin module '${spec}' exports no plugin: export default a definition (definePlugin.*) or a list of them, or export 'plugins'.`, { spec });
  }
  return (Array.isArray(exported) ? exported : [exported]) as PluginDefinition[];
}
