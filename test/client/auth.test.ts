import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, type AuthRequest, AuthError, createClient, type SettlementRequest } from '../../client/src/index.js';
import { bearer, startTestStack, type TestStack } from '../support/test-stack.js';
import { network, QUICK_BACKOFF } from './support.js';

let stack: TestStack;
/** Two valid tokens of m_123 that differ, to tell attempts apart. */
let tokens: [string, string];
beforeAll(async () => {
  stack = await startTestStack();
  tokens = [stack.devTokens.m_123!, await stack.issueToken('m_123', { expiresInSeconds: 600 })];
  expect(tokens[0]).not.toBe(tokens[1]);
});
afterAll(async () => {
  await stack?.stop();
});

let orders = 0;
function payment(): SettlementRequest {
  orders += 1;
  return { orderId: `o_auth_${Date.now()}_${orders}`, amount: { value: 1500, currency: 'JPY' }, paymentMethod: { type: 'card', token: 'tok_success' } };
}

/** The first settle response is lost on the way back: the SDK retries with the same key. */
function losingFirstSettlement() {
  let lost = false;
  return network({
    after: (response, exchange) => {
      if (exchange.path !== '/v1/settlements' || lost) return response;
      lost = true;
      throw new TypeError('fetch failed: connection reset');
    },
  });
}

describe('auth: settle authenticates, and only settle', () => {
  it('sends static headers on every settle attempt, and on no other call', async () => {
    const net = losingFirstSettlement();
    const client = createClient({ baseUrl: stack.url, fetch: net.fetch, backoff: QUICK_BACKOFF, auth: { headers: bearer(tokens[0]) } });
    const request = payment();
    const settlement = await client.settle(request);
    await client.confirmPayment(settlement.paymentResponse, { merchantId: 'm_123', orderId: request.orderId, amount: request.amount }, { nonce: true });
    await client.getConfig({ country: 'JP' });

    const settles = net.exchanges.filter((exchange) => exchange.path === '/v1/settlements');
    expect(settles.map((exchange) => [exchange.status, exchange.headers.authorization])).toEqual([
      [201, `Bearer ${tokens[0]}`],
      [201, `Bearer ${tokens[0]}`],
    ]);
    const others = net.exchanges.filter((exchange) => exchange.path !== '/v1/settlements');
    expect(others.map((exchange) => exchange.path)).toEqual(expect.arrayContaining(['/v1/verifications', '/.well-known/verdict-jwks.json', '/v1/config?country=JP']));
    for (const exchange of others) expect(exchange.headers).not.toHaveProperty('authorization');
  });

  it('calls a function for every attempt with the request about to be sent, and sends what it returns', async () => {
    const net = losingFirstSettlement();
    const asked: AuthRequest[] = [];
    const auth = async (request: AuthRequest) => bearer(tokens[asked.push(request) - 1]!);
    const settlement = await createClient({ baseUrl: stack.url, fetch: net.fetch, backoff: QUICK_BACKOFF, auth }).settle(payment());

    expect(settlement.status).toBe('SETTLED');
    expect(net.exchanges).toHaveLength(2);
    net.exchanges.forEach((sent, attempt) => {
      const { authorization, ...sdkHeaders } = sent.headers;
      expect(authorization).toBe(`Bearer ${tokens[attempt]}`);
      expect(asked[attempt]).toEqual({ method: 'POST', url: sent.url, headers: sdkHeaders, body: sent.body });
    });
    expect(asked[0]!.headers['idempotency-key']).toBe(settlement.idempotencyKey);
  });

  it("a call's own auth overrides the client's", async () => {
    const client = createClient({ baseUrl: stack.url, auth: { headers: bearer('not-a-token') } });
    expect(await client.settle(payment(), { auth: { headers: bearer(tokens[1]) } })).toMatchObject({ status: 'SETTLED' });
    expect(await client.settle(payment()).catch((caught: unknown) => caught)).toMatchObject({ status: 401 });
  });

  it('without auth, the gateway refuses (401) and the SDK does not retry', async () => {
    const net = network();
    const error = await createClient({ baseUrl: stack.url, fetch: net.fetch }).settle(payment()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'http-error', status: 401, title: 'Unauthorized', retryable: false, problem: { message: 'Unauthorized' } });
    expect(net.exchanges).toHaveLength(1);
  });
});

