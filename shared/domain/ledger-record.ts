import type { Amount } from './money.js';
import type { PaymentStatus } from './payment-response.js';

/** One record per signed payment response: the authoritative account of what was settled. */
export interface LedgerRecord {
  paymentId: string;
  merchantId: string;
  orderId: string;
  amount: Amount;
  status: PaymentStatus;
  /** SHA-256 of the canonical request: tells a retry from a reuse of the key for another payment. */
  requestFingerprint: string;
  /** The compact JWS returned to the client, kept so a retry returns the very same response. */
  paymentResponse: string;
  createdAt: string;
}

export interface Ledger {
  get(paymentId: string): Promise<LedgerRecord | undefined>;
  /** Writes the record unless one with its paymentId exists; returns the record that is stored. */
  putIfAbsent(record: LedgerRecord): Promise<LedgerRecord>;
}
