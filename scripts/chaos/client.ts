import type { Attempt, Observations, PaymentKey, Route, SettlementBody } from './observations.js';

/** Where the stack answers now: the runner swaps the child on restart, clients keep asking this. */
export interface StackTarget {
  url(): string;
  token(merchantId: string): string;
}

/**
 * A merchant's client as the README asks it to behave: on 409, 502, 503 or no answer, retry with
 * the same Idempotency-Key and body, waiting what Retry-After says, for a bounded time. The
 * bound outlasts a crashed invocation's lock (the 10 s function deadline), so a client that
 * keeps to it gets its answer after a crash without being told to wait.
 */
export const RETRY_POLICY = {
  maxElapsedMs: 25_000,
  maxAttempts: 40,
  /** tok_error fails the same way every time: a client stops asking after a few. */
  max502: 3,
  /** Longer than the function deadline: only a stack that never answers runs into it. */
  attemptTimeoutMs: 15_000,
};

const FINAL = new Set([201, 402, 422]);

interface Answer {
  attempt: Attempt;
  text?: string;
}

export class ChaosClient {
  constructor(
    private readonly target: StackTarget,
    private readonly observations: Observations,
  ) {}

  /**
   * One logical settlement, retried by the policy. `otherBody` sends the key with a body it was
   * not made with (a key reuse): its answer must be 422 and says nothing about the payment.
   */
  async settle(payment: PaymentKey, otherBody?: SettlementBody): Promise<number | undefined> {
    const body = otherBody ?? payment.body;
    const started = Date.now();
    let blockedSince: number | undefined;
    let count502 = 0;
    payment.inFlight += 1;
    try {
      for (let attempt = 0; attempt < RETRY_POLICY.maxAttempts; attempt += 1) {
        payment.sent += 1;
        const answer = await this.#post('settlement', '/v1/settlements', body, {
          authorization: `Bearer ${this.target.token(payment.merchantId)}`,
          'idempotency-key': payment.key,
        }, payment.key);
        const { status } = answer.attempt;
        // No other attempt with this key was ever sent: the pending record it met can only be its own.
        if (status === 409 && payment.sent === 1) this.observations.selfBlocked.push(payment.key);
        if (status === 409) blockedSince ??= answer.attempt.startedAt;
        else if (blockedSince !== undefined) {
          this.observations.blocks.push({ key: payment.key, from: blockedSince, to: answer.attempt.endedAt });
          blockedSince = undefined;
        }
        if (status !== undefined && FINAL.has(status)) {
          if (!otherBody) this.#recordFinal(payment, status, answer.text ?? '');
          return status;
        }
        if (status === 502) count502 += 1;
        const retryable = status === undefined || status === 409 || status === 502 || status === 503;
        if (!retryable || count502 >= RETRY_POLICY.max502) return status;
        const wait = backoffMs(attempt, answer.attempt.retryAfter);
        if (Date.now() + wait - started > RETRY_POLICY.maxElapsedMs) return status;
        await sleep(wait);
      }
      return undefined;
    } finally {
      if (blockedSince !== undefined) this.observations.blocks.push({ key: payment.key, from: blockedSince, to: Date.now() });
      payment.inFlight -= 1;
    }
  }

  /** Verifies a response a client was given; one attempt, as a shop's backend checking a receipt would. */
  async verify(payment: PaymentKey, paymentResponse: string, settledWith: number): Promise<void> {
    const { merchantId, body } = payment;
    const answer = await this.#post(
      'verification',
      '/v1/verifications',
      { paymentResponse, expected: { merchantId, orderId: body.orderId, amount: body.amount } },
      {},
    );
    if (answer.attempt.status !== 200 || answer.text === undefined) return;
    const result = JSON.parse(answer.text) as { paymentCompleted: boolean; reason: string };
    this.observations.verifications.push({ settledWith, paymentCompleted: result.paymentCompleted, reason: result.reason });
  }

  #recordFinal(payment: PaymentKey, status: number, text: string): void {
    payment.finalStatus ??= status;
    if (status === 422) {
      payment.refusedAsReuse = true;
      return;
    }
    payment.acknowledgedBodies.add(text);
    const { paymentResponse } = JSON.parse(text) as { paymentResponse: string };
    payment.paymentResponses.add(paymentResponse);
  }

  async #post(route: Route, path: string, body: unknown, headers: Record<string, string>, key?: string): Promise<Answer> {
    const startedAt = Date.now();
    try {
      const response = await fetch(`${this.target.url()}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(RETRY_POLICY.attemptTimeoutMs),
      });
      const text = await response.text();
      const attempt: Attempt = {
        route,
        key,
        startedAt,
        endedAt: Date.now(),
        status: response.status,
        fromGateway: isGatewayAnswer(response, text),
        ...problemFields(response, text),
      };
      this.observations.attempts.push(attempt);
      return { attempt, text };
    } catch (error) {
      const attempt: Attempt = { route, key, startedAt, endedAt: Date.now(), networkError: networkErrorOf(error), fromGateway: false };
      this.observations.attempts.push(attempt);
      return { attempt };
    }
  }
}

/** Retry-After when the server gave one (it knows best), otherwise capped exponential backoff with jitter. */
function backoffMs(attempt: number, retryAfter: string | undefined): number {
  const told = retryAfter === undefined ? Number.NaN : Number(retryAfter);
  if (Number.isFinite(told) && told >= 0) return told * 1000 + Math.random() * 200;
  return Math.min(2_000, 100 * 2 ** attempt) * (0.5 + Math.random() / 2);
}

function problemFields(response: Response, text: string): Pick<Attempt, 'problemType' | 'retryAfter'> {
  const retryAfter = response.headers.get('retry-after') ?? undefined;
  if (!response.headers.get('content-type')?.startsWith('application/problem+json')) return { retryAfter };
  try {
    return { retryAfter, problemType: (JSON.parse(text) as { type?: string }).type };
  } catch {
    return { retryAfter };
  }
}

/** The local gateway answers a thrown or timed-out function with `{"message": "Internal Server Error"}`, as API Gateway does. */
function isGatewayAnswer(response: Response, text: string): boolean {
  if (response.status < 500 || response.headers.get('content-type') !== 'application/json') return false;
  try {
    return typeof (JSON.parse(text) as { message?: unknown }).message === 'string';
  } catch {
    return false;
  }
}

function networkErrorOf(error: unknown): string {
  const { name, cause } = error as { name?: string; cause?: { code?: string; message?: string } };
  if (name === 'TimeoutError') return 'client timeout';
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
