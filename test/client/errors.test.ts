import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiError, createClient, type ExpectedPayment, type SettlementRequest, WebCryptoUnavailableError } from '../../client/src/index.js';
import { bearer, startTestStack, type TestStack } from '../support/test-stack.js';
import { jsonResponse, network } from './support.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

let orders = 0;
function order(): { request: SettlementRequest; expected: ExpectedPayment } {
  orders += 1;
  const orderId = `o_errors_${Date.now()}_${orders}`;
  const amount = { value: 1500, currency: 'JPY' };
  return { request: { orderId, amount, paymentMethod: { type: 'card', token: 'tok_success' } }, expected: { merchantId: 'm_123', orderId, amount } };
}

describe('ApiError keeps what the service answered', () => {
  it('a validation problem: its field list, the request id, and the problem as received', async () => {
    const answered: { body?: unknown; requestId?: string | null } = {};
    const net = network({
      after: async (response) => {
        answered.body = await response.clone().json();
        answered.requestId = response.headers.get('x-request-id');
        return response;
      },
    });
    const client = createClient({ baseUrl: stack.url, fetch: net.fetch, auth: { headers: bearer(stack.devTokens.m_123!) } });
    const invalid = { orderId: 'not an id!', amount: { value: 1500, currency: 'yen' }, paymentMethod: { type: 'card', token: 'tok_success' } };
    const error = await client.settle(invalid as SettlementRequest).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      code: 'validation-failed',
      status: 400,
      type: '/problems/validation-failed',
      title: expect.any(String),
      detail: expect.stringContaining('amount.currency'),
      retryable: false,
      idempotencyKey: net.exchanges[0]!.headers['idempotency-key'],
    });
    const apiError = error as ApiError;
    expect(apiError.errors.map((field) => field.path).sort()).toEqual(['amount.currency', 'orderId']);
    for (const field of apiError.errors) expect(field.message).toEqual(expect.any(String));
    expect(apiError.problem).toEqual(answered.body);
    expect(apiError.requestId).toEqual(expect.stringMatching(/\S/));
    expect(apiError.requestId).toBe(answered.requestId);
    expect(apiError.message).toBe(`${apiError.title}: ${apiError.detail}`);
  });

  it("a Retry-After date, API Gateway's request id on its own answers, and only well-formed field errors", async () => {
    const inTwoMinutes = new Date(Date.now() + 120_000).toUTCString();
    const answers = [
      jsonResponse(503, { type: '/problems/ledger-unavailable', title: 'Ledger unavailable', status: 503, errors: [{ path: 'a', message: 'b' }, 'junk', { path: 1 }] }, { 'retry-after': inTwoMinutes }),
      jsonResponse(429, { message: 'Too Many Requests' }, { 'apigw-requestid': 'Gq3xYjtWoAMEb9Q=' }),
    ];
    const net = network({ answer: () => answers.shift() });
    const client = createClient({ baseUrl: stack.url, fetch: net.fetch, retries: 0 });

    const unavailable = (await client.getConfig({ country: 'JP' }).catch((caught: unknown) => caught)) as ApiError;
    expect(unavailable).toMatchObject({ code: 'ledger-unavailable', retryable: true, requestId: undefined, errors: [{ path: 'a', message: 'b' }] });
    expect(unavailable.retryAfterMs).toBeGreaterThan(100_000);
    expect(unavailable.retryAfterMs).toBeLessThanOrEqual(120_000);

    const throttled = await client.getConfig({ country: 'JP' }).catch((caught: unknown) => caught);
    expect(throttled).toMatchObject({ code: 'http-error', status: 429, type: undefined, title: 'Too Many Requests', requestId: 'Gq3xYjtWoAMEb9Q=', errors: [], retryable: true });
  });
});

describe('a runtime without WebCrypto', () => {
  // Answers recorded from the service first: the local stack runs in this process and needs WebCrypto itself.
  const recorded = new Map<string, unknown>();
  let settled: { paymentResponse: string; expected: ExpectedPayment };
  beforeAll(async () => {
    const recorder = network({
      after: async (response, exchange) => {
        recorded.set(exchange.path, await response.clone().json());
        return response;
      },
    });
    const client = createClient({ baseUrl: stack.url, fetch: recorder.fetch, auth: { headers: bearer(stack.devTokens.m_123!) } });
    const { request, expected } = order();
    settled = { paymentResponse: (await client.settle(request)).paymentResponse, expected };
    await client.confirmPayment(settled.paymentResponse, expected);
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  const replaying = () => network({ answer: (exchange) => jsonResponse(exchange.path === '/v1/settlements' ? 201 : 200, recorded.get(exchange.path)) });

  it('gets a typed error naming the fix, before any request, only from the calls that need it', async () => {
    const net = replaying();
    const client = createClient({ baseUrl: stack.url, fetch: net.fetch });
    vi.stubGlobal('crypto', undefined);

    const noKey = await client.settle(order().request).catch((caught: unknown) => caught);
    expect(noKey).toBeInstanceOf(WebCryptoUnavailableError);
    expect(noKey).toMatchObject({ code: 'webcrypto-unavailable', retryable: false, missing: 'crypto.getRandomValues' });
    expect((noKey as Error).message).toMatch(/idempotencyKey.*React Native/s);
    expect(await client.confirmPayment(settled.paymentResponse, settled.expected, { nonce: true }).catch((caught: unknown) => caught)).toMatchObject({
      name: 'WebCryptoUnavailableError',
      missing: 'crypto.getRandomValues',
    });
    expect(net.exchanges).toHaveLength(0);

    // Configuration answers are signed: without crypto.subtle none can be verified, so none is asked for.
    expect(await client.getConfig({ country: 'JP' }).catch((caught: unknown) => caught)).toMatchObject({ name: 'WebCryptoUnavailableError', missing: 'crypto.subtle' });
    expect(net.exchanges).toHaveLength(0);

    expect(await client.settle(order().request, { idempotencyKey: 'order-1-attempt-1' })).toMatchObject({ idempotencyKey: 'order-1-attempt-1' });
    expect(await client.confirmPayment(settled.paymentResponse, settled.expected)).toMatchObject({ completed: true });
  });

  it('with getRandomValues but no crypto.subtle (an insecure browser context): keys are made, nonce mode and configuration are refused', async () => {
    const net = replaying();
    const client = createClient({ baseUrl: stack.url, fetch: net.fetch });
    const { getRandomValues } = globalThis.crypto;
    vi.stubGlobal('crypto', { getRandomValues: getRandomValues.bind(globalThis.crypto) });

    const settlement = await client.settle(order().request);
    expect(settlement.idempotencyKey).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const error = await client.confirmPayment(settled.paymentResponse, settled.expected, { nonce: true }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'WebCryptoUnavailableError', missing: 'crypto.subtle' });
    expect(await client.getConfig({ country: 'JP' }).catch((caught: unknown) => caught)).toMatchObject({ name: 'WebCryptoUnavailableError', missing: 'crypto.subtle' });
    expect(net.exchanges.map((exchange) => exchange.path)).toEqual(['/v1/settlements']);
  });
});
