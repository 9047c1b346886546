import type { Amount } from '../money.js';
import type { PaymentResponseClaims, PaymentStatus } from '../payment-response.js';
import { isRetryable, type RejectionReason, type VerificationReason, type VerifiedReason } from './reasons.js';

/** Verdicts are their own token kind, so one can never pass for a payment response or back. */
export const VERIFICATION_RESULT_TYP = 'verification-result+jwt';

export interface PaymentSummary {
  paymentId: string;
  merchantId: string;
  orderId: string;
  amount: Amount;
  status: PaymentStatus;
  iat: number;
}

export interface VerificationResult {
  verified: boolean;
  paymentCompleted: boolean;
  reason: VerificationReason;
  retryable: boolean;
  /** Only when verified: unverified claims are nobody's facts. */
  payment?: PaymentSummary;
}

export function rejectedResult(reason: RejectionReason): VerificationResult {
  return { verified: false, paymentCompleted: false, reason, retryable: isRetryable(reason) };
}

/** A completed payment is exactly a verified one whose every other check said OK. */
export function verifiedResult(claims: PaymentResponseClaims, reason: VerifiedReason): VerificationResult {
  const { jti, merchantId, orderId, amount, status, iat } = claims;
  return {
    verified: true,
    paymentCompleted: reason === 'OK',
    reason,
    retryable: isRetryable(reason),
    payment: { paymentId: jti, merchantId, orderId, amount, status, iat },
  };
}

export interface VerdictClaims {
  nonce: string;
  iat: number;
  verified: boolean;
  paymentCompleted: boolean;
  reason: VerificationReason;
  /** The request's mode: when true, a completed payment was also confirmed by the ledger. */
  checkLedger: boolean;
  paymentId?: string;
  payment?: PaymentSummary;
}

/**
 * The claims of a signed verdict: the result bound to the caller's nonce. The payment's facts
 * come along so that a service relying on the verdict can match it to its own order.
 */
export function verdictClaimsOf(
  result: VerificationResult,
  context: { nonce: string; checkLedger: boolean; now: Date },
): VerdictClaims {
  return {
    nonce: context.nonce,
    iat: Math.floor(context.now.getTime() / 1000),
    verified: result.verified,
    paymentCompleted: result.paymentCompleted,
    reason: result.reason,
    checkLedger: context.checkLedger,
    ...(result.payment ? { paymentId: result.payment.paymentId, payment: result.payment } : {}),
  };
}
