import type { MerchantMode } from '../merchants/merchant.js';
import type { Amount } from '../money.js';

export type ProcessorOutcome = { status: 'SETTLED' } | { status: 'DECLINED'; declineCode: string };

/** What a processor is asked to charge; the merchant is the registry's, never the request body's. */
export interface Charge {
  paymentId: string;
  /**
   * The provider's idempotency key: the payment id and the request's fingerprint. The same
   * request retried reaches the same charge; a different request can never replay an old charge.
   */
  idempotencyKey: string;
  merchantId: string;
  orderId: string;
  amount: Amount;
  paymentMethod: { type: 'card'; token: string };
  livemode: boolean;
}

/**
 * The port a payment provider plugs into (see test/settlement/processor-contract.ts, which every
 * adapter must pass). It must be idempotent by `idempotencyKey`, say why it declined, throw
 * ProcessorUnavailableError when it could not decide (a call that outlived the request's deadline
 * included: adapters take their abort signal from `withinDeadline()`, as the AWS adapters do), and
 * throw ValidationError only for input it refuses before charging anything.
 */
export interface PaymentProcessor {
  /** Named in errors and chosen at deploy time (`PAYMENT_PROCESSOR`). */
  readonly name: string;
  /** The merchant modes it settles: a sandbox moves no money, so it settles test merchants only. */
  readonly modes: readonly MerchantMode[];
  process(charge: Charge): Promise<ProcessorOutcome>;
}
