import { getEventListeners } from 'node:events';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ConfigResponse, createClient, type ExpectedPayment, type FetchLike, type SettlementRequest, TimeoutError } from '../../client/src/index.js';
import { type ConfigAnswer, type ConfigSigningKey, configSigningKey, jsonResponse, memoryStorage, network, silentServer } from './support.js';

const REQUEST: SettlementRequest = { orderId: 'o_abort', amount: { value: 1500, currency: 'JPY' }, paymentMethod: { type: 'card', token: 'tok_success' } };
const EXPECTED: ExpectedPayment = { merchantId: 'm_123', orderId: 'o_abort', amount: { value: 1500, currency: 'JPY' } };
const PAYMENT_RESPONSE = 'eyJhbGciOiJFUzI1NiJ9.eyJqdGkiOiJwYXlfYWJvcnQifQ.c2ln';
const CONFIG: ConfigAnswer = {
  country: 'JP',
  source: 'query',
  version: 'default@1',
  config: { currency: 'JPY', locale: 'ja-JP', paymentMethods: ['card'], features: {}, legal: { termsUrl: 'https://t.example', privacyUrl: 'https://p.example' } },
};

let configKey: ConfigSigningKey;
let signedConfig: ConfigResponse;
beforeAll(async () => {
  configKey = await configSigningKey();
  signedConfig = await configKey.signedBody(CONFIG);
});

/** A fetch whose answers never come, but that honours its signal as fetch does. */
function hangingFetch(calls: { count: number }, first?: () => Response): FetchLike {
  return (_input, init) => {
    calls.count += 1;
    if (calls.count === 1 && first) return Promise.resolve(first());
    return new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason), { once: true }));
  };
}

const settled = () => jsonResponse(201, { paymentId: 'pay_abort', status: 'SETTLED', paymentResponse: PAYMENT_RESPONSE });
const caught = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);

describe('a per-call AbortSignal', () => {
  it('ends a call waiting on the network at once with the AbortError, and is never retried', async () => {
    const silent = await silentServer();
    try {
      const net = network();
      const client = createClient({ baseUrl: silent.url, fetch: net.fetch, timeoutMs: 20_000 });
      const calls = [
        (signal: AbortSignal) => client.settle(REQUEST, { idempotencyKey: 'k-1', signal }),
        (signal: AbortSignal) => client.confirmPayment(PAYMENT_RESPONSE, EXPECTED, { signal }),
        (signal: AbortSignal) => client.getConfig({ country: 'JP', signal }),
      ];
      for (const call of calls) {
        const controller = new AbortController();
        const started = Date.now();
        setTimeout(() => controller.abort(), 100);
        const error = await caught(call(controller.signal));
        expect(error).toBeInstanceOf(DOMException);
        expect(error).toMatchObject({ name: 'AbortError' });
        expect(Date.now() - started).toBeLessThan(5_000);
      }
      expect(net.exchanges).toHaveLength(calls.length);
    } finally {
      await silent.close();
    }
  });

  it("rejects with the caller's own reason, and stops waiting out a backoff delay", async () => {
    const net = network({ answer: () => jsonResponse(503, { type: '/problems/signing-unavailable', title: 'Signing unavailable', status: 503 }, { 'retry-after': '30' }) });
    const client = createClient({ baseUrl: 'http://127.0.0.1:9', fetch: net.fetch, backoff: { baseMs: 60_000, maxMs: 60_000 } });
    const controller = new AbortController();
    const reason = new Error('the shopper left the page');
    const started = Date.now();
    setTimeout(() => controller.abort(reason), 100);
    expect(await caught(client.settle(REQUEST, { idempotencyKey: 'k-2', signal: controller.signal }))).toBe(reason);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(net.exchanges).toHaveLength(1);
  });

  it('an already aborted signal sends nothing, even where a cached copy could answer', async () => {
    const calls = { count: 0 };
    const fetch = hangingFetch(calls, () => jsonResponse(200, signedConfig, { 'cache-control': 'max-age=60' }));
    const client = createClient({ baseUrl: 'http://127.0.0.1:9', fetch, configKeys: configKey.keySet });
    await client.getConfig({ country: 'JP' });
    const aborted = AbortSignal.abort();
    for (const call of [
      client.settle(REQUEST, { signal: aborted }),
      client.confirmPayment(PAYMENT_RESPONSE, EXPECTED, { nonce: true, signal: aborted }),
      client.getConfig({ country: 'JP', signal: aborted }),
    ]) {
      expect(await caught(call)).toMatchObject({ name: 'AbortError' });
    }
    expect(calls.count).toBe(1);
  });

  it('getConfig aborted while revalidating rejects: it does not answer its stale copy', async () => {
    const calls = { count: 0 };
    const storage = memoryStorage();
    const fetch = hangingFetch(calls, () => jsonResponse(200, signedConfig, { 'cache-control': 'max-age=0' }));
    const client = createClient({ baseUrl: 'http://127.0.0.1:9', storage, fetch, configKeys: configKey.keySet });
    expect(await client.getConfig({ country: 'JP' })).toMatchObject({ stale: false });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    expect(await caught(client.getConfig({ country: 'JP', signal: controller.signal }))).toMatchObject({ name: 'AbortError' });
    expect(calls.count).toBe(2);
  });

  it("keeps the SDK's own timeout, and leaves no listener on the caller's signal", async () => {
    const silent = await silentServer();
    try {
      const controller = new AbortController();
      const hanging = createClient({ baseUrl: silent.url, timeoutMs: 200, retries: 0 });
      expect(await caught(hanging.settle(REQUEST, { idempotencyKey: 'k-3', signal: controller.signal }))).toBeInstanceOf(TimeoutError);

      const answering = createClient({ baseUrl: 'http://127.0.0.1:9', fetch: async () => settled() });
      for (let call = 0; call < 3; call += 1) await answering.settle(REQUEST, { idempotencyKey: 'k-4', signal: controller.signal });
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    } finally {
      await silent.close();
    }
  });
});