describe('auth that cannot give headers fails plainly and leaks nothing', () => {
  it('refuses static auth that is not headers at createClient, naming no value', () => {
    const wrong: unknown[] = [
      'Bearer secret-1',
      { authorization: 'Bearer secret-2' },
      { headers: 'authorization: Bearer secret-3' },
      { headers: { authorization: 42 } },
      { headers: { 'bad name': 'secret-4' } },
      { headers: { authorization: 'Bearer secret-5\r\nx-injected: 1' } },
    ];
    for (const auth of wrong) {
      const error = (() => {
        try {
          createClient({ baseUrl: stack.url, auth: auth as never });
        } catch (caught) {
          return caught as Error;
        }
      })();
      expect(error, JSON.stringify(auth)).toBeInstanceOf(TypeError);
      expect(error!.message).not.toMatch(/secret/);
    }
  });

  it('a function that throws rejects with AuthError, its cause and the key of the attempt that may have settled, without retrying it', async () => {
    const net = losingFirstSettlement();
    const failure = new Error('the identity provider is unreachable');
    let calls = 0;
    const auth = () => {
      calls += 1;
      if (calls > 1) throw failure;
      return bearer(tokens[0]);
    };
    const error = await createClient({ baseUrl: stack.url, fetch: net.fetch, backoff: QUICK_BACKOFF, auth }).settle(payment()).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ code: 'auth-failed', retryable: false, cause: failure, idempotencyKey: net.exchanges[0]!.headers['idempotency-key'] });
    expect(calls).toBe(2);
    expect(net.exchanges).toHaveLength(1);
  });

  it('a function returning something else than headers, or changing the SDK\'s, sends nothing', async () => {
    const returns: unknown[] = [undefined, 'Bearer secret-6', { authorization: ['Bearer secret-7'] }, { 'Idempotency-Key': 'another-key' }, { 'content-type': 'text/plain' }];
    for (const value of returns) {
      const net = network();
      const client = createClient({ baseUrl: stack.url, fetch: net.fetch, auth: async () => value as Record<string, string> });
      const error = await client.settle(payment()).catch((caught: unknown) => caught);
      expect(error, JSON.stringify(value)).toBeInstanceOf(AuthError);
      expect((error as Error).message).not.toMatch(/secret/);
      expect(net.exchanges).toHaveLength(0);
    }
  });
});

describe('credentials go to baseUrl only', () => {
  it('a redirect answering settle is not followed: the headers never reach another origin', async () => {
    const elsewhere = await recordingServer((_request, response) => response.writeHead(201).end('{}'));
    const redirecting = await recordingServer((_request, response) => response.writeHead(307, { location: `${elsewhere.url}/v1/settlements` }).end());
    try {
      const client = createClient({ baseUrl: redirecting.url, backoff: QUICK_BACKOFF, auth: { headers: { 'x-api-key': 'secret-8' } } });
      const error = await client.settle(payment()).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: 'ApiError', status: 307, retryable: false });
      expect(redirecting.received.map((headers) => headers['x-api-key'])).toEqual(['secret-8']);
      expect(elsewhere.received).toEqual([]);
    } finally {
      await Promise.all([elsewhere.close(), redirecting.close()]);
    }
  });
});

async function recordingServer(answer: Parameters<typeof createServer>[1] & {}) {
  const received: IncomingHttpHeaders[] = [];
  const server: Server = createServer((request, response) => {
    received.push(request.headers);
    request.resume().on('end', () => answer(request, response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
