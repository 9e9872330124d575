// @anneal/tracker-mlflow: every run in MLflow, with the local run store as a loss-free spool.

// REST client
export { MlflowClient, abortableSleep, backoffMs, parseRetryAfter, guessContentType, type MlflowClientOptions, type CallOptions, type RetryInfo } from './client/mlflow-client.js';
export { MlflowApiError, isMlflowError, RETRYABLE_STATUSES } from './client/errors.js';
export { createNodeTransport, NetworkError, type HttpTransport, type HttpRequest, type HttpResponse } from './client/http-transport.js';
export type * from './client/types.js';

// environment
export {
  mlflowConfigFromEnv,
  classifyTrackingUri,
  trackingUriError,
  sanitizeTrackingUri,
  type MlflowEnvConfig,
  type HttpSettings,
  type Credentials,
  type TlsSettings,
  type TrackingUriKind,
} from './config/env-config.js';

// tracker
export { createTrackerFromEnv, type CreateTrackerOptions } from './tracker/create-tracker.js';
export { MlflowTracker, MlflowRunTracker, type MlflowTrackerOptions } from './tracker/mlflow-tracker.js';
export { killableTracker, installKillSignalHandlers, type KillableTracker, type KillSignalOptions } from './tracker/kill-signals.js';

// spool, sync, registry
export { readSyncState, SYNC_STATE_FILE, type SyncStateFile, type TargetState } from './spool/sync-state.js';
export { RUN_ID_TAG, TRUNCATED_TAG } from './spool/run-deliverer.js';
export { LIMITS, safeKey, truncateValue, splitBatches } from './spool/limits.js';
export { syncRuns, type SyncOptions, type SyncReport, type SyncRunResult, type MlflowConnectionOptions } from './sync/sync-runs.js';
export { registerModel, listModels, mlmodelYaml, validateAlias, type RegisterModelOptions, type RegisteredVersion, type ModelListing } from './registry/register-model.js';

// CLI
export { runMlflowCommand, runModelsCommand, type CliIo } from './cli/commands.js';
export { runMlflowUp, findMlflowExecutable, PINNED_MLFLOW_VERSION, INSTALL_HINT, type MlflowUpOptions } from './cli/mlflow-up.js';
