/** The API's shapes as the SDK exposes them (README: API). Money is integer minor units plus an ISO 4217 code. */

export interface Amount {
  /** Minor units: 1999 is 19.99 USD, 500 is 500 JPY. */
  value: number;
  currency: string;
}

export type PaymentStatus = 'SETTLED' | 'DECLINED';

export interface SettlementRequest {
  /** Optional: the service settles for the merchant your credentials act for; if given, it must be that one. */
  merchantId?: string;
  orderId: string;
  amount: Amount;
  /** Sandbox tokens: `tok_success`, `tok_decline`, `tok_error`. */
  paymentMethod: { type: 'card'; token: string };
}

export interface Settlement {
  paymentId: string;
  status: PaymentStatus;
  /** The signed payment response data: confirm it with `confirmPayment` before believing it. */
  paymentResponse: string;
  /** The key the settlement was made under (yours, or the one the SDK created). */
  idempotencyKey: string;
  /** The service answered from its idempotency store: an earlier attempt had already settled. */
  replayed: boolean;
}

/** One thing a problem refuses (its `errors` extension): `path` is a dotted field (`amount.currency`), a header's name, or `(body)`. */
export interface ProblemFieldError {
  path: string;
  message: string;
}

export type CountrySource = 'query' | 'cloudfront' | 'accept-language' | 'default';

export interface CountryConfig {
  currency: string;
  /** A canonical BCP 47 tag, ready for Intl. */
  locale: string;
  paymentMethods: string[];
  features: Record<string, boolean>;
  legal: { termsUrl: string; privacyUrl: string };
}

/** What GET /v1/config answers. Its members are believed only as its `signature` says them. */
export interface ConfigResponse {
  /** ISO 3166-1 alpha-2, or null when nothing said where the client is. */
  country: string | null;
  source: CountrySource;
  version: string;
  config: CountryConfig;
  /**
   * A compact JWS (ES256, typ client-config+jwt) by the config key, whose claims are country,
   * source, version and config with iss, iat and exp. The SDK refuses an answer without it.
   */
  signature?: string;
}

/**
 * Where a configuration comes from:
 * - `network`: the service's answer to this call (a 200, or a 304 that renewed the copy), verified;
 * - `cache`: the copy of a verified answer (memory or `storage`), verified again when it was loaded;
 * - `defaults`: the app's own `defaults`: no verified answer could be used.
 */
export type ConfigFrom = 'network' | 'cache' | 'defaults';

export interface ClientConfig extends Omit<ConfigResponse, 'signature'> {
  /**
   * Not known to be current: the service could not be reached (or its answer was refused) and
   * this is the last good configuration or the app's defaults, or the service itself said it
   * served its last known one (`x-config-stale`).
   */
  stale: boolean;
  from: ConfigFrom;
}

/**
 * The app's own configuration (the `defaults` option), answered when no verified one can be:
 * before the first verified answer, or once the copy is past its exp and stale window, while the
 * service cannot be reached or is refused. Checked by createClient as the SDK checks a signed
 * answer (https legal URLs included); answered with `country: null`, `source: 'default'` and
 * `version` (default 'defaults').
 */
export interface ConfigDefaults {
  version?: string;
  config: CountryConfig;
}

export const VERIFICATION_REASONS = [
  'OK',
  'MALFORMED',
  'UNSUPPORTED_ALGORITHM',
  'WRONG_TYPE',
  'UNKNOWN_KEY',
  'KEYS_UNAVAILABLE',
  'DELEGATION_REVOKED',
  'BAD_SIGNATURE',
  'INVALID_CLAIMS',
  'DELEGATION_EXPIRED',
  'MISMATCH_MERCHANT',
  'MISMATCH_ORDER',
  'MISMATCH_AMOUNT',
  'NOT_SETTLED',
  'NOT_IN_LEDGER',
] as const;

export type VerificationReason = (typeof VERIFICATION_REASONS)[number];

/** The payment as its signed response says, present only when the signature verified. */
export interface PaymentSummary {
  paymentId: string;
  merchantId: string;
  orderId: string;
  amount: Amount;
  status: PaymentStatus;
  /** False for a test merchant's (sandbox) payment: no money moved. */
  livemode: boolean;
  /** Issued at, seconds since the epoch. */
  iat: number;
}

/**
 * The order the app is paying for: a payment completes only if its signed response is for this
 * merchant, this order and this amount. All required: order ids are per merchant and guessable,
 * so a genuine payment to another merchant, for another order, or a replayed cheaper one, must
 * never confirm this one.
 */
export interface ExpectedPayment {
  /** 1 to 64 of A-Z, a-z, 0-9, _ and -, as the API accepts. */
  merchantId: string;
  orderId: string;
  amount: Amount;
}

/** An ES256 public key as a JWK Set lists it. */
interface Es256PublicJwk {
  /** "EC": signed with ES256. */
  kty: string;
  /** "P-256". */
  crv: string;
  x: string;
  y: string;
  kid?: string;
  alg?: string;
  use?: string;
  /** A private key member: never in an app. */
  d?: never;
}

/** A public key that signs verdicts, as a JWK of /.well-known/verdict-jwks.json. */
export interface VerdictPublicKey extends Es256PublicJwk {
  /**
   * A delegated key's delegation (delegated signing mode), as the service lists it: such a key is
   * never pinned, only checked through its delegation.
   */
  delegation?: string;
}

/** A JWK Set of verdict keys, e.g. /.well-known/verdict-jwks.json as it was when the app was built. */
export interface VerdictKeySet {
  keys: VerdictPublicKey[];
}

/** A public key that signs configuration answers, as a JWK of /.well-known/config-jwks.json. */
export type ConfigPublicKey = Es256PublicJwk;

/** A JWK Set of config keys, e.g. /.well-known/config-jwks.json as it was when the app was built. */
export interface ConfigKeySet {
  keys: ConfigPublicKey[];
}

export interface ConfirmOptions {
  /**
   * Send a fresh nonce and accept the answer only with a verdict signed for that nonce and
   * payment by a key of the client's `verdictKeys` (by default, `baseUrl`'s
   * /.well-known/verdict-jwks.json: see `verdictKeys` for what that does and does not prove).
   */
  nonce?: boolean;
  /** Also confirm the payment against the ledger (the authoritative mode). */
  checkLedger?: boolean;
  /** Abandons the call: it rejects with `signal.reason` (an `AbortError`) and is not retried. */
  signal?: AbortSignal;
}

export interface ConfigOptions {
  /** ISO 3166-1 alpha-2, any case; omit it to let the service find the client's country. */
  country?: string;
  /** Abandons the call: it rejects with `signal.reason` (an `AbortError`), even when a stored copy exists. */
  signal?: AbortSignal;
}

export interface PaymentConfirmation {
  /** True only when the verification service said so: verified, settled, and as expected. */
  completed: boolean;
  /** The payment response carries our valid signature (it may still be declined or another order's). */
  verified: boolean;
  reason: VerificationReason;
  /** Only when verified: false for a test merchant's (sandbox) payment, in which no money moved. */
  livemode?: boolean;
  payment?: PaymentSummary;
  /** The signed verdict (nonce mode), checked: forward it to your server as proof. */
  verdict?: string;
}
