/**
 * Every error code of the API: the problem `type` is `/problems/<code>`. shared/http maps each
 * to its HTTP status (a code without a status there does not compile).
 */
export type ErrorCode =
  | 'validation-failed'
  | 'malformed-body'
  | 'unsupported-media-type'
  | 'payload-too-large'
  | 'idempotency-key-reused'
  | 'idempotency-key-expired'
  | 'request-in-flight'
  | 'unknown-caller'
  | 'merchant-suspended'
  | 'merchant-mismatch'
  | 'livemode-unavailable'
  | 'processor-unavailable'
  | 'ledger-unavailable'
  | 'signing-unavailable'
  | 'merchants-unavailable'
  | 'keys-unavailable'
  | 'config-unavailable'
  | 'verdict-unavailable'
  | 'invalid-config'
  | 'config-conflict'
  | 'config-version-not-found';

/**
 * The one error family of the project. Each error has a stable `code` (part of the API: it
 * becomes the problem `type`), a `title` and a `detail` written for the caller. What it means
 * in HTTP is shared/http's business (problem-statuses.ts); errors of dependencies that fail
 * (status 5xx there) never show their cause to the caller.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly title: string,
    readonly detail: string,
    options?: { cause?: unknown; extensions?: Record<string, unknown>; retryAfterSeconds?: number },
  ) {
    super(detail, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.extensions = options?.extensions;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
  readonly extensions: Record<string, unknown> | undefined;
  /** For failures that pass: becomes a Retry-After header, so clients back off by what we know. */
  readonly retryAfterSeconds: number | undefined;
}

export type ValidationIssue = { path: string; message: string };

export class ValidationError extends AppError {
  constructor(detail: string, readonly issues: ValidationIssue[] = []) {
    super('validation-failed', 'Request is invalid', detail, issues.length ? { extensions: { errors: issues } } : undefined);
  }
}

