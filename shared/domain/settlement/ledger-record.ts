import type { Amount } from '../money.js';
import type { PaymentStatus } from './payment-response.js';

/**
 * One record per payment, and the only idempotency mechanism of settlement. It is written as
 * *pending* (what was asked, by whom, under which lock) before the processor is called, and
 * completed with the signed response before that response is released. So a retry always
 * meets the request it retries: another body is refused, a crash resumes the same payment.
 */
export interface LedgerRecord {
  paymentId: string;
  merchantId: string;
  orderId: string;
  amount: Amount;
  /** The merchant's mode when the payment began; records from before modes existed lack it (all test). */
  livemode?: boolean;
  /** SHA-256 of the canonical request: tells a retry from a reuse of the key for another payment. */
  requestFingerprint: string;
  createdAt: string;
  /** Completed records only: the outcome and the compact JWS returned to the client, replayed verbatim. */
  status?: PaymentStatus;
  paymentResponse?: string;
  /**
   * Completed records only: the kid that signed the response, a KMS key id or a delegated key's
   * thumbprint (whose delegation the registry keeps for audit). Absent on records from before it.
   */
  signedBy?: string;
  /** Pending records only: who is settling it, and until when (epoch ms) nobody else may. */
  lockToken?: string;
  lockExpiresAt?: number;
}

export type CompletedLedgerRecord = LedgerRecord & { status: PaymentStatus; paymentResponse: string };

export function isCompleted(record: LedgerRecord): record is CompletedLedgerRecord {
  return typeof record.paymentResponse === 'string' && record.status !== undefined;
}

export interface PaymentLock {
  token: string;
  /** Epoch milliseconds: the invocation that holds it has ended by then, one way or another. */
  expiresAt: number;
}

/** What completing a payment writes into its record. */
export interface CompletedPayment {
  status: PaymentStatus;
  paymentResponse: string;
  signedBy: string;
}

export type LedgerBegin = { begun: true } | { begun: false; existing: LedgerRecord };

export interface Ledger {
  get(paymentId: string): Promise<LedgerRecord | undefined>;
  /** Writes the pending record unless a record with its paymentId exists; then returns that one. */
  begin(pending: LedgerRecord & { lockToken: string; lockExpiresAt: number }): Promise<LedgerBegin>;
  /** Takes over a pending record whose lock `expiredToken` has run out; false if another attempt did first. */
  takeOver(paymentId: string, expiredToken: string, lock: PaymentLock): Promise<boolean>;
  /**
   * Completes the pending record held with `lockToken`. Returns the stored record: the completed
   * one, or, if the lock was lost, whatever another attempt left (completed or pending).
   */
  complete(paymentId: string, lockToken: string, outcome: CompletedPayment): Promise<LedgerRecord | undefined>;
  /**
   * Gives up a pending record held with `lockToken`: `forget` deletes it (nothing was charged:
   * the key is free again), `unlock` keeps it bound to its request and lets a retry resume at once.
   */
  release(paymentId: string, lockToken: string, how: 'forget' | 'unlock'): Promise<void>;
}
