import type { ProblemFieldError } from './types.js';

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
 * (API Gateway's own `{ "message": ... }` for 401, 403, 429, or a proxy). Retryable: 5xx, 408,
 * 409 (in flight) and 429. Quote `requestId` when you ask the service's operators about it.
 * `idempotency-key-expired` (410) is no failure of the payment: it exists (`problem.paymentId`,
 * `problem.paymentStatus`); only its response is no longer replayed.
 */
export class ApiError extends SignedPayError {
  readonly status: number;
  /** The problem `type` (e.g. `/problems/validation-failed`); undefined when the answer was not a problem document. */
  readonly type: string | undefined;
  readonly title: string;
  /** The problem's `detail`: what to do, written for developers. */
  readonly detail: string | undefined;
  /** Each refused field, with its `path` (validation problems); empty when the problem lists none. */
  readonly errors: readonly ProblemFieldError[];
  /** The service's id for this request (the `x-request-id` header), as its logs know it. */
  readonly requestId: string | undefined;
  /** From a Retry-After header: the least the caller should wait. */
  readonly retryAfterMs: number | undefined;
  /** The answer's JSON body as received, when it is an object: the problem document, or API Gateway's `{ message }`. */
  readonly problem: Readonly<Record<string, unknown>> | undefined;

  constructor(answer: ApiErrorFields) {
    const { status, code, title, detail } = answer;
    super(code, status >= 500 || status === 408 || status === 409 || status === 429, detail ? `${title}: ${detail}` : title);
    this.status = status;
    this.type = answer.type;
    this.title = title;
    this.detail = detail;
    this.errors = answer.errors;
    this.requestId = answer.requestId;
    this.retryAfterMs = answer.retryAfterMs;
    this.problem = answer.problem;
  }
}

export interface ApiErrorFields {
  status: number;
  code: string;
  type: string | undefined;
  title: string;
  detail: string | undefined;
  errors: readonly ProblemFieldError[];
  requestId: string | undefined;
  retryAfterMs: number | undefined;
  problem: Readonly<Record<string, unknown>> | undefined;
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
 * The signed verdict did not prove the answer: it is missing, its signature or type is wrong
 * (or, with pinned keys, its key's delegation does not hold: `check` 'signature', the message
 * says which part), it was issued for another request (nonce) or payment, or it says something
 * else than the answer's body. The answer was altered on the way, or is not from our verification service.
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

/**
 * The verdict could not be checked yet: the keys that sign verdicts could not be fetched, or the
 * verdict's key is not listed (yet) in the verdict key set (a container that began signing
 * moments ago; the key set is fetched again at most every 5 s). `detail`, when given, is the
 * message and says which. Ask again later: no payment is completed on such a verdict.
 */
export class VerdictKeysUnavailableError extends SignedPayError {
  constructor(cause: unknown, detail?: string) {
    super('verdict-keys-unavailable', true, detail ?? 'The verdict signing keys could not be fetched', { cause });
  }
}

/**
 * Why a configuration answer was refused:
 * - `unsigned`: it carries no `signature`;
 * - `signature`: its signature is not the config key's (another key, such as the verdict or
 *   payment key, a key not in `configKeys`, a changed payload), or its header is not exactly
 *   ES256, a kid and typ client-config+jwt;
 * - `claims`: the signed claims are not exactly iss, country, source, version, config, iat and exp, well formed;
 * - `url`: a legal URL is not an absolute https URL with a host and no credentials, signed or not;
 * - `country`: it was signed for another request (another country, or one the app did not ask for);
 * - `mismatch`: its body says something else than its signed claims;
 * - `expired`: its signature's `exp` has passed.
 */
export type ConfigCheck = 'unsigned' | 'signature' | 'claims' | 'url' | 'country' | 'mismatch' | 'expired';

/**
 * A configuration answer is not proven by the config key: it was altered on the way, replayed,
 * or is not from our service. Nothing of it is used or kept. `getConfig` rejects with it only
 * when it has neither a verified copy it may answer nor `defaults`.
 */
export class ConfigRejectedError extends SignedPayError {
  constructor(
    readonly check: ConfigCheck,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('config-rejected', false, message, options);
  }
}

/** The keys that sign configuration answers could not be fetched: the answer can be neither believed nor refused yet. Ask again later. */
export class ConfigKeysUnavailableError extends SignedPayError {
  constructor(cause: unknown) {
    super('config-keys-unavailable', true, 'The configuration signing keys could not be fetched', { cause });
  }
}

/**
 * The `auth` option gave no headers for a settle attempt: the function threw (its error is the
 * `cause`) or returned something other than header names and string values. The settlement
 * may have reached the service on an earlier attempt: retry later with `idempotencyKey`.
 */
export class AuthError extends SignedPayError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('auth-failed', false, message, options);
  }
}

/**
 * The runtime lacks the WebCrypto the call needs (`crypto.getRandomValues` for Idempotency-Keys
 * and nonces, `crypto.subtle` to check verdicts and configuration answers). Thrown before any request.
 */
export class WebCryptoUnavailableError extends SignedPayError {
  constructor(
    /** What is missing: `crypto.getRandomValues` or `crypto.subtle`. */
    readonly missing: 'crypto.getRandomValues' | 'crypto.subtle',
    purpose: string,
  ) {
    super(
      'webcrypto-unavailable',
      false,
      `globalThis.${missing} is missing, and the SDK needs it ${purpose}. Node.js 20+, Deno, workers and browsers have it ` +
        '(crypto.subtle only in secure contexts: https or localhost). In React Native, install a WebCrypto polyfill ' +
        '(getRandomValues and subtle, e.g. react-native-quick-crypto) before calling the SDK.',
    );
  }
}
