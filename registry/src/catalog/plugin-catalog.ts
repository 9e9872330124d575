import { AnnealError, didYouMean, type PluginDefinition, type PluginKind } from '@anneal/core';
import { validateManifest } from './validate-manifest.js';

export interface CatalogEntry {
  readonly definition: PluginDefinition;
  /** 'builtin' or the module specifier it was loaded from. */
  readonly source: string;
}

/**
 * The catalogue of plugin definitions by name (names are unique across kinds: a name is also a
 * checkpoint and tracking key). Lookups of unknown names fail with the nearest names.
 */
export class PluginCatalog {
  private readonly entries = new Map<string, CatalogEntry>();

  register(definition: PluginDefinition, source = 'builtin'): void {
    validateManifest(definition, source);
    const name = definition.manifest.name;
    const existing = this.entries.get(name);
    if (existing) {
      if (existing.definition === definition) return;
      throw new AnnealError(
        'ANNEAL_ERR_PLUGIN_DUPLICATE',
        `plugin '${name}' from ${source} is already registered (from ${existing.source}). Give your plugin another name.`,
        { name, source, existing: existing.source },
      );
    }
    this.entries.set(name, { definition, source });
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The definition named `name`, optionally checking its kind. */
  get<K extends PluginKind>(name: string, kind?: K, usedAs = 'plugin'): Extract<PluginDefinition, { manifest: { kind: K } }> {
    const entry = this.entries.get(name);
    if (!entry) {
      const candidates = this.list(kind).map((e) => e.definition.manifest.name);
      throw new AnnealError(
        'ANNEAL_ERR_PLUGIN_UNKNOWN',
        `unknown ${kind ?? 'plugin'} '${name}' (${usedAs}).${didYouMean(name, candidates)} See 'anneal plugins ls${kind ? ` --kind ${kind}` : ''}'.`,
        { name, kind, suggestions: candidates },
      );
    }
    if (kind && entry.definition.manifest.kind !== kind) {
      throw new AnnealError('ANNEAL_ERR_PLUGIN_KIND', `'${name}' is a ${entry.definition.manifest.kind}, but ${usedAs} needs a ${kind}.`, { name, kind });
    }
    return entry.definition as Extract<PluginDefinition, { manifest: { kind: K } }>;
  }

  entry(name: string): CatalogEntry | undefined {
    return this.entries.get(name);
  }

  list(kind?: PluginKind): CatalogEntry[] {
    return [...this.entries.values()]
      .filter((e) => !kind || e.definition.manifest.kind === kind)
      .sort((a, b) => a.definition.manifest.kind.localeCompare(b.definition.manifest.kind) || a.definition.manifest.name.localeCompare(b.definition.manifest.name));
  }
}
