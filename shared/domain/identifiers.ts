import * as z from '../zod.js';

/** Merchant and order ids appear in signed claims and ledger keys, so they stay boring. */
const boringId = () => z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 of A-Z, a-z, 0-9, _ and -'));
export const merchantIdSchema = boringId();
export const orderIdSchema = boringId();

/** As the IETF Idempotency-Key draft and Stripe: an opaque string the client chooses. */
export const idempotencyKeySchema = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
  .check(z.regex(/^[\x20-\x7E]{1,255}$/, 'must be 1 to 255 printable ASCII characters'));

export const paymentIdSchema = z.string().check(z.regex(/^pay_[A-Za-z0-9_-]{22,64}$/, 'is not a payment id'));
