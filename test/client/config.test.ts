import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createClient, NetworkError } from '../../client/src/index.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { memoryStorage, network, QUICK_BACKOFF } from './support.js';

// One stack for the file: the last tests stop it for good.
let stack: TestStack;
let stopped = false;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  if (!stopped) await stack?.stop();
});

/** The local stack's Cache-Control: max-age=60. A clock the test moves keeps the tests fast and exact. */
const MAX_AGE_MS = 60_000;
function clock() {
  let now = Date.UTC(2030, 0, 1);
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('getConfig: the configuration for the client country, cached and revalidated', () => {
  it('answers the configured country and keeps it while Cache-Control says it is fresh', async () => {
    const time = clock();
    const net = network();
    const client = createClient({ baseUrl: stack.url, fetch: net.fetch, now: time.now });

    const first = await client.getConfig({ country: 'jp' });
    expect(first).toMatchObject({ country: 'JP', source: 'query', stale: false, config: { currency: 'JPY', locale: 'ja-JP' } });
    time.advance(MAX_AGE_MS - 1_000);
    const second = await client.getConfig({ country: 'JP' });

    expect(second).toEqual(first);
    expect(net.exchanges.map((exchange) => exchange.path)).toEqual(['/v1/config?country=JP']);
  });

  it('revalidates with If-None-Match once max-age has passed, and keeps its copy on 304', async () => {
    const time = clock();
    const net = network();
    const client = createClient({ baseUrl: stack.url, fetch: net.fetch, now: time.now });
    const first = await client.getConfig({ country: 'DE' });

    time.advance(MAX_AGE_MS + 1);
    const revalidated = await client.getConfig({ country: 'DE' });
    time.advance(MAX_AGE_MS - 1_000); // the 304 made the copy fresh again
    await client.getConfig({ country: 'DE' });

    expect(revalidated).toEqual(first);
    expect(net.exchanges).toHaveLength(2);
    expect(net.exchanges[0]!.status).toBe(200);
    expect(net.exchanges[1]!.headers['if-none-match']).toMatch(/^"[\w-]+"$/);
    expect(net.exchanges[1]!.status).toBe(304);
  });

  it('keeps the last good configuration in storage, so a restarted app starts from it and revalidates', async () => {
    const time = clock();
    const storage = memoryStorage();
    await createClient({ baseUrl: stack.url, now: time.now, storage }).getConfig({ country: 'BR' });

    const net = network();
    const restarted = createClient({ baseUrl: stack.url, fetch: net.fetch, now: time.now, storage });
    const fromStorage = await restarted.getConfig({ country: 'BR' });
    expect(fromStorage).toMatchObject({ country: 'BR', stale: false, config: { currency: 'BRL', locale: 'pt-BR' } });
    expect(net.exchanges).toHaveLength(0);

    time.advance(MAX_AGE_MS + 1);
    expect(await restarted.getConfig({ country: 'BR' })).toEqual(fromStorage);
    expect(net.exchanges.map((exchange) => exchange.status)).toEqual([304]);
  });

  it("passes on the service's own word that it served its last known configuration (x-config-stale)", async () => {
    // What the config function answers while DynamoDB is down (test/config/config-handler-stale.test.ts).
    const net = network({
      after: (response) => {
        const headers = new Headers(response.headers);
        headers.set('x-config-stale', 'true');
        headers.set('cache-control', 'public, max-age=0, stale-while-revalidate=300, stale-if-error=86400');
        return new Response(response.body, { status: response.status, headers });
      },
    });
    const client = createClient({ baseUrl: stack.url, fetch: net.fetch });
    expect(await client.getConfig({ country: 'CN' })).toMatchObject({ country: 'CN', stale: true, config: { currency: 'CNY' } });
    await client.getConfig({ country: 'CN' }); // max-age=0: asks again at once
    expect(net.exchanges.map((exchange) => exchange.status)).toEqual([200, 304]);
  });

  it('treats unreadable or failing storage as empty, never as an error', async () => {
    const garbage = { getItem: () => '{"v":1,"response":{"country":"JP"}}', setItem: () => undefined };
    const failing = {
      getItem: async () => {
        throw new Error('SecurityError: storage is disabled');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    for (const storage of [garbage, failing]) {
      const config = await createClient({ baseUrl: stack.url, storage }).getConfig({ country: 'GB' });
      expect(config).toMatchObject({ country: 'GB', stale: false, config: { currency: 'GBP' } });
    }
  });

  it('lets the service find the country when none is given (here from Accept-Language)', async () => {
    const net = network();
    const client = createClient({
      baseUrl: stack.url,
      // As a browser adds the user's languages to every request.
      fetch: (input, init) => net.fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), 'accept-language': 'fr-FR,fr;q=0.9' } }),
    });
    expect(await client.getConfig()).toMatchObject({ country: 'FR', source: 'accept-language', config: { currency: 'EUR', locale: 'fr-FR' } });
    expect(net.exchanges[0]!.path).toBe('/v1/config');
  });

  it('rejects a country the service refuses with a typed error that is not retryable, and does not retry it', async () => {
    const net = network();
    const client = createClient({ baseUrl: stack.url, fetch: net.fetch, backoff: QUICK_BACKOFF });
    const error = await client.getConfig({ country: 'ZZ' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'validation-failed', status: 400, retryable: false });
    expect(net.exchanges).toHaveLength(1);
  });
});

describe('getConfig when the service is down', () => {
  it('answers the last good configuration marked stale instead of throwing', async () => {
    const time = clock();
    const storage = memoryStorage();
    const client = createClient({ baseUrl: stack.url, now: time.now, storage, backoff: QUICK_BACKOFF });
    const fresh = await client.getConfig({ country: 'IN' });
    const restarted = createClient({ baseUrl: stack.url, now: time.now, storage, backoff: QUICK_BACKOFF });

    await stack.stop();
    stopped = true;
    time.advance(MAX_AGE_MS + 1);

    const stale = await client.getConfig({ country: 'IN' });
    expect(stale).toEqual({ ...fresh, stale: true });
    expect(await restarted.getConfig({ country: 'IN' })).toEqual({ ...fresh, stale: true });
  });

  it('with nothing cached, throws a typed, retryable error after its retries', async () => {
    const net = network();
    const client = createClient({ baseUrl: stack.url, fetch: net.fetch, retries: 2, backoff: QUICK_BACKOFF });
    const error = await client.getConfig({ country: 'US' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ code: 'network-error', retryable: true });
    expect(net.exchanges).toHaveLength(3);
  });
});
