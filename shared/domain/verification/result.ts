import type { Amount } from '../money.js';
import type { PaymentResponseClaims, PaymentStatus } from '../settlement/payment-response.js';
import type { ExpectedPayment } from './expectations.js';
import { isRetryable, type RejectionReason, type VerificationReason, type VerifiedReason } from './reasons.js';

/** Verdicts are their own token kind, so one can never pass for a payment response or back. */
export const VERIFICATION_RESULT_TYP = 'verification-result+jwt';

export interface PaymentSummary {
  paymentId: string;
  merchantId: string;
  orderId: string;
  amount: Amount;
  status: PaymentStatus;
  livemode: boolean;
  iat: number;
}

/** What a result was checked against: a verdict proves nothing about a payment it does not name. */
export interface CheckedAgainst {
  expected: ExpectedPayment;
  /** When true, a completed payment was also confirmed by the ledger. */
  checkLedger: boolean;
}

export interface VerificationResult extends CheckedAgainst {
  verified: boolean;
  paymentCompleted: boolean;
  reason: VerificationReason;
  retryable: boolean;
  /** Only when verified: false for a test merchant's (sandbox) payment, in which no money moved. */
  livemode?: boolean;
  /** Only when verified: unverified claims are nobody's facts. */
  payment?: PaymentSummary;
}

export function rejectedResult(reason: RejectionReason, checked: CheckedAgainst): VerificationResult {
  return { verified: false, paymentCompleted: false, reason, retryable: isRetryable(reason), ...checked };
}

/** A completed payment is exactly a verified one whose every other check said OK. */
export function verifiedResult(claims: PaymentResponseClaims, reason: VerifiedReason, checked: CheckedAgainst): VerificationResult {
  const { jti, merchantId, orderId, amount, status, livemode, iat } = claims;
  return {
    verified: true,
    paymentCompleted: reason === 'OK',
    reason,
    retryable: isRetryable(reason),
    ...checked,
    livemode,
    payment: { paymentId: jti, merchantId, orderId, amount, status, livemode, iat },
  };
}

export interface VerdictClaims extends CheckedAgainst {
  nonce: string;
  iat: number;
  verified: boolean;
  paymentCompleted: boolean;
  reason: VerificationReason;
  livemode?: boolean;
  paymentId?: string;
  payment?: PaymentSummary;
}

/**
 * The claims of a signed verdict: the result bound to the caller's nonce and to what it was
 * checked against (`expected`, `checkLedger`), so that a service relying on the verdict alone
 * can tell it is about its own order and amount, and whether money moved (`livemode`).
 */
export function verdictClaimsOf(result: VerificationResult, context: { nonce: string; now: Date }): VerdictClaims {
  return {
    nonce: context.nonce,
    iat: Math.floor(context.now.getTime() / 1000),
    verified: result.verified,
    paymentCompleted: result.paymentCompleted,
    reason: result.reason,
    expected: result.expected,
    checkLedger: result.checkLedger,
    ...(result.payment ? { livemode: result.payment.livemode, paymentId: result.payment.paymentId, payment: result.payment } : {}),
  };
}
