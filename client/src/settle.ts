import { type Auth, type AuthHook, authHookOf } from './auth.js';
import { InvalidResponseError, SignedPayError } from './errors.js';
import { exchange, isRecord, type Transport } from './http.js';
import { apiErrorOf } from './problem.js';
import { randomUuid, webCrypto } from './random.js';
import { type RetryPolicy, withRetries } from './retry.js';
import type { Settlement, SettlementRequest } from './types.js';

export interface SettleDeps {
  transport: Transport;
  retry: RetryPolicy;
  /** The client's `auth`, asked at every attempt. */
  authorize: AuthHook | undefined;
}

export interface SettleOptions {
  /**
   * One key per payment attempt: derive it from your order (e.g. `order-o_456-attempt-1`) to
   * retry safely even after a restart. Without one, the SDK creates a random one.
   */
  idempotencyKey?: string;
  /** This call's credentials, instead of the client's `auth` (a backend settling for several merchants). */
  auth?: Auth;
  /**
   * Abandons the call: it rejects with `signal.reason` (an `AbortError`) and is not retried. The
   * service may still settle a request already sent: settle again later with the same key.
   */
  signal?: AbortSignal;
}

/**
 * settle: one payment, however many times the request travels. Every attempt carries the same
 * Idempotency-Key, so the service settles once and replays its answer to the retries. Network
 * failures, timeouts, 5xx and 409 (the first attempt still in flight) are retried; 201 (settled)
 * and 402 (declined) resolve; anything else rejects. A rejection carries the key in `idempotencyKey`.
 */
export function settler(deps: SettleDeps): (request: SettlementRequest, options?: SettleOptions) => Promise<Settlement> {
  return async function settle(request, options = {}) {
    const authorize = options.auth === undefined ? deps.authorize : authHookOf(options.auth, 'settle options.auth');
    const idempotencyKey = options.idempotencyKey ?? randomUuid(webCrypto('to make an Idempotency-Key (or pass settle an idempotencyKey)'));
    try {
      return await withRetries(deps.retry, options.signal, async () => {
        const answer = await exchange(deps.transport, {
          method: 'POST',
          path: '/v1/settlements',
          headers: { 'idempotency-key': idempotencyKey },
          json: request,
          signal: options.signal,
          authorize,
        });
        if (answer.status !== 201 && answer.status !== 402) throw apiErrorOf(answer);
        return settlementOf(answer.body, answer.status, idempotencyKey, answer.headers.get('idempotent-replayed') === 'true');
      });
    } catch (error) {
      if (error instanceof SignedPayError) error.idempotencyKey = idempotencyKey;
      throw error;
    }
  };
}

function settlementOf(body: unknown, status: number, idempotencyKey: string, replayed: boolean): Settlement {
  const expectedStatus = status === 201 ? 'SETTLED' : 'DECLINED';
  if (
    !isRecord(body) ||
    typeof body.paymentId !== 'string' ||
    body.status !== expectedStatus ||
    typeof body.paymentResponse !== 'string'
  ) {
    throw new InvalidResponseError(`The settlement response (${status}) is not a payment ${expectedStatus.toLowerCase()}`);
  }
  return { paymentId: body.paymentId, status: expectedStatus, paymentResponse: body.paymentResponse, idempotencyKey, replayed };
}
