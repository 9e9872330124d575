import { AnnealError } from '@anneal/core';

/**
 * A failed MLflow REST call. `errorCode` is MLflow's `error_code` (e.g. RESOURCE_ALREADY_EXISTS, which
 * is HTTP 400) or, for non-JSON answers and network failures, one derived from the HTTP status /
 * failure kind, as the Python client's `verify_rest_response` does. Branch on `errorCode`.
 */
export class MlflowApiError extends AnnealError {
  constructor(
    readonly endpoint: string,
    /** HTTP status; 0 when no response arrived. */
    readonly httpStatus: number,
    readonly errorCode: string,
    readonly serverMessage: string,
    /** True when the request may succeed if sent again later (network, 408/429/5xx). */
    readonly retryable: boolean,
  ) {
    super('ANNEAL_ERR_TRACKING', `MLflow ${endpoint} failed: ${httpStatus ? `HTTP ${httpStatus} ` : ''}${errorCode}${serverMessage ? `: ${serverMessage}` : ''}`, {
      endpoint,
      httpStatus,
      errorCode,
    });
    this.name = 'MlflowApiError';
  }
}

export function isMlflowError(error: unknown, errorCode?: string): error is MlflowApiError {
  return error instanceof MlflowApiError && (errorCode === undefined || error.errorCode === errorCode);
}

/** HTTP statuses retried with backoff (the Python client's `_TRANSIENT_FAILURE_RESPONSE_CODES`). */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/** The error code Python derives from an HTTP status when the body is not an MLflow error. */
export function errorCodeForStatus(status: number): string {
  switch (status) {
    case 400:
      return 'BAD_REQUEST';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'ENDPOINT_NOT_FOUND';
    case 408:
      return 'DEADLINE_EXCEEDED';
    case 409:
      return 'RESOURCE_CONFLICT';
    case 429:
      return 'REQUEST_LIMIT_EXCEEDED';
    case 501:
      return 'NOT_IMPLEMENTED';
    case 503:
      return 'TEMPORARILY_UNAVAILABLE';
    case 504:
      return 'DEADLINE_EXCEEDED';
    default:
      return status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST';
  }
}
