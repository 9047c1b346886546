import { DeadlineExceededError } from './call-deadline.js';

/** Error names of the AWS SDK and its HTTP handler that say the service was not reachable in time, or overloaded. */
const OUTAGE_NAMES = new Set([
  'AbortError',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'InternalServerError',
  'ServiceUnavailable',
  'KMSInternalException',
  'DependencyTimeoutException',
  DeadlineExceededError.name,
]);

/** Socket failures: refused, reset, unreachable, or the name did not resolve. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

/**
 * An outage of a dependency, which retrying later may fix: the caller gets a 503 with
 * Retry-After. Anything else (a missing table, access denied, a malformed request) is our own
 * misconfiguration and stays a 500: telling the caller to retry would not help.
 */
export function isOutage(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code, $metadata, $retryable } = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  if (name !== undefined && OUTAGE_NAMES.has(name)) return true;
  if (code !== undefined && NETWORK_CODES.has(code)) return true;
  if ($retryable) return true;
  return ($metadata?.httpStatusCode ?? 0) >= 500;
}

/** Rethrows an outage as the dependency's own 503 error, anything else as it is. */
export function asOutage(error: unknown, unavailable: (cause: unknown) => Error): never {
  throw isOutage(error) ? unavailable(error) : error;
}