export class MalformedBodyError extends AppError {
  constructor(detail: string) {
    super('malformed-body', 'Request body is not valid JSON', detail);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(detail: string) {
    super('unsupported-media-type', 'Unsupported media type', detail);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number) {
    super('payload-too-large', 'Request body is too large', `The request body must be at most ${limitBytes} bytes.`);
  }
}

export class IdempotencyKeyReusedError extends AppError {
  constructor() {
    super(
      'idempotency-key-reused',
      'Idempotency-Key was used with a different request',
      'This Idempotency-Key was already used for a request with a different body. Use a new key for a new payment.',
    );
  }
}

export class IdempotencyKeyExpiredError extends AppError {
  constructor(paymentId: string, paymentStatus: string, createdAt: string, lifetimeHours: number) {
    super(
      'idempotency-key-expired',
      'Idempotency-Key has expired',
      `This Idempotency-Key began payment ${paymentId} at ${createdAt}; it is ${paymentStatus} and will not be charged again. ` +
        `Its signed response is replayed for ${lifetimeHours} hours only: keep the one from the first answer, and use a new key for a new payment.`,
      { extensions: { paymentId, paymentStatus } },
    );
  }
}

export class RequestInFlightError extends AppError {
  constructor() {
    super(
      'request-in-flight',
      'A request with this Idempotency-Key is in progress',
      'A request with this Idempotency-Key is still being processed. Retry after a short delay with the same key.',
      { retryAfterSeconds: 1 },
    );
  }
}

/**
 * The route's authorizer let the caller in, but the merchant registry does not know it: only a
 * merchant's registered callers act for it.
 */
export class UnknownCallerError extends AppError {
  constructor(callerId: string | undefined) {
    super(
      'unknown-caller',
      'The caller acts for no merchant',
      callerId === undefined
        ? 'The request carries no caller identity from an IAM or JWT authorizer, so it acts for no merchant.'
        : `The caller '${callerId}' is not registered for any merchant. An operator registers it with 'npm run merchants -- add-caller <merchantId> --caller <identity>'.`,
    );
  }
}

export class MerchantSuspendedError extends AppError {
  constructor(merchantId: string) {
    super('merchant-suspended', 'The merchant is suspended', `Merchant ${merchantId} is suspended and cannot take payments. Ask the operator to resume it.`);
  }
}

/** A caller names another merchant than its own in the body: never believed, always refused. */
export class MerchantMismatchError extends AppError {
  constructor(callerMerchantId: string, bodyMerchantId: string) {
    super(
      'merchant-mismatch',
      'The body names another merchant',
      `You act for merchant ${callerMerchantId}, but the body names ${bodyMerchantId}. Omit merchantId or send your own.`,
      { extensions: { errors: [{ path: 'merchantId', message: `must be ${callerMerchantId} (the caller's merchant) or omitted` }] } },
    );
  }
}

/** A live merchant on a deployment whose processor moves no money: a sandbox receipt would be a lie. */
export class LivemodeUnavailableError extends AppError {
  constructor(merchantId: string, processor: string) {
    super(
      'livemode-unavailable',
      'Live payments are not available',
      `Merchant ${merchantId} is live, but this deployment's payment processor '${processor}' settles test merchants only. Nothing was charged or signed; the operator must configure a real processor.`,
    );
  }
}

/**
 * The processor could not say what happened. It may have charged: only a retry with the same
 * Idempotency-Key and body is safe (it reaches the same charge); a new key could charge twice.
 */
export class ProcessorUnavailableError extends AppError {
  constructor(cause?: unknown) {
    super(
      'processor-unavailable',
      'The payment processor failed',
      'The payment processor did not confirm the payment, so its outcome is unknown and nothing was signed. Retry with the same Idempotency-Key and body (never a new key): the payment is resumed, never charged twice.',
      { cause, retryAfterSeconds: 1 },
    );
  }
}

/** How long a caller should wait before retrying after one of our dependencies failed. */
const OUTAGE_RETRY_AFTER_SECONDS = 2;

/**
 * The ledger could not be reached in time. For verification with checkLedger no reason code fits
 * (NOT_IN_LEDGER would claim the ledger said no), and for settlement nothing may be assumed: both
 * get this 503 and retry. Settlement's retry with the same Idempotency-Key resumes the payment.
 */
export class LedgerUnavailableError extends AppError {
  constructor(cause: unknown) {
    super(
      'ledger-unavailable',
      'The ledger could not be reached',
      'The payment ledger could not be reached in time; nothing was decided. Retry shortly with the same request (for a settlement, the same Idempotency-Key).',
      { cause, retryAfterSeconds: OUTAGE_RETRY_AFTER_SECONDS },
    );
  }
}

/** KMS did not sign in time: nothing was released. The retry with the same Idempotency-Key resumes the payment. */
export class SigningUnavailableError extends AppError {
  constructor(cause: unknown) {
    super(
      'signing-unavailable',
      'The payment response could not be signed',
      'The signing service could not be reached in time, so no payment response was released. Retry shortly with the same Idempotency-Key: the payment is resumed, never charged twice.',
      { cause, retryAfterSeconds: OUTAGE_RETRY_AFTER_SECONDS },
    );
  }
}

/** The merchant registry could not be read, so nobody can be told whom they act for: nothing was charged. */
export class MerchantRegistryUnavailableError extends AppError {
  constructor(cause: unknown) {
    super(
      'merchants-unavailable',
      'The merchant registry could not be reached',
      'Who you act for could not be looked up in time; nothing was charged. Retry shortly with the same Idempotency-Key.',
      { cause, retryAfterSeconds: OUTAGE_RETRY_AFTER_SECONDS },
    );
  }
}

/** The public keys could not be loaded from KMS and none were known yet. */
export class KeysUnavailableError extends AppError {
  constructor(cause: unknown) {
    super('keys-unavailable', 'The public keys could not be loaded', 'The public keys could not be loaded in time. Retry shortly.', {
      cause,
      retryAfterSeconds: OUTAGE_RETRY_AFTER_SECONDS,
    });
  }
}

/** Why no configuration was answered: it could not be read, or it was read but could not be signed. */
const CONFIG_UNAVAILABLE_DETAILS = {
  unread: 'The configuration for this country could not be read in time, and this server knows no earlier copy of it.',
  unsigned:
    'The configuration for this country could not be signed in time, and this server holds no unexpired signature of it; an unsigned answer would be refused.',
} as const;

/**
 * No configuration that is right for the caller's country could be read (or signed): better a
 * 503 (the SDK then uses its stored copy) than another country's currency and legal texts, or an
 * answer nobody can check.
 */
export class ConfigUnavailableError extends AppError {
  constructor(cause?: unknown, why: keyof typeof CONFIG_UNAVAILABLE_DETAILS = 'unread') {
    super(
      'config-unavailable',
      'The configuration is unavailable',
      `${CONFIG_UNAVAILABLE_DETAILS[why]} Retry shortly, or use the app's stored configuration.`,
      { cause, retryAfterSeconds: OUTAGE_RETRY_AFTER_SECONDS },
    );
  }
}

/** The caller sent a nonce and must get a signed verdict: without one the answer is useless to it. */
export class VerdictUnavailableError extends AppError {
  constructor(cause: unknown) {
    super(
      'verdict-unavailable',
      'The verdict could not be signed',
      'The verification result could not be signed for your nonce. Retry shortly with the same request.',
      { cause, retryAfterSeconds: OUTAGE_RETRY_AFTER_SECONDS },
    );
  }
}

/** `root` names the input itself (a header, the body) for problems with the whole value. */
export function zodIssuesToValidationIssues(
  issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>,
  root = '(body)',
): ValidationIssue[] {
  return issues.map((issue) => ({ path: issue.path.map(String).join('.') || root, message: issue.message }));
}
