import { decodeCanonicalBase64url, parseCanonicalJsonObject } from '../verification/compact-jws.js';

/**
 * How long settlement replays a payment's signed response to the same Idempotency-Key and body:
 * 24 hours from when it was signed, as Stripe keeps its keys. The ledger keeps the payment for
 * ever, so the key never charges twice; after this, the same key is answered with what the payment
 * was (IdempotencyKeyExpiredError), not with its receipt. Key rotation depends on it: a signing key
 * may be retired once no replay can carry its signatures (infra/key-retirement.ts).
 */
export const IDEMPOTENT_REPLAY_LIFETIME_HOURS = 24;

const IDEMPOTENT_REPLAY_LIFETIME_MS = IDEMPOTENT_REPLAY_LIFETIME_HOURS * 3_600_000;

/**
 * Whether a stored response may still be replayed at `now`. Counted from when it was signed (its
 * `iat`), not from when the payment began: a payment resumed a day after a crash gets its full
 * day of replays. A response whose signing time cannot be read falls back to the record's
 * creation; if neither can be read it has expired: key retirement relies on the bound.
 */
export function isStillReplayed(paymentResponse: string, createdAt: string, now: Date): boolean {
  const signedAtMs = signedAtOf(paymentResponse) ?? Date.parse(createdAt);
  return Number.isFinite(signedAtMs) && now.getTime() - signedAtMs < IDEMPOTENT_REPLAY_LIFETIME_MS;
}

/** The `iat` of our own compact JWS, in ms, read as verification reads claims; the ledger holds only what settlement signed. */
function signedAtOf(paymentResponse: string): number | undefined {
  const payload = decodeCanonicalBase64url(paymentResponse.split('.')[1] ?? '');
  const iat = payload && parseCanonicalJsonObject(payload)?.iat;
  return typeof iat === 'number' && Number.isFinite(iat) ? iat * 1000 : undefined;
}
