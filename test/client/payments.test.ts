import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiError,
  createClient,
  type ExpectedPayment,
  InvalidResponseError,
  NetworkError,
  type SettlementRequest,
  TimeoutError,
  VerdictRejectedError,
  VerificationUnavailableError,
} from '../../client/src/index.js';
import { LOCAL_JWT_ISSUER } from '../../local/jwt-issuer.js';
import { bearer, startTestStack, type TestStack } from '../support/test-stack.js';
import { jsonResponse, network, QUICK_BACKOFF, rewritten, silentServer, unreachableUrl, withAlteredPayload } from './support.js';

let stack: TestStack;
/** The SDK's merchant backend: registered for m_sdk, and the bearer token it settles with. */
let token: string;
beforeAll(async () => {
  stack = await startTestStack();
  await stack.merchants.add({ merchantId: 'm_sdk', mode: 'test', status: 'active', callers: [`jwt:${LOCAL_JWT_ISSUER}|m_sdk`] });
  token = await stack.issueToken('m_sdk');
});
afterAll(async () => {
  await stack?.stop();
});

let orders = 0;
function order(token = 'tok_success'): { request: SettlementRequest; expected: ExpectedPayment } {
  orders += 1;
  const orderId = `o_sdk_${Date.now()}_${orders}`;
  const amount = { value: 1500, currency: 'JPY' };
  return {
    request: { merchantId: 'm_sdk', orderId, amount, paymentMethod: { type: 'card', token } },
    expected: { merchantId: 'm_sdk', orderId, amount },
  };
}

const isVerification = (path: string) => path === '/v1/verifications';

describe('settle: one payment per Idempotency-Key, however often the request travels', () => {
  it('settles with a key it creates and resolves the signed payment response', async () => {
    const net = network();
    const { request } = order();
    const settlement = await createClient({ auth: { headers: bearer(token) }, baseUrl: stack.url, fetch: net.fetch }).settle(request);

    expect(settlement).toMatchObject({ status: 'SETTLED', replayed: false, paymentId: expect.stringMatching(/^pay_/) });
    expect(settlement.paymentResponse.split('.')).toHaveLength(3);
    expect(settlement.idempotencyKey).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(net.exchanges[0]!.headers['idempotency-key']).toBe(settlement.idempotencyKey);
  });

  it('uses the key the app gives, and resolves a declined payment like a settled one', async () => {
    const net = network();
    const { request } = order('tok_decline');
    const settlement = await createClient({ auth: { headers: bearer(token) }, baseUrl: stack.url, fetch: net.fetch }).settle(request, { idempotencyKey: `${request.orderId}-attempt-1` });
    expect(settlement).toMatchObject({ status: 'DECLINED', idempotencyKey: `${request.orderId}-attempt-1` });
    expect(net.exchanges.map((exchange) => [exchange.status, exchange.headers['idempotency-key']])).toEqual([[402, `${request.orderId}-attempt-1`]]);
  });

  it('after a response lost on the way back, retries with the same key and gets the same payment, signed once', async () => {
    const net = network({
      after: async (response, _exchange, index) => {
        if (index > 0) return response;
        await response.arrayBuffer(); // the service finished: settled, signed, stored
        throw new TypeError('fetch failed: connection reset');
      },
    });
    const client = createClient({ auth: { headers: bearer(token) }, baseUrl: stack.url, fetch: net.fetch, backoff: QUICK_BACKOFF });
    const signaturesBefore = stack.kmsCalls('Sign');

    const { request, expected } = order();
    const settlement = await client.settle(request);

    expect(net.exchanges.map((exchange) => exchange.status)).toEqual([201, 201]);
    expect(new Set(net.exchanges.map((exchange) => exchange.headers['idempotency-key']))).toEqual(new Set([settlement.idempotencyKey]));
    expect(settlement).toMatchObject({ status: 'SETTLED', replayed: true });
    expect(stack.kmsCalls('Sign') - signaturesBefore).toBe(1);
    expect(await client.confirmPayment(settlement.paymentResponse, expected)).toMatchObject({ completed: true, reason: 'OK' });
  });

  it('retries while the first attempt is still in flight (409), with the same key', async () => {
    const net = network({
      answer: (_exchange, index) =>
        index === 0
          ? jsonResponse(409, { type: '/problems/request-in-flight', title: 'A request with this Idempotency-Key is in progress', status: 409 }, { 'retry-after': '0' })
          : undefined,
    });
    const settlement = await createClient({ auth: { headers: bearer(token) }, baseUrl: stack.url, fetch: net.fetch, backoff: QUICK_BACKOFF }).settle(order().request);
    expect(settlement.status).toBe('SETTLED');
    expect(net.exchanges.map((exchange) => [exchange.status, exchange.headers['idempotency-key']])).toEqual([
      [409, settlement.idempotencyKey],
      [201, settlement.idempotencyKey],
    ]);
  });

  it('retries a processor failure (502) within `retries`, then rejects as retryable, carrying the key to retry with', async () => {
    const net = network();
    const client = createClient({ auth: { headers: bearer(token) }, baseUrl: stack.url, fetch: net.fetch, retries: 2, backoff: QUICK_BACKOFF });
    const error = await client.settle(order('tok_error').request).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'processor-unavailable', status: 502, retryable: true });
    const key = (error as ApiError).idempotencyKey;
    expect(net.exchanges.map((exchange) => [exchange.status, exchange.headers['idempotency-key']])).toEqual([
      [502, key],
      [502, key],
      [502, key],
    ]);
  });

  it('does not retry what the service refuses: a key reused for another payment', async () => {
    const client = createClient({ auth: { headers: bearer(token) }, baseUrl: stack.url, backoff: QUICK_BACKOFF });
    const first = await client.settle(order().request);
    const net = network();
    const error = await createClient({ auth: { headers: bearer(token) }, baseUrl: stack.url, fetch: net.fetch, backoff: QUICK_BACKOFF })
      .settle(order().request, { idempotencyKey: first.idempotencyKey })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'ApiError', code: 'idempotency-key-reused', status: 422, retryable: false });
    expect(net.exchanges).toHaveLength(1);
  });
});

