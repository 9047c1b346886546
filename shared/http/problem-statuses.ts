import type { AppError, ErrorCode } from '../errors.js';

/**
 * What each error of ours means in HTTP. Below 500: the caller's to fix, told in full. 502 and
 * 503: a dependency failed, told in our fixed words (never the cause). Every code must be here.
 */
const STATUS_OF: Readonly<Record<ErrorCode, number>> = {
  'validation-failed': 400,
  'malformed-body': 400,
  'invalid-config': 400,
  'unknown-caller': 403,
  'merchant-suspended': 403,
  'merchant-mismatch': 403,
  'livemode-unavailable': 403,
  'config-version-not-found': 404,
  'request-in-flight': 409,
  'config-conflict': 409,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'idempotency-key-reused': 422,
  // Gone: what the key would replay is no longer served; not worth retrying.
  'idempotency-key-expired': 410,
  'processor-unavailable': 502,
  'ledger-unavailable': 503,
  'signing-unavailable': 503,
  'merchants-unavailable': 503,
  'keys-unavailable': 503,
  'config-unavailable': 503,
  'verdict-unavailable': 503,
};

export function statusOf(error: AppError): number {
  return STATUS_OF[error.code];
}
