import type { LocalRunStore, RunMeta } from '@anneal/core';
import { AnnealError } from '@anneal/core';
import type { CallOptions, MlflowClient } from '../client/mlflow-client.js';
import { LIMITS } from './limits.js';
import { RunDeliverer, type DeliveryContext } from './run-deliverer.js';

export interface DeliverySessionOptions {
  readonly client: MlflowClient;
  readonly store: LocalRunStore;
  readonly secrets?: readonly string[];
  readonly log: (line: string) => void;
  /** MLFLOW_EXPERIMENT_ID: every new top-level run goes there. */
  readonly experimentId?: string;
  /** MLFLOW_EXPERIMENT_NAME: else the recipe name. */
  readonly experimentName?: string;
}

/** Sessions of live MLflow trackers, by `<tracking URI>|<store home>`. */
const liveSessions = new Map<string, DeliverySession>();

/**
 * Shared state of the deliveries to one server in one process: the deliverer of each local run (so
 * a child finds its parent's MLflow run) and the experiment ids by name (get-or-create once).
 */
export class DeliverySession implements DeliveryContext {
  readonly client: MlflowClient;
  readonly store: LocalRunStore;
  readonly trackingUri: string;
  readonly secrets: readonly string[];
  private readonly deliverers = new Map<string, RunDeliverer>();
  private readonly experiments = new Map<string, Promise<string>>();
  private readonly options: DeliverySessionOptions;

  constructor(options: DeliverySessionOptions) {
    this.options = options;
    this.client = options.client;
    this.store = options.store;
    this.trackingUri = options.client.trackingUri;
    this.secrets = options.secrets ?? [];
  }

  /** The key under which a live tracker shares its session. */
  static key(trackingUri: string, storeHome: string): string {
    return `${trackingUri}|${storeHome}`;
  }

  /** The session of a live tracker for this server and store in this process, if any. */
  static live(trackingUri: string, storeHome: string): DeliverySession | undefined {
    return liveSessions.get(DeliverySession.key(trackingUri, storeHome));
  }

  /** @internal Makes this session the one `sync` / `registerModel` use in this process until `unregister`. */
  register(): void {
    liveSessions.set(DeliverySession.key(this.trackingUri, this.store.home), this);
  }

  /** @internal */
  unregister(): void {
    const key = DeliverySession.key(this.trackingUri, this.store.home);
    if (liveSessions.get(key) === this) liveSessions.delete(key);
  }

  log(line: string): void {
    let out = line;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join('***');
    this.options.log(out);
  }

  /** The deliverer of a local run (one per run and session). */
  deliverer(localRunId: string, extra?: ConstructorParameters<typeof RunDeliverer>[2]): RunDeliverer {
    let d = this.deliverers.get(localRunId);
    if (!d) {
      d = new RunDeliverer(this, localRunId, extra);
      this.deliverers.set(localRunId, d);
    } else if (extra) {
      d.configure(extra);
    }
    return d;
  }

  has(localRunId: string): boolean {
    return this.deliverers.has(localRunId);
  }

  async resolveExperiment(meta: RunMeta, opts: CallOptions): Promise<string> {
    if (this.options.experimentId) {
      const id = this.options.experimentId;
      return this.memo(`id:${id}`, async () => {
        const exp = await this.client.getExperiment(id, opts).catch((error) => {
          throw new AnnealError('ANNEAL_ERR_TRACKING', `MLFLOW_EXPERIMENT_ID=${id}: ${(error as Error).message}`);
        });
        if (exp.lifecycle_stage === 'deleted') await this.client.restoreExperiment(id, opts);
        return exp.experiment_id;
      });
    }
    const name = (this.options.experimentName ?? meta.recipe).slice(0, LIMITS.maxExperimentNameLength);
    return this.memo(`name:${name}`, async () => {
      const { experiment, created, restored } = await this.client.getOrCreateExperiment(name, opts);
      if (created) this.log(`created MLflow experiment '${name}' (id ${experiment.experiment_id})`);
      if (restored) this.log(`MLflow experiment '${name}' (id ${experiment.experiment_id}) was deleted; restored it`);
      return experiment.experiment_id;
    });
  }

  private memo(key: string, fn: () => Promise<string>): Promise<string> {
    let p = this.experiments.get(key);
    if (!p) {
      p = fn();
      this.experiments.set(key, p);
      // A failure is not cached: the next pass asks again.
      p.catch(() => this.experiments.delete(key));
    }
    return p;
  }

  async resolveParent(localParentId: string, opts: CallOptions): Promise<{ runId: string; experimentId: string } | undefined> {
    if (!this.deliverers.has(localParentId) && !this.store.hasRun(localParentId)) return undefined;
    const parent = this.deliverer(localParentId);
    await parent.ensureRun(opts);
    return { runId: parent.mlflowRunId!, experimentId: parent.experimentId! };
  }
}