describe('confirmPayment: only the verification service says a payment completed', () => {
  it('confirms a genuine settled payment, with and without a signed verdict', async () => {
    const client = createClient({ auth: { headers: bearer(token) }, baseUrl: stack.url });
    const { request, expected } = order();
    const settlement = await client.settle(request);

    const plain = await client.confirmPayment(settlement.paymentResponse, expected);
    expect(plain).toEqual({
      completed: true,
      verified: true,
      reason: 'OK',
      livemode: false,
      payment: { paymentId: settlement.paymentId, ...expected, status: 'SETTLED', livemode: false, iat: expect.any(Number) },
    });
    const proven = await client.confirmPayment(settlement.paymentResponse, expected, { nonce: true });
    expect(proven).toMatchObject({ completed: true, reason: 'OK', verdict: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/) });
    expect(await client.confirmPayment(settlement.paymentResponse, expected, { nonce: true, checkLedger: true })).toMatchObject({ completed: true });
  });

  it('does not confirm a tampered response: the signature no longer matches', async () => {
    const client = createClient({ auth: { headers: bearer(token) }, baseUrl: stack.url });
    const { request, expected } = order();
    const { paymentResponse } = await client.settle(request);
    const cheaper = withAlteredPayload(paymentResponse, (claims) => ({ ...claims, amount: { ...claims.amount, value: 1 } }));

    for (const options of [{}, { nonce: true }]) {
      const confirmation = await client.confirmPayment(cheaper, { ...expected, amount: { value: 1, currency: 'JPY' } }, options);
      expect(confirmation).toMatchObject({ completed: false, verified: false, reason: 'BAD_SIGNATURE' });
      expect(confirmation.payment).toBeUndefined();
    }
  });

  it("does not confirm another order's genuine response", async () => {
    const client = createClient({ auth: { headers: bearer(token) }, baseUrl: stack.url });
    const mine = order();
    const theirs = await client.settle(order().request);
    const confirmation = await client.confirmPayment(theirs.paymentResponse, mine.expected, { nonce: true });
    expect(confirmation).toMatchObject({ completed: false, verified: true, reason: 'MISMATCH_ORDER' });
  });

  it('needs the order and amount it confirms: without them it refuses at once, asking nothing', async () => {
    const net = network();
    const client = createClient({ auth: { headers: bearer(token) }, baseUrl: stack.url, fetch: net.fetch });
    const { request, expected } = order();
    const { paymentResponse } = await client.settle(request);
    const settled = net.exchanges.length;
    // The first seven once resolved `completed: true` for a genuine settled response of another order or merchant.
    const incomplete: unknown[] = [
      undefined,
      {},
      { merchantId: expected.merchantId },
      { orderId: expected.orderId },
      { amount: expected.amount },
      { orderId: expected.orderId, amount: expected.amount },
      { ...expected, merchantId: undefined },
      { orderId: '', amount: expected.amount },
      { orderId: expected.orderId, amount: { value: '1500', currency: 'JPY' } },
      { orderId: expected.orderId, amount: { value: 15.5, currency: 'JPY' } },
      { orderId: expected.orderId, amount: { value: 1500, currency: 'yen' } },
      { ...expected, merchantId: 42 },
    ];
    for (const wrong of incomplete) {
      const error = await client.confirmPayment(paymentResponse, wrong as ExpectedPayment).catch((caught: unknown) => caught);
      expect(error, JSON.stringify(wrong)).toBeInstanceOf(TypeError);
    }
    expect(net.exchanges).toHaveLength(settled);
    expect(await client.confirmPayment(paymentResponse, expected)).toMatchObject({ completed: true });
  });

  it('does not confirm a cheaper genuine payment replayed for a dearer order', async () => {
    const client = createClient({ auth: { headers: bearer(token) }, baseUrl: stack.url });
    const cheap = order();
    const { paymentResponse } = await client.settle(cheap.request);
    const dearer = { ...cheap.expected, orderId: `${cheap.expected.orderId}_b`, amount: { value: 150_000, currency: 'JPY' } };
    expect(await client.confirmPayment(paymentResponse, dearer, { nonce: true })).toMatchObject({ completed: false, verified: true, reason: 'MISMATCH_ORDER' });
    expect(await client.confirmPayment(paymentResponse, { ...cheap.expected, amount: dearer.amount })).toMatchObject({ completed: false, reason: 'MISMATCH_AMOUNT' });
  });

  it('does not confirm a declined payment', async () => {
    const client = createClient({ auth: { headers: bearer(token) }, baseUrl: stack.url });
    const { request, expected } = order('tok_decline');
    const declined = await client.settle(request);
    const confirmation = await client.confirmPayment(declined.paymentResponse, expected, { nonce: true });
    expect(confirmation).toMatchObject({ completed: false, verified: true, reason: 'NOT_SETTLED', payment: { status: 'DECLINED' } });
  });
});

