import { InvalidResponseError, SignedPayError } from './errors.js';
import { apiErrorOf, exchange, isRecord, type Transport } from './http.js';
import { randomUuid } from './random.js';
import { type RetryPolicy, withRetries } from './retry.js';
import type { Settlement, SettlementRequest } from './types.js';

export interface SettleDeps {
  transport: Transport;
  retry: RetryPolicy;
  /** The bearer token of the caller, asked for at every attempt. */
  accessToken?: () => Promise<string>;
}

export interface SettleOptions {
  /**
   * One key per payment attempt: derive it from your order (e.g. `order-o_456-attempt-1`) to
   * retry safely even after a restart. Without one, the SDK creates a random one.
   */
  idempotencyKey?: string;
}

/**
 * settle: one payment, however many times the request travels. Every attempt carries the same
 * Idempotency-Key, so the service settles once and replays its answer to the retries. Network
 * failures, timeouts, 5xx and 409 (the first attempt still in flight) are retried; 201 (settled)
 * and 402 (declined) resolve; anything else rejects. A rejection carries the key in `idempotencyKey`.
 */
export function settler(deps: SettleDeps): (request: SettlementRequest, options?: SettleOptions) => Promise<Settlement> {
  return async function settle(request, options = {}) {
    const idempotencyKey = options.idempotencyKey ?? randomUuid();
    try {
      return await withRetries(deps.retry, async () => {
        const token = deps.accessToken && (await deps.accessToken());
        const answer = await exchange(deps.transport, {
          method: 'POST',
          path: '/v1/settlements',
          headers: { 'idempotency-key': idempotencyKey, ...(token ? { authorization: `Bearer ${token}` } : {}) },
          json: request,
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
