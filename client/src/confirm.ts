import { decodeJwt } from 'jose';
import { throwIfAborted } from './abort.js';
import { InvalidResponseError, VerdictRejectedError, VerificationUnavailableError } from './errors.js';
import { checkExpectation, sameExpectation } from './expectation.js';
import { exchange, isRecord, type Transport } from './http.js';
import { apiErrorOf } from './problem.js';
import { randomNonce, webCrypto } from './random.js';
import { type RetryPolicy, withRetries } from './retry.js';
import type {
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
 * 0. Refuse (TypeError, no request) an expectation without the merchant, order and amount:
 *    without them a genuine settled response for another merchant's order, or a replayed
 *    cheaper one, would complete.
 * 1. POST it with what the app expects (and a fresh nonce in nonce mode); network failures,
 *    5xx and KEYS_UNAVAILABLE are retried, then rejected as retryable errors: no answer is
 *    never `completed`.
 * 2. Check the answer is consistent (reasons, flags, payment), was checked against what we
 *    sent (expected, checkLedger), is about the response sent (payment id), and, in nonce
 *    mode, that its signed verdict proves it.
 * 3. `completed` is the service's `paymentCompleted`, and nothing else.
 */
export function confirmer(deps: ConfirmDeps) {
  return async function confirmPayment(
    paymentResponse: string,
    expected: ExpectedPayment,
    options: ConfirmOptions = {},
  ): Promise<PaymentConfirmation> {
    checkExpectation(expected);
    const { signal } = options;
    const checkLedger = options.checkLedger ?? false;
    const nonce = options.nonce ? randomNonce(webCrypto('for nonce mode (a fresh nonce, and ES256 to check the verdict)', { subtle: true })) : undefined;
    const sentPaymentId = paymentIdOf(paymentResponse);

    return withRetries(deps.retry, signal, async () => {
      const reply = await exchange(deps.transport, {
        method: 'POST',
        path: '/v1/verifications',
        json: { paymentResponse, expected, checkLedger, ...(nonce === undefined ? {} : { nonce }) },
        signal,
      });
      if (reply.status !== 200) throw apiErrorOf(reply);
      const answer = answerOf(reply.body);
      if (answer.reason === 'KEYS_UNAVAILABLE') throw new VerificationUnavailableError();
      if (!sameExpectation(answer.expected, expected) || answer.checkLedger !== checkLedger) {
        throw new InvalidResponseError('The verification answer was checked against another payment or mode than asked');
      }
      if (nonce !== undefined) {
        await deps.checkVerdict(answer, { nonce, checkLedger, expected });
        // Fetching verdict keys is shared by every call, so it runs on; this call still ends at the abort.
        throwIfAborted(signal);
      }

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
        ...(answer.payment ? { livemode: answer.payment.livemode, payment: answer.payment } : {}),
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

function matches(payment: PaymentSummary | undefined, expected: ExpectedPayment): boolean {
  return payment !== undefined && sameExpectation(payment, expected);
}

/** A verification answer the SDK can act on: well-formed and consistent with itself, or an InvalidResponseError. */
function answerOf(body: unknown): AnswerToProve {
  const invalid = (what: string) => new InvalidResponseError(`The verification answer is invalid: ${what}`);
  if (!isRecord(body)) throw invalid('not a JSON object');
  const { verified, paymentCompleted, reason, payment, verdict, expected, checkLedger } = body;
  if (typeof verified !== 'boolean' || typeof paymentCompleted !== 'boolean') throw invalid('verified and paymentCompleted must be booleans');
  if (!VERIFICATION_REASONS.includes(reason as VerificationReason)) throw invalid(`unknown reason ${String(reason)}`);
  const known = reason as VerificationReason;
  if (verified !== VERIFIED_REASONS.has(known) || paymentCompleted !== (known === 'OK')) throw invalid('its flags contradict its reason');
  if (verdict !== undefined && typeof verdict !== 'string') throw invalid('verdict');
  const summary = payment === undefined ? undefined : paymentSummaryOf(payment);
  if (verified !== (summary !== undefined)) throw invalid('a verified answer has a payment, and only a verified one');
  return { verified, paymentCompleted, reason: known, payment: summary, verdict, expected, checkLedger };
}

function paymentSummaryOf(value: unknown): PaymentSummary {
  const fail = () => new InvalidResponseError('The verification answer is invalid: payment');
  if (!isRecord(value) || !isRecord(value.amount)) throw fail();
  const { paymentId, merchantId, orderId, amount, status, livemode, iat } = value;
  if (typeof paymentId !== 'string' || typeof merchantId !== 'string' || typeof orderId !== 'string') throw fail();
  if (!Number.isSafeInteger(amount.value) || typeof amount.currency !== 'string') throw fail();
  if ((status !== 'SETTLED' && status !== 'DECLINED') || typeof livemode !== 'boolean' || typeof iat !== 'number') throw fail();
  return { paymentId, merchantId, orderId, amount: { value: amount.value as number, currency: amount.currency }, status, livemode, iat };
}