describe('a verifier that is down never yields completed: true', () => {
  let genuine: { paymentResponse: string; expected: ExpectedPayment };
  beforeAll(async () => {
    const { request, expected } = order();
    genuine = { paymentResponse: (await createClient({ auth: { headers: bearer(token) }, baseUrl: stack.url }).settle(request)).paymentResponse, expected };
  });

  it('rejects with a retryable NetworkError when nothing answers, after its retries', async () => {
    const net = network();
    const client = createClient({ baseUrl: await unreachableUrl(), fetch: net.fetch, retries: 2, backoff: QUICK_BACKOFF });
    const error = await client.confirmPayment(genuine.paymentResponse, genuine.expected).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ retryable: true });
    expect(net.exchanges).toHaveLength(3);
  });

  it('rejects with a retryable TimeoutError when the verifier does not answer in time', async () => {
    const silent = await silentServer();
    try {
      const client = createClient({ baseUrl: silent.url, timeoutMs: 300, retries: 1, backoff: QUICK_BACKOFF });
      const error = await client.confirmPayment(genuine.paymentResponse, genuine.expected).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error).toMatchObject({ code: 'timeout', retryable: true });
    } finally {
      await silent.close();
    }
  });

  it('rejects with a retryable ApiError when the verifier keeps failing (503)', async () => {
    const net = network({
      answer: (exchange) =>
        isVerification(exchange.path)
          ? jsonResponse(503, { type: '/problems/verdict-unavailable', title: 'The verdict could not be signed', status: 503 })
          : undefined,
    });
    const client = createClient({ auth: { headers: bearer(token) }, baseUrl: stack.url, fetch: net.fetch, retries: 1, backoff: QUICK_BACKOFF });
    const error = await client.confirmPayment(genuine.paymentResponse, genuine.expected, { nonce: true }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'ApiError', code: 'verdict-unavailable', status: 503, retryable: true });
    expect(net.exchanges).toHaveLength(2);
  });

  it('rejects with VerificationUnavailableError when the verifier cannot load its keys (KEYS_UNAVAILABLE)', async () => {
    const net = network({
      answer: (exchange) =>
        isVerification(exchange.path)
          ? jsonResponse(200, { verified: false, paymentCompleted: false, reason: 'KEYS_UNAVAILABLE', retryable: true })
          : undefined,
    });
    const client = createClient({ auth: { headers: bearer(token) }, baseUrl: stack.url, fetch: net.fetch, retries: 1, backoff: QUICK_BACKOFF });
    const error = await client.confirmPayment(genuine.paymentResponse, genuine.expected).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(VerificationUnavailableError);
    expect(error).toMatchObject({ code: 'verification-unavailable', retryable: true });
    expect(net.exchanges).toHaveLength(2);
  });

  it('rejects an answer that claims completion without the facts of a verified payment', async () => {
    for (const body of [
      { paymentCompleted: true },
      { verified: true, paymentCompleted: true, reason: 'OK', retryable: false },
      { verified: false, paymentCompleted: true, reason: 'BAD_SIGNATURE', retryable: false },
      'completed',
    ]) {
      const net = network({ answer: (exchange) => (isVerification(exchange.path) ? jsonResponse(200, body) : undefined) });
      const client = createClient({ auth: { headers: bearer(token) }, baseUrl: stack.url, fetch: net.fetch, backoff: QUICK_BACKOFF });
      const error = await client.confirmPayment(genuine.paymentResponse, genuine.expected).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidResponseError);
      expect(error).toMatchObject({ code: 'invalid-response', retryable: false });
    }
  });
});

