import type { SettlementRequest } from './settlement-request.js';

export type ProcessorOutcome = { status: 'SETTLED' } | { status: 'DECLINED'; declineCode: string };

/**
 * The port a real payment provider plugs into. `paymentId` doubles as the provider's
 * idempotency key, so a retry after a crash never charges twice.
 */
export interface PaymentProcessor {
  process(request: SettlementRequest, paymentId: string): Promise<ProcessorOutcome>;
}
