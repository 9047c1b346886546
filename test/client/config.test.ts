import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, type ConfigKeySet, createClient, NetworkError } from '../../client/src/index.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { type Exchange, memoryStorage, network, QUICK_BACKOFF } from './support.js';

// One stack for the file: the last tests stop it for good.
let stack: TestStack;
let stopped = false;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  if (!stopped) await stack?.stop();
});

/**
 * The local stack's Cache-Control: max-age=60. A clock the test moves keeps the tests fast and
 * exact; it starts now, as the stack signs its answers (for a day) with the real clock.
 */
const MAX_AGE_MS = 60_000;
function clock() {
  let now = Date.now();
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

const CONFIG_KEYS_PATH = '/.well-known/config-jwks.json';
/** The exchanges of GET /v1/config, without the config key set fetches that verify them. */
const configExchanges = (exchanges: Exchange[]) => exchanges.filter((exchange) => exchange.path.startsWith('/v1/config'));

describe('getConfig: the configuration for the client country, cached and revalidated', () => {
  it('answers the configured country and keeps it while Cache-Control says it is fresh', async () => {
    const time = clock();
    const net = network();
    const client = createClient({ baseUrl: stack.url, fetch: net.fetch, now: time.now });

    const first = await client.getConfig({ country: 'jp' });
    expect(first).toMatchObject({ country: 'JP', source: 'query', stale: false, from: 'network', config: { currency: 'JPY', locale: 'ja-JP' } });
    time.advance(MAX_AGE_MS - 1_000);
    const second = await client.getConfig({ country: 'JP' });

    expect(second).toEqual({ ...first, from: 'cache' });
    // Verified against the service's config key set, which is neither the verdict nor the payment key set.
    expect(net.exchanges.map((exchange) => exchange.path)).toEqual(['/v1/config?country=JP', CONFIG_KEYS_PATH]);
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
    const exchanges = configExchanges(net.exchanges);
    expect(exchanges).toHaveLength(2);
    expect(exchanges[0]!.status).toBe(200);
    expect(exchanges[1]!.headers['if-none-match']).toMatch(/^"[\w-]+"$/);
    expect(exchanges[1]!.status).toBe(304);
  });

  it('keeps the last good configuration in storage, so a restarted app starts from it and revalidates', async () => {
    const time = clock();
    const storage = memoryStorage();
    await createClient({ baseUrl: stack.url, now: time.now, storage }).getConfig({ country: 'BR' });

    const net = network();
    const restarted = createClient({ baseUrl: stack.url, fetch: net.fetch, now: time.now, storage });
    const fromStorage = await restarted.getConfig({ country: 'BR' });
    expect(fromStorage).toMatchObject({ country: 'BR', stale: false, from: 'cache', config: { currency: 'BRL', locale: 'pt-BR' } });
    // Its signature verified again: only the key set was fetched.
    expect(net.exchanges.map((exchange) => exchange.path)).toEqual([CONFIG_KEYS_PATH]);

    time.advance(MAX_AGE_MS + 1);
    expect(await restarted.getConfig({ country: 'BR' })).toEqual({ ...fromStorage, from: 'network' });
    expect(configExchanges(net.exchanges).map((exchange) => exchange.status)).toEqual([304]);
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
    expect(await client.getConfig({ country: 'CN' })).toMatchObject({ country: 'CN', stale: true, from: 'network', config: { currency: 'CNY' } });
    await client.getConfig({ country: 'CN' }); // max-age=0: asks again at once
    expect(configExchanges(net.exchanges).map((exchange) => exchange.status)).toEqual([200, 304]);
  });

  it('treats unreadable or failing storage as empty, never as an error', async () => {
    const garbage = { getItem: () => '{"v":2,"signature":"e30.e30.e30","receivedAt":0,"freshForMs":0,"staleIfErrorMs":0,"serverStale":false}', setItem: () => undefined };
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
      expect(config).toMatchObject({ country: 'GB', stale: false, from: 'network', config: { currency: 'GBP' } });
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
    expect(configExchanges(net.exchanges)).toHaveLength(1);
  });
});

describe('getConfig when the service is down', () => {
  it('answers the last good configuration marked stale instead of throwing', async () => {
    const time = clock();
    const storage = memoryStorage();
    const client = createClient({ baseUrl: stack.url, now: time.now, storage, backoff: QUICK_BACKOFF });
    const fresh = await client.getConfig({ country: 'IN' });
    // Offline, a restarted app verifies its stored copy only against keys it holds: pinned, as an app bundles them.
    const configKeys = (await (await fetch(`${stack.url}${CONFIG_KEYS_PATH}`)).json()) as ConfigKeySet;
    const restarted = createClient({ baseUrl: stack.url, now: time.now, storage, backoff: QUICK_BACKOFF, configKeys });
    const restartedUnpinned = createClient({ baseUrl: stack.url, now: time.now, storage, backoff: QUICK_BACKOFF, retries: 0 });

    await stack.stop();
    stopped = true;
    time.advance(MAX_AGE_MS + 1);

    const stale = await client.getConfig({ country: 'IN' });
    expect(stale).toEqual({ ...fresh, stale: true, from: 'cache' });
    expect(await restarted.getConfig({ country: 'IN' })).toEqual({ ...fresh, stale: true, from: 'cache' });
    expect(await restartedUnpinned.getConfig({ country: 'IN' }).catch((caught: unknown) => caught)).toBeInstanceOf(NetworkError);
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