describe('an answer checked against something else than asked is refused', () => {
  it('an answer echoing another expected payment or mode, even a completed one, is refused', async () => {
    const client = createClient({ auth: { headers: bearer(token) }, baseUrl: stack.url });
    const mine = order();
    const { paymentResponse } = await client.settle(mine.request);
    for (const change of [{ expected: { ...mine.expected, orderId: 'o_other' } }, { checkLedger: true }, { expected: undefined }]) {
      const net = network({ after: (response, exchange) => (isVerification(exchange.path) ? rewritten(response, (body) => ({ ...body, ...change })) : response) });
      const error = await createClient({ baseUrl: stack.url, fetch: net.fetch })
        .confirmPayment(paymentResponse, mine.expected)
        .catch((caught: unknown) => caught);
      expect(error, JSON.stringify(change)).toBeInstanceOf(InvalidResponseError);
    }
  });
});

describe('the verdict check (nonce mode) rejects an answer its signed verdict does not prove', () => {
  let refused: { paymentResponse: string; expected: ExpectedPayment };
  let other: { paymentResponse: string; expected: ExpectedPayment };
  beforeAll(async () => {
    const client = createClient({ auth: { headers: bearer(token) }, baseUrl: stack.url });
    const theirs = await client.settle(order().request);
    refused = { paymentResponse: theirs.paymentResponse, expected: order().expected }; // MISMATCH_ORDER
    const { request, expected } = order();
    other = { paymentResponse: (await client.settle(request)).paymentResponse, expected };
  });

  async function confirmThrough(net: ReturnType<typeof network>, paymentResponse = refused.paymentResponse, expected = refused.expected) {
    const client = createClient({ auth: { headers: bearer(token) }, baseUrl: stack.url, fetch: net.fetch, backoff: QUICK_BACKOFF });
    return client.confirmPayment(paymentResponse, expected, { nonce: true }).catch((caught: unknown) => caught);
  }
  const turnedIntoCompletion = (claims: any) => ({ ...claims, verified: true, paymentCompleted: true, reason: 'OK' });

  it('an altered verdict (its claims changed, its signature kept) fails the signature check', async () => {
    const net = network({
      after: (response, exchange) =>
        isVerification(exchange.path)
          ? rewritten(response, (body) => ({ ...turnedIntoCompletion(body), verdict: withAlteredPayload(body.verdict, turnedIntoCompletion) }))
          : response,
    });
    const error = await confirmThrough(net);
    expect(error).toBeInstanceOf(VerdictRejectedError);
    expect(error).toMatchObject({ code: 'verdict-rejected', check: 'signature', retryable: false });
  });

  it('an altered body with the genuine verdict says something else than the verdict', async () => {
    const net = network({ after: (response, exchange) => (isVerification(exchange.path) ? rewritten(response, turnedIntoCompletion) : response) });
    expect(await confirmThrough(net)).toMatchObject({ code: 'verdict-rejected', check: 'result' });
  });

  it('a verdict replayed from an earlier request fails the nonce check', async () => {
    let recorded: unknown;
    const recorder = network({
      after: async (response, exchange) => {
        if (!isVerification(exchange.path)) return response;
        recorded = await response.clone().json();
        return response;
      },
    });
    const client = createClient({ auth: { headers: bearer(token) }, baseUrl: stack.url, fetch: recorder.fetch });
    expect(await client.confirmPayment(other.paymentResponse, other.expected, { nonce: true })).toMatchObject({ completed: true });

    const replaying = network({ answer: (exchange) => (isVerification(exchange.path) ? jsonResponse(200, recorded) : undefined) });
    expect(await confirmThrough(replaying, other.paymentResponse, other.expected)).toMatchObject({ code: 'verdict-rejected', check: 'nonce' });
  });

  it("a genuine verdict for our nonce but another payment response (swapped on the way) fails the payment id check", async () => {
    const net = network({
      before: (body, exchange) =>
        isVerification(exchange.path) ? JSON.stringify({ ...JSON.parse(body!), paymentResponse: other.paymentResponse }) : body,
    });
    expect(await confirmThrough(net)).toMatchObject({ code: 'verdict-rejected', check: 'payment-id' });
  });

  it('a missing verdict, or a payment response passed off as one, is refused', async () => {
    const stripped = network({ after: (response, exchange) => (isVerification(exchange.path) ? rewritten(response, ({ verdict: _, ...body }) => body) : response) });
    expect(await confirmThrough(stripped)).toMatchObject({ code: 'verdict-rejected', check: 'missing' });

    // Signed by our payment key, which /.well-known/verdict-jwks.json does not list, and of the wrong typ.
    const impostor = network({
      after: (response, exchange) => (isVerification(exchange.path) ? rewritten(response, (body) => ({ ...body, verdict: other.paymentResponse })) : response),
    });
    expect(await confirmThrough(impostor)).toMatchObject({ code: 'verdict-rejected', check: 'signature' });
  });
});
