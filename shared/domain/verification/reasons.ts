/**
 * The stable reason codes of a verification result, in precedence order: when a payment
 * response fails several checks, the result names the first one in this list. The order
 * follows the rule itself (structure, header, key, signature, claims, and for a delegated key
 * whether its delegation covers the token: DELEGATION_EXPIRED needs the signed `iat`), then what the signed
 * claims say about the caller's payment (whose payment, which order, how much, settled or
 * not), then the ledger, the authority that can only take a completion away.
 */
export const REASON_PRECEDENCE = [
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
  'OK',
] as const;

export type VerificationReason = (typeof REASON_PRECEDENCE)[number];

/** Reasons after which the payment response is known to be ours and intact (`verified: true`). */
export type VerifiedReason = Extract<
  VerificationReason,
  'OK' | 'MISMATCH_MERCHANT' | 'MISMATCH_ORDER' | 'MISMATCH_AMOUNT' | 'NOT_SETTLED' | 'NOT_IN_LEDGER'
>;

/** Reasons that say the token is not a valid payment response of ours, or could not be checked. */
export type RejectionReason = Exclude<VerificationReason, VerifiedReason>;

/**
 * Only a failure of ours can change on retry. A bad token stays bad, so telling the caller
 * to retry it would only invite a loop.
 */
export function isRetryable(reason: VerificationReason): boolean {
  return reason === 'KEYS_UNAVAILABLE';
}
