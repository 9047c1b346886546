import { decodeJwt } from 'jose';
import { InvalidResponseError, VerdictRejectedError, VerificationUnavailableError } from './errors.js';
import { apiErrorOf, exchange, isRecord, type Transport } from './http.js';
import { randomNonce } from './random.js';
import { type RetryPolicy, withRetries } from './retry.js';
import type {
  Amount,
  ConfirmOptions,
  ExpectedPayment,
  PaymentConfirmation,
  PaymentSummary,
  VerificationReason,
} from './types.js';
import { VERIFICATION_REASONS } from './types.js';
import type { AnswerToProve, VerdictBinding } from './verdict.js';

export interface ConfirmDeps {
  transport: Transport;
  retry: RetryPolicy;
  checkVerdict: (answer: AnswerToProve, binding: VerdictBinding) => Promise<void>;
}

/** Reasons after which the payment response is known to be ours and intact. */
const VERIFIED_REASONS: ReadonlySet<VerificationReason> = new Set([
  'OK',
  'MISMATCH_MERCHANT',
  'MISMATCH_ORDER',
  'MISMATCH_AMOUNT',
  'NOT_SETTLED',
  'NOT_IN_LEDGER',
]);

/**
 * confirmPayment: the client method of the patent. The payment response is not believed on
 * the device; the verification service decides.
 * 0. Refuse (TypeError, no request) an expectation without the order and amount: without them
 *    any genuine settled response, another order's or a replayed cheaper one, would complete.
 * 1. POST it with what the app expects (and a fresh nonce in nonce mode); network failures,
 *    5xx and KEYS_UNAVAILABLE are retried, then rejected as retryable errors: no answer is
 *    never `completed`.
 * 2. Check the answer is consistent (reasons, flags, payment), is about the response sent
 *    (payment id), and, in nonce mode, that its signed verdict proves it.
 * 3. `completed` is the service's `paymentCompleted`, and nothing else.
 */
export function confirmer(deps: ConfirmDeps) {
  return async function confirmPayment(
    paymentResponse: string,
    expected: ExpectedPayment,
    options: ConfirmOptions = {},
  ): Promise<PaymentConfirmation> {
    checkExpectation(expected);
    const checkLedger = options.checkLedger ?? false;
    const nonce = options.nonce ? randomNonce() : undefined;
    const sentPaymentId = paymentIdOf(paymentResponse);

    return withRetries(deps.retry, async () => {
      const reply = await exchange(deps.transport, {
        method: 'POST',
        path: '/v1/verifications',
        json: { paymentResponse, expected, checkLedger, ...(nonce === undefined ? {} : { nonce }) },
      });
      if (reply.status !== 200) throw apiErrorOf(reply);
      const answer = answerOf(reply.body);
      if (answer.reason === 'KEYS_UNAVAILABLE') throw new VerificationUnavailableError();
      if (nonce !== undefined) await deps.checkVerdict(answer, { nonce, checkLedger });

      if (answer.payment && answer.payment.paymentId !== sentPaymentId) {
        const message = 'The verification answer is about another payment response than the one sent';
        throw nonce === undefined ? new InvalidResponseError(message) : new VerdictRejectedError('payment-id', message);
      }
      if (answer.paymentCompleted && !matches(answer.payment, expected)) {
        throw new InvalidResponseError('The verification answer says completed for a payment other than expected');
      }
      return {
        completed: answer.paymentCompleted,
        verified: answer.verified,
        reason: answer.reason,
        ...(answer.payment ? { payment: answer.payment } : {}),
        ...(answer.verdict === undefined ? {} : { verdict: answer.verdict }),
      };
    });
  };
}

/** The jti the payment response claims (unverified: only compared with what the service verified). */
function paymentIdOf(paymentResponse: string): string | undefined {
  try {
    const { jti } = decodeJwt(paymentResponse);
    return typeof jti === 'string' ? jti : undefined;
  } catch {
    return undefined;
  }
}

/** Ids as the API accepts them. */
const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The expectation as the API accepts it (checked at run time too: JavaScript callers skip the types). */
function checkExpectation(expected: unknown): asserts expected is ExpectedPayment {
  const fail = (what: string) => new TypeError(`confirmPayment needs the expected order: ${what}`);
  if (!isRecord(expected)) throw fail('pass { orderId, amount, merchantId? }');
  const { orderId, amount, merchantId } = expected;
  if (typeof orderId !== 'string' || !ID.test(orderId)) throw fail(`orderId must be 1 to 64 of A-Z, a-z, 0-9, _ and -, got ${String(orderId)}`);
  if (!isAmount(amount)) throw fail('amount must be { value, currency }: a positive integer of minor units and an ISO 4217 code');
  if (merchantId !== undefined && (typeof merchantId !== 'string' || !ID.test(merchantId))) {
    throw fail(`merchantId, when given, must be 1 to 64 of A-Z, a-z, 0-9, _ and -, got ${String(merchantId)}`);
  }
}

function isAmount(value: unknown): value is Amount {
  if (!isRecord(value) || typeof value.currency !== 'string' || !/^[A-Z]{3}$/.test(value.currency)) return false;
  return Number.isSafeInteger(value.value) && (value.value as number) > 0;
}

function matches(payment: PaymentSummary | undefined, expected: ExpectedPayment): boolean {
  if (!payment) return false;
  if (expected.merchantId !== undefined && expected.merchantId !== payment.merchantId) return false;
  return expected.orderId === payment.orderId && sameAmount(expected.amount, payment.amount);
}

function sameAmount(a: Amount, b: Amount): boolean {
  return a.value === b.value && a.currency === b.currency;
}

/** A verification answer the SDK can act on: well-formed and consistent with itself, or an InvalidResponseError. */
function answerOf(body: unknown): AnswerToProve {
  const invalid = (what: string) => new InvalidResponseError(`The verification answer is invalid: ${what}`);
  if (!isRecord(body)) throw invalid('not a JSON object');
  const { verified, paymentCompleted, reason, payment, verdict } = body;
  if (typeof verified !== 'boolean' || typeof paymentCompleted !== 'boolean') throw invalid('verified and paymentCompleted must be booleans');
  if (!VERIFICATION_REASONS.includes(reason as VerificationReason)) throw invalid(`unknown reason ${String(reason)}`);
  const known = reason as VerificationReason;
  if (verified !== VERIFIED_REASONS.has(known) || paymentCompleted !== (known === 'OK')) throw invalid('its flags contradict its reason');
  if (verdict !== undefined && typeof verdict !== 'string') throw invalid('verdict');
  const summary = payment === undefined ? undefined : paymentSummaryOf(payment);
  if (verified !== (summary !== undefined)) throw invalid('a verified answer has a payment, and only a verified one');
  return { verified, paymentCompleted, reason: known, payment: summary, verdict };
}

function paymentSummaryOf(value: unknown): PaymentSummary {
  const fail = () => new InvalidResponseError('The verification answer is invalid: payment');
  if (!isRecord(value) || !isRecord(value.amount)) throw fail();
  const { paymentId, merchantId, orderId, amount, status, iat } = value;
  if (typeof paymentId !== 'string' || typeof merchantId !== 'string' || typeof orderId !== 'string') throw fail();
  if (!Number.isSafeInteger(amount.value) || typeof amount.currency !== 'string') throw fail();
  if ((status !== 'SETTLED' && status !== 'DECLINED') || typeof iat !== 'number') throw fail();
  return { paymentId, merchantId, orderId, amount: { value: amount.value as number, currency: amount.currency }, status, iat };
}
