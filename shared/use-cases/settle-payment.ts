import { createHash } from 'node:crypto';
import type { Ledger, LedgerRecord } from '../domain/ledger-record.js';
import type { PaymentProcessor } from '../domain/payment-processor.js';
import { PAYMENT_RESPONSE_TYP, type PaymentResponseClaims, type PaymentStatus } from '../domain/payment-response.js';
import type { SettlementRequest } from '../domain/settlement-request.js';
import { IdempotencyKeyReusedError } from '../errors.js';

export interface SettlementResult {
  paymentId: string;
  status: PaymentStatus;
  paymentResponse: string;
}

export interface SettlePaymentDeps {
  processor: PaymentProcessor;
  signer: { sign(typ: string, claims: Record<string, unknown>): Promise<string> };
  ledger: Ledger;
  issuer: string;
  now: () => Date;
}

/** A payment's id follows from who asked and with which key, so every retry lands on the same one. */
export function paymentIdFor(merchantId: string, idempotencyKey: string): string {
  const digest = createHash('sha256').update(`${merchantId}\n${idempotencyKey}`).digest('base64url');
  return `pay_${digest}`;
}

export function requestFingerprint(request: SettlementRequest): string {
  const { merchantId, orderId, amount, paymentMethod } = request;
  const canonical = JSON.stringify([merchantId, orderId, amount.value, amount.currency, paymentMethod.type, paymentMethod.token]);
  return createHash('sha256').update(canonical).digest('base64url');
}

/**
 * Settles a payment and returns its signed payment response.
 *
 * 1. Derive the payment id from (merchant, idempotency key).
 * 2. If the ledger already holds it (a retry after a crash, or after the idempotency record
 *    expired), return the stored response, or refuse if the key was used for another request.
 * 3. Ask the processor (it receives the payment id as its own idempotency key).
 * 4. Sign the claims with KMS.
 * 5. Write the ledger record; only then is the response released. A crash between 4 and 5
 *    leaves a signature nobody ever saw; the retry signs afresh and converges on one record.
 */
export async function settlePayment(
  deps: SettlePaymentDeps,
  request: SettlementRequest,
  idempotencyKey: string,
): Promise<SettlementResult> {
  const paymentId = paymentIdFor(request.merchantId, idempotencyKey);
  const fingerprint = requestFingerprint(request);

  const existing = await deps.ledger.get(paymentId);
  if (existing) return resultOf(existing, fingerprint);

  const outcome = await deps.processor.process(request, paymentId);
  const now = deps.now();
  const claims: PaymentResponseClaims = {
    iss: deps.issuer,
    jti: paymentId,
    iat: Math.floor(now.getTime() / 1000),
    merchantId: request.merchantId,
    orderId: request.orderId,
    amount: request.amount,
    status: outcome.status,
  };
  const paymentResponse = await deps.signer.sign(PAYMENT_RESPONSE_TYP, claims);

  const stored = await deps.ledger.putIfAbsent({
    paymentId,
    merchantId: request.merchantId,
    orderId: request.orderId,
    amount: request.amount,
    status: outcome.status,
    requestFingerprint: fingerprint,
    paymentResponse,
    createdAt: now.toISOString(),
  });
  return resultOf(stored, fingerprint);
}

function resultOf(record: LedgerRecord, fingerprint: string): SettlementResult {
  if (record.requestFingerprint !== fingerprint) throw new IdempotencyKeyReusedError();
  return { paymentId: record.paymentId, status: record.status, paymentResponse: record.paymentResponse };
}
