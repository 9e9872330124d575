import { AnnealError } from '@anneal/core';
import type { PluginCatalog } from '../catalog/plugin-catalog.js';
import type { TrialSpec } from './trial-spec.js';

/**
 * Before stored trial specs run again (sweep --resume, a queue worker): every plugin they name must
 * be loaded here, at the version they were resolved with being reported when it changed.
 */
export function checkTrialPlugins(catalog: PluginCatalog, trials: readonly TrialSpec[], pluginModules: readonly string[], warn: (line: string) => void = () => undefined): void {
  const seen = new Set<string>();
  for (const t of trials) {
    const p = t.plan;
    const uses = [
      { plugin: p.model.name, version: p.model.version },
      { plugin: p.dataset.name, version: p.dataset.version },
      { plugin: p.optimizer.name, version: p.optimizer.version },
      ...Object.values(p.hooks).flat(),
      ...p.forward,
      ...p.curricula,
      ...p.observers,
    ];
    for (const u of uses) {
      if (seen.has(u.plugin)) continue;
      seen.add(u.plugin);
      if (!catalog.has(u.plugin)) {
        throw new AnnealError(
          'ANNEAL_ERR_PLUGIN_UNKNOWN',
          `trial ${t.id} (${t.label}) needs plugin '${u.plugin}', which is not loaded here.${pluginModules.length ? ` Its modules: ${pluginModules.join(', ')} — make them resolvable on this machine.` : ''}`,
        );
      }
      const now = catalog.get(u.plugin).manifest.version;
      if (now !== u.version) warn(`note: plugin '${u.plugin}' is now version ${now}; trial ${t.id} was resolved with ${u.version}.`);
    }
  }
}
