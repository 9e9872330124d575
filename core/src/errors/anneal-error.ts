/** Error codes raised at boot (and a few at run time). Stable strings: tests and users match on them. */
export type AnnealErrorCode =
  | 'ANNEAL_ERR_PLUGIN_UNKNOWN'
  | 'ANNEAL_ERR_PLUGIN_DUPLICATE'
  | 'ANNEAL_ERR_PLUGIN_KIND'
  | 'ANNEAL_ERR_PLUGIN_LOAD'
  | 'ANNEAL_ERR_PLUGIN_REQUIRES'
  | 'ANNEAL_ERR_CONFIG_VALUE'
  | 'ANNEAL_ERR_CONFIG_KEY'
  | 'ANNEAL_ERR_HOOK_UNKNOWN'
  | 'ANNEAL_ERR_HOOK_NOT_ALLOWED'
  | 'ANNEAL_ERR_HOOK_CARDINALITY'
  | 'ANNEAL_ERR_ORDER_CYCLE'
  | 'ANNEAL_ERR_ORDER_CONFLICT'
  | 'ANNEAL_ERR_RECIPE_UNKNOWN'
  | 'ANNEAL_ERR_RECIPE_INVALID'
  | 'ANNEAL_ERR_DATA_MISSING'
  | 'ANNEAL_ERR_DATA_CORRUPT'
  | 'ANNEAL_ERR_BACKEND'
  | 'ANNEAL_ERR_BACKEND_BUILD'
  | 'ANNEAL_ERR_RUN_UNKNOWN'
  | 'ANNEAL_ERR_RESUME'
  | 'ANNEAL_ERR_TRIAL_FAILED'
  | 'ANNEAL_ERR_QUEUE_URL'
  | 'ANNEAL_ERR_QUEUE_UNREACHABLE'
  | 'ANNEAL_ERR_TRANSFORM_ASYNC'
  | 'ANNEAL_ERR_NON_FINITE'
  | 'ANNEAL_ERR_CLI_USAGE'
  | 'ANNEAL_ERR_TRACKING'
  | 'ANNEAL_ERR_TRACKING_URI'
  | 'ANNEAL_ERR_GRAPH_CAPTURE';

/** A coded error. `message` says what was wrong, with the offending value, and how to fix it. */
export class AnnealError extends Error {
  readonly code: AnnealErrorCode;
  readonly details: Readonly<Record<string, unknown>>;
  constructor(code: AnnealErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(`${code}: ${message}`);
    this.name = 'AnnealError';
    this.code = code;
    this.details = Object.freeze({ ...details });
  }
}

export function isAnnealError(error: unknown, code?: AnnealErrorCode): error is AnnealError {
  return error instanceof AnnealError && (code === undefined || error.code === code);
}
