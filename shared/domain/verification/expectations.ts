import * as z from '../../zod.js';
import { merchantIdSchema, orderIdSchema } from '../identifiers.js';
import { isCompleted, type LedgerRecord } from '../settlement/ledger-record.js';
import { amountSchema, sameAmount } from '../money.js';
import type { PaymentResponseClaims } from '../settlement/payment-response.js';
import type { VerifiedReason } from './reasons.js';

/**
 * The payment the caller is about to trust: whose, for which order, how much. All three are
 * required: order ids are per merchant and guessable, so a genuine payment to one merchant
 * must never complete another merchant's order, nor a cheaper payment a dearer one.
 */
export const expectedPaymentSchema = z.strictObject(
  {
    merchantId: merchantIdSchema,
    orderId: orderIdSchema,
    amount: amountSchema,
  },
  { error: (issue) => (issue.input === undefined ? 'is required: the merchantId, orderId and amount of the payment you expect' : undefined) },
);

export type ExpectedPayment = z.infer<typeof expectedPaymentSchema>;

/**
 * What a verified payment response says about the caller's payment. Whose payment and which
 * order come before how much, and all of them before the status: a response for another payment
 * says nothing about the caller's, and "not settled" would wrongly suggest the caller's own
 * payment was declined, when what it holds is someone else's response (a replay).
 */
export function assessPayment(claims: PaymentResponseClaims, expected: ExpectedPayment): Exclude<VerifiedReason, 'NOT_IN_LEDGER'> {
  if (expected.merchantId !== claims.merchantId) return 'MISMATCH_MERCHANT';
  if (expected.orderId !== claims.orderId) return 'MISMATCH_ORDER';
  if (!sameAmount(expected.amount, claims.amount)) return 'MISMATCH_AMOUNT';
  if (claims.status !== 'SETTLED') return 'NOT_SETTLED';
  return 'OK';
}

/** The ledger confirms a payment response when it holds the payment, completed, with the same facts. */
export function ledgerConfirms(claims: PaymentResponseClaims, record: LedgerRecord | undefined): boolean {
  return (
    record !== undefined &&
    isCompleted(record) &&
    (record.livemode ?? false) === claims.livemode &&
    record.paymentId === claims.jti &&
    record.merchantId === claims.merchantId &&
    record.orderId === claims.orderId &&
    typeof record.amount === 'object' &&
    record.amount !== null &&
    sameAmount(record.amount, claims.amount) &&
    record.status === claims.status
  );
}
