import { z } from 'zod';
import { merchantIdSchema, orderIdSchema } from '../identifiers.js';
import type { LedgerRecord } from '../ledger-record.js';
import { amountSchema, sameAmount } from '../money.js';
import type { PaymentResponseClaims } from '../payment-response.js';
import type { VerifiedReason } from './reasons.js';

/** What the caller expects the payment to be; every field given must equal the signed claim. */
export const expectedPaymentSchema = z.strictObject({
  merchantId: merchantIdSchema.optional(),
  orderId: orderIdSchema.optional(),
  amount: amountSchema.optional(),
});

export type ExpectedPayment = z.infer<typeof expectedPaymentSchema>;

/**
 * What a verified payment response says about the caller's payment. Whose payment and which
 * order come before how much, and all of them before the status: a response for another payment
 * says nothing about the caller's, and "not settled" would wrongly suggest the caller's own
 * payment was declined, when what it holds is someone else's response (a replay).
 */
export function assessPayment(
  claims: PaymentResponseClaims,
  expected: ExpectedPayment = {},
): Exclude<VerifiedReason, 'NOT_IN_LEDGER'> {
  if (expected.merchantId !== undefined && expected.merchantId !== claims.merchantId) return 'MISMATCH_MERCHANT';
  if (expected.orderId !== undefined && expected.orderId !== claims.orderId) return 'MISMATCH_ORDER';
  if (expected.amount !== undefined && !sameAmount(expected.amount, claims.amount)) return 'MISMATCH_AMOUNT';
  if (claims.status !== 'SETTLED') return 'NOT_SETTLED';
  return 'OK';
}

/** The ledger confirms a payment response when it holds the payment with the same facts. */
export function ledgerConfirms(claims: PaymentResponseClaims, record: LedgerRecord | undefined): boolean {
  return (
    record !== undefined &&
    record.paymentId === claims.jti &&
    record.merchantId === claims.merchantId &&
    record.orderId === claims.orderId &&
    typeof record.amount === 'object' &&
    record.amount !== null &&
    sameAmount(record.amount, claims.amount) &&
    record.status === claims.status
  );
}
