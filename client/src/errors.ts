/**
 * The SDK's one error family. `code` is stable (switch on it, never on the message) and
 * `retryable` says whether calling again, with the same arguments, may succeed and is safe.
 */
export class SignedPayError extends Error {
  /** The Idempotency-Key of the settlement that failed: retry later with it, never with a new one. */
  idempotencyKey: string | undefined;

  constructor(
    readonly code: string,
    readonly retryable: boolean,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }
}

/** No answer: the network failed, the host refused the connection, or CORS blocked it. */
export class NetworkError extends SignedPayError {
  constructor(cause: unknown) {
    super('network-error', true, 'The service could not be reached', { cause });
  }
}

/** No answer within `timeoutMs`. For a settlement, the server may still have processed it: retry with the same key. */
export class TimeoutError extends SignedPayError {
  constructor(timeoutMs: number) {
    super('timeout', true, `The service did not answer within ${timeoutMs} ms`);
  }
}

/**
 * The service answered with an error status. `code` is the API's problem type (the README's
 * table: `validation-failed`, `idempotency-key-reused`, `request-in-flight`,
 * `processor-unavailable`, ...), or `http-error` when the answer was not a problem document
 * (a proxy or gateway answered). Retryable: 5xx, 408, 409 (in flight) and 429.
 */
export class ApiError extends SignedPayError {
  constructor(
    code: string,
    readonly status: number,
    message: string,
    /** The problem document's `detail`: what to do, written for developers. */
    readonly detail: string | undefined,
    /** From a Retry-After header in seconds: the least the caller should wait. */
    readonly retryAfterMs: number | undefined,
  ) {
    super(code, status >= 500 || status === 408 || status === 409 || status === 429, message);
  }
}

/** A success status whose body is not what the API answers: nothing in it is believed. */
export class InvalidResponseError extends SignedPayError {
  constructor(message: string) {
    super('invalid-response', false, message);
  }
}

/**
 * The verification service could not decide (its payment keys were unavailable, reason
 * KEYS_UNAVAILABLE). The payment is neither confirmed nor refused: ask again later.
 */
export class VerificationUnavailableError extends SignedPayError {
  constructor() {
    super('verification-unavailable', true, 'The verification service could not check the payment response yet');
  }
}

export type VerdictCheck = 'missing' | 'signature' | 'nonce' | 'payment-id' | 'result';

/**
 * The signed verdict did not prove the answer: it is missing, its signature or type is wrong,
 * it was issued for another request (nonce) or payment, or it says something else than the
 * answer's body. The answer was altered on the way, or is not from our verification service.
 */
export class VerdictRejectedError extends SignedPayError {
  constructor(
    readonly check: VerdictCheck,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('verdict-rejected', false, message, options);
  }
}

/** The keys that sign verdicts could not be fetched, so the verdict could not be checked yet. */
export class VerdictKeysUnavailableError extends SignedPayError {
  constructor(cause: unknown) {
    super('verdict-keys-unavailable', true, 'The verdict signing keys could not be fetched', { cause });
  }
}
