/**
 * How long settlement replays a payment's signed response to the same Idempotency-Key and body:
 * 24 hours from when the payment began, as Stripe keeps its keys. The ledger keeps the payment for
 * ever, so the key never charges twice; after this, the same key is answered with what the payment
 * was (IdempotencyKeyExpiredError), not with its receipt. Key rotation depends on it: a signing key
 * may be retired once no replay can carry its signatures (infra/key-retirement.ts).
 */
export const IDEMPOTENT_REPLAY_LIFETIME_HOURS = 24;

export const IDEMPOTENT_REPLAY_LIFETIME_MS = IDEMPOTENT_REPLAY_LIFETIME_HOURS * 3_600_000;
