import { createHash, randomUUID } from 'node:crypto';
import { type CompletedLedgerRecord, isCompleted, type Ledger, type LedgerRecord } from '../domain/settlement/ledger-record.js';
import { actingMerchant } from '../domain/merchants/acting-merchant.js';
import type { Merchant, MerchantDirectory } from '../domain/merchants/merchant.js';
import type { Charge, PaymentProcessor, ProcessorOutcome } from '../domain/settlement/payment-processor.js';
import { PAYMENT_RESPONSE_TYP, type PaymentResponseClaims, type PaymentStatus } from '../domain/settlement/payment-response.js';
import type { SettlementRequest } from '../domain/settlement/settlement-request.js';
import { IDEMPOTENT_REPLAY_LIFETIME_HOURS, isStillReplayed } from '../domain/settlement/idempotency.js';
import { IdempotencyKeyExpiredError, IdempotencyKeyReusedError, LivemodeUnavailableError, RequestInFlightError, ValidationError } from '../errors.js';
import type { JwsSigner } from '../domain/jws-signer.js';
import { inspectPaymentResponse } from '../domain/verification/compact-jws.js';

export interface SettlementResult {
  paymentId: string;
  status: PaymentStatus;
  paymentResponse: string;
}

export interface SettlePaymentDeps {
  merchants: MerchantDirectory;
  processor: PaymentProcessor;
  signer: JwsSigner;
  ledger: Ledger;
  issuer: string;
  now: () => Date;
}

export interface SettlementCommand {
  /** The registry key of the authenticated caller (caller-identity.ts), if the authorizer named one. */
  callerId: string | undefined;
  request: SettlementRequest;
  idempotencyKey: string;
  /** Epoch ms by which this invocation has ended: nobody else resumes the payment before then. */
  lockExpiresAt: number;
}

/** A payment's id follows from whose it is and with which key, so every retry lands on the same one. */
export function paymentIdFor(merchantId: string, idempotencyKey: string): string {
  const digest = createHash('sha256').update(`${merchantId}\n${idempotencyKey}`).digest('base64url');
  return `pay_${digest}`;
}

/** The request as the merchant made it; the same spelling as before tenancy, so older records still match. */
export function requestFingerprint(merchantId: string, request: SettlementRequest): string {
  const { orderId, amount, paymentMethod } = request;
  const canonical = JSON.stringify([merchantId, orderId, amount.value, amount.currency, paymentMethod.type, paymentMethod.token]);
  return createHash('sha256').update(canonical).digest('base64url');
}

/**
 * Settles a payment once per (merchant, Idempotency-Key) and returns its signed payment response.
 *
 * 1. The merchant is the caller's, from the registry; a body naming another one is refused, and
 *    a live merchant is refused by a processor that settles test merchants only.
 * 2. Record the request as a pending ledger record (one conditional write). If a record exists,
 *    it answers: a completed one is replayed (or 422 for another body), a pending one is 409
 *    while its lock lives, and is taken over once the attempt holding it has certainly ended.
 * 3. Ask the processor, with an idempotency key made of the payment id and the request.
 * 4. Sign the claims (with KMS, or a key KMS delegated signing to).
 * 5. Complete the record with the response and the kid that signed it (one conditional write);
 *    only then is the response released. A crash
 *    anywhere leaves a pending record that the retry resumes: one charge, one receipt.
 */
export async function settlePayment(
  deps: SettlePaymentDeps,
  command: SettlementCommand,
): Promise<{ result: SettlementResult; replayed: boolean }> {
  const { request } = command;
  const merchant = actingMerchant(
    command.callerId,
    command.callerId === undefined ? undefined : await deps.merchants.merchantForCaller(command.callerId),
    request.merchantId,
  );
  if (!deps.processor.modes.includes(merchant.mode)) throw new LivemodeUnavailableError(merchant.merchantId, deps.processor.name);

  const paymentId = paymentIdFor(merchant.merchantId, command.idempotencyKey);
  const fingerprint = requestFingerprint(merchant.merchantId, request);
  const lockToken = randomUUID();
  const claim = await claimPayment(deps, { merchant, request, paymentId, fingerprint, lockToken, lockExpiresAt: command.lockExpiresAt });
  if ('replay' in claim) return { result: resultOf(claim.replay, fingerprint), replayed: true };
  const payment = { merchantId: merchant.merchantId, request, paymentId, fingerprint, livemode: claim.livemode };

  let outcome: ProcessorOutcome;
  let paymentResponse: string;
  try {
    outcome = await deps.processor.process(chargeOf(payment));
    paymentResponse = await deps.signer.sign(PAYMENT_RESPONSE_TYP, claimsOf(deps, payment, outcome));
  } catch (error) {
    // A refusal of the input charged nothing: the key is free for the corrected request. Any other
    // failure may have charged: the record stays bound to this request, for a retry to resume.
    await deps.ledger.release(paymentId, lockToken, error instanceof ValidationError ? 'forget' : 'unlock').catch(() => undefined);
    throw error;
  }

  let stored;
  try {
    stored = await deps.ledger.complete(paymentId, lockToken, { status: outcome.status, paymentResponse, signedBy: signingKidOf(paymentResponse) });
  } catch (error) {
    // Nothing released: let the retry resume at once if the ledger takes this write at least.
    await deps.ledger.release(paymentId, lockToken, 'unlock').catch(() => undefined);
    throw error;
  }
  // Lost the lock (we outlived it and a retry took over): the retry's answer is the payment's.
  if (!stored || !isCompleted(stored)) throw new RequestInFlightError();
  return { result: resultOf(stored, fingerprint), replayed: stored.paymentResponse !== paymentResponse };
}

