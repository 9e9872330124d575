import type { Dataset, DatasetPlugin } from '@anneal/core';

/**
 * Loads each dataset (name, config, seed, data directory) once per process and hands the same object
 * to every trial that needs it; `dispose()` releases them all. Loaders cache parsed files themselves,
 * so a dataset with another seed (another subset) costs little.
 */
export class DatasetCache {
  private readonly loaded = new Map<string, Promise<Dataset>>();

  constructor(
    private readonly dataDir?: string,
    /** How many datasets to keep (oldest released first). */
    private readonly capacity = 4,
  ) {}

  load(def: DatasetPlugin<any>, config: Readonly<Record<string, unknown>>, seed: number): Promise<Dataset> {
    const key = JSON.stringify([def.manifest.name, config, seed, this.dataDir ?? null]);
    let dataset = this.loaded.get(key);
    if (!dataset) {
      dataset = def.load(config, { dataDir: this.dataDir, seed });
      this.loaded.set(key, dataset);
      dataset.catch(() => this.loaded.delete(key));
      this.evict();
    }
    return dataset;
  }

  private evict(): void {
    while (this.loaded.size > this.capacity) {
      const [oldest, dataset] = this.loaded.entries().next().value as [string, Promise<Dataset>];
      this.loaded.delete(oldest);
      void dataset.then((d) => d.dispose?.(), () => undefined);
    }
  }

  async dispose(): Promise<void> {
    const all = [...this.loaded.values()];
    this.loaded.clear();
    for (const d of await Promise.allSettled(all)) if (d.status === 'fulfilled') d.value.dispose?.();
  }
}
