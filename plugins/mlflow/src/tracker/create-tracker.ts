import { LocalRunStore, resolveAnnealHome, type Tracker } from '@anneal/core';
import { mlflowConfigFromEnv } from '../config/env-config.js';
import { MlflowTracker, type MlflowTrackerOptions } from './mlflow-tracker.js';

export interface CreateTrackerOptions extends Partial<Omit<MlflowTrackerOptions, 'config' | 'store'>> {
  /** Environment to read (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** The local run store (default: the one at ANNEAL_HOME / ./.anneal). */
  readonly store?: LocalRunStore;
}

/**
 * The tracker the environment asks for: the local store itself when MLFLOW_TRACKING_URI is unset or
 * empty, the MLflow tracker (local spool + background delivery) for an http(s) URI. Throws
 * AnnealError ANNEAL_ERR_TRACKING_URI for sqlite:/file:/plain-path URIs, with the
 * `mlflow server --backend-store-uri …` command that serves them. Never touches the network.
 */
export function createTrackerFromEnv(options: CreateTrackerOptions = {}): Tracker {
  const env = options.env ?? process.env;
  const store = options.store ?? new LocalRunStore(resolveAnnealHome(env));
  const config = mlflowConfigFromEnv(env);
  if (!config) return store;
  const { env: _env, store: _store, ...rest } = options;
  return new MlflowTracker({ ...rest, config, store });
}