/**
 * Step 2: the completed record to replay, or the payment this attempt now holds, with its mode as
 * the ledger recorded it when the payment began (a resumed payment keeps it, whatever the
 * merchant's mode is now: the charge it resumes was made in that mode).
 */
async function claimPayment(
  deps: SettlePaymentDeps,
  pending: { merchant: Merchant; request: SettlementRequest; paymentId: string; fingerprint: string; lockToken: string; lockExpiresAt: number },
): Promise<{ replay: CompletedLedgerRecord } | { livemode: boolean }> {
  const { merchant, request, paymentId, fingerprint, lockToken, lockExpiresAt } = pending;
  const begin = await deps.ledger.begin({
    paymentId,
    merchantId: merchant.merchantId,
    orderId: request.orderId,
    amount: request.amount,
    livemode: merchant.mode === 'live',
    requestFingerprint: fingerprint,
    createdAt: deps.now().toISOString(),
    lockToken,
    lockExpiresAt,
  });
  const livemode = merchant.mode === 'live';
  if (begin.begun) return { livemode };

  const existing = begin.existing;
  // Our own write: it landed, its answer was lost, and the SDK's retry of it met our record.
  if (existing.lockToken === lockToken) return { livemode };
  if (existing.requestFingerprint !== fingerprint) throw new IdempotencyKeyReusedError();
  if (isCompleted(existing)) {
    // Never charged twice, but its receipt is replayed for a day only: a signing key may then be retired (idempotency.ts).
    if (!isStillReplayed(existing.paymentResponse, existing.createdAt, deps.now())) {
      throw new IdempotencyKeyExpiredError(existing.paymentId, existing.status, existing.createdAt, IDEMPOTENT_REPLAY_LIFETIME_HOURS);
    }
    return { replay: existing };
  }
  const stillHeld = existing.lockToken !== undefined && (existing.lockExpiresAt ?? 0) > deps.now().getTime();
  if (stillHeld) throw new RequestInFlightError();
  // Checked before taking the lock, so a refusal leaves nothing held.
  const resumedLivemode = existing.livemode ?? false;
  if (!deps.processor.modes.includes(resumedLivemode ? 'live' : 'test')) throw new LivemodeUnavailableError(merchant.merchantId, deps.processor.name);
  if (!(await deps.ledger.takeOver(paymentId, existing.lockToken ?? '', { token: lockToken, expiresAt: lockExpiresAt }))) {
    throw new RequestInFlightError();
  }
  return { livemode: resumedLivemode };
}

/** The payment being settled, as the ledger holds it. */
interface HeldPayment {
  merchantId: string;
  request: SettlementRequest;
  paymentId: string;
  fingerprint: string;
  livemode: boolean;
}

function chargeOf(payment: HeldPayment): Charge {
  return {
    paymentId: payment.paymentId,
    idempotencyKey: `${payment.paymentId}.${payment.fingerprint}`,
    merchantId: payment.merchantId,
    orderId: payment.request.orderId,
    amount: payment.request.amount,
    paymentMethod: payment.request.paymentMethod,
    livemode: payment.livemode,
  };
}

function claimsOf(deps: SettlePaymentDeps, payment: HeldPayment, outcome: ProcessorOutcome): PaymentResponseClaims {
  return {
    iss: deps.issuer,
    jti: payment.paymentId,
    iat: Math.floor(deps.now().getTime() / 1000),
    merchantId: payment.merchantId,
    orderId: payment.request.orderId,
    amount: payment.request.amount,
    status: outcome.status,
    livemode: payment.livemode,
  };
}

/** The kid our own signer wrote into the header: the ledger keeps it for audit. */
function signingKidOf(paymentResponse: string): string {
  const inspected = inspectPaymentResponse(paymentResponse);
  if (!inspected.ok) throw new Error(`The signer produced a payment response our rule refuses (${inspected.reason})`);
  return inspected.kid;
}

function resultOf(record: LedgerRecord, fingerprint: string): SettlementResult {
  if (record.requestFingerprint !== fingerprint) throw new IdempotencyKeyReusedError();
  if (!isCompleted(record)) throw new RequestInFlightError();
  return { paymentId: record.paymentId, status: record.status, paymentResponse: record.paymentResponse };
}
