// The app's own configuration (`defaults`): what getConfig answers when no verified answer may,
// so that an app that never reached the service, or lost it for too long, still starts.
import { beforeAll, describe, expect, it } from 'vitest';
import { type ClientOptions, type ConfigDefaults, ConfigRejectedError, createClient, type FetchLike, NetworkError } from '../../client/src/index.js';
import { type ConfigAnswer, type ConfigSigningKey, configResponse, configSigningKey, jsonResponse, memoryStorage, network, QUICK_BACKOFF } from './support.js';

const BASE_URL = 'https://api.example.test';
const DEFAULTS: ConfigDefaults = {
  version: 'app-2030.01',
  config: {
    currency: 'USD',
    locale: 'en-US',
    paymentMethods: ['card'],
    features: { savedCards: false },
    legal: { termsUrl: 'https://shop.example/terms', privacyUrl: 'https://shop.example/privacy' },
  },
};
const GB: ConfigAnswer = {
  country: 'GB',
  source: 'query',
  version: 'default@3+country:GB@1',
  config: {
    currency: 'GBP',
    locale: 'en-GB',
    paymentMethods: ['card', 'bacs_debit'],
    features: { savedCards: true },
    legal: { termsUrl: 'https://signed-pay.example/legal/en-GB/terms', privacyUrl: 'https://signed-pay.example/legal/en-GB/privacy' },
  },
};
const FROM_DEFAULTS = { country: null, source: 'default', version: 'app-2030.01', config: DEFAULTS.config, stale: true, from: 'defaults' };
const MINUTE = 60_000;

let key: ConfigSigningKey;
beforeAll(async () => {
  key = await configSigningKey();
});

function clock() {
  let now = Date.UTC(2030, 0, 1);
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

/**
 * The service, reachable while `state.reachable`; it signs GB's answer, valid for 10 minutes,
 * with the config function's Cache-Control (max-age and stale-if-error end at exp), or `cacheControl`.
 */
function service(time: ReturnType<typeof clock>, state = { reachable: true }, cacheControl = 'public, max-age=60, stale-while-revalidate=300, stale-if-error=540') {
  return network({
    answer: async () => {
      if (!state.reachable) throw new TypeError('fetch failed');
      const body = await key.signedBody(GB, { nowMs: time.now(), exp: time.now() / 1000 + 600 });
      return configResponse(body, { 'cache-control': cacheControl });
    },
  });
}

function client(fetch: FetchLike, time: ReturnType<typeof clock>, options: Partial<ClientOptions> = {}) {
  return createClient({ baseUrl: BASE_URL, fetch, now: time.now, configKeys: key.keySet, defaults: DEFAULTS, backoff: QUICK_BACKOFF, ...options });
}

describe('defaults', () => {
  it('answer an app that has never reached the service, at once (no retries), saying they are the defaults', async () => {
    const time = clock();
    const state = { reachable: false };
    const net = service(time, state);
    const pay = client(net.fetch, time, { retries: 3 });

    expect(await pay.getConfig({ country: 'GB' })).toEqual(FROM_DEFAULTS);
    expect(net.exchanges).toHaveLength(1);

    state.reachable = true;
    expect(await pay.getConfig({ country: 'GB' })).toEqual({ ...GB, stale: false, from: 'network' });
  });

  it("are named 'defaults' unless the app gives them a version", async () => {
    const time = clock();
    const net = service(time, { reachable: false });
    const pay = client(net.fetch, time, { defaults: { config: DEFAULTS.config } });
    expect(await pay.getConfig()).toMatchObject({ version: 'defaults', from: 'defaults', stale: true });
  });

  it('never stand in for a verified copy that may still answer: after max-age, within stale-if-error and its exp', async () => {
    const time = clock();
    const state = { reachable: true };
    const pay = client(service(time, state).fetch, time);
    await pay.getConfig({ country: 'GB' });
    state.reachable = false;

    time.advance(2 * MINUTE);
    expect(await pay.getConfig({ country: 'GB' })).toEqual({ ...GB, stale: true, from: 'cache' });
    time.advance(8 * MINUTE - 1_000); // a second before exp
    expect(await pay.getConfig({ country: 'GB' })).toEqual({ ...GB, stale: true, from: 'cache' });
    time.advance(2_000); // past exp, where the stale window ends
    expect(await pay.getConfig({ country: 'GB' })).toEqual(FROM_DEFAULTS);
  });

  it("answer once the copy's signature has expired, however long an (unsigned) stale-if-error says it may serve", async () => {
    const time = clock();
    const state = { reachable: true };
    const pay = client(service(time, state, 'public, max-age=60, stale-if-error=31536000').fetch, time);
    await pay.getConfig({ country: 'GB' });
    state.reachable = false;
    time.advance(10 * MINUTE + 1_000);
    expect(await pay.getConfig({ country: 'GB' })).toEqual(FROM_DEFAULTS);
  });

  it('answer once the stale-if-error window, counted from the end of max-age, has ended, though exp is later', async () => {
    const time = clock();
    const state = { reachable: true };
    const pay = client(service(time, state, 'public, max-age=60, stale-if-error=120').fetch, time);
    await pay.getConfig({ country: 'GB' });
    state.reachable = false;
    time.advance(3 * MINUTE);
    expect(await pay.getConfig({ country: 'GB' })).toMatchObject({ from: 'cache', stale: true });
    time.advance(1_000);
    expect(await pay.getConfig({ country: 'GB' })).toEqual(FROM_DEFAULTS);
  });

  it('answer a restarted app offline whose stored copy is past its exp and stale window', async () => {
    const time = clock();
    const storage = memoryStorage();
    await client(service(time).fetch, time, { storage }).getConfig({ country: 'GB' });
    time.advance(75 * MINUTE);

    const restarted = client(service(time, { reachable: false }).fetch, time, { storage });
    expect(await restarted.getConfig({ country: 'GB' })).toEqual(FROM_DEFAULTS);
  });

  it('answer in place of a refused answer: an altered one is no better than none', async () => {
    const time = clock();
    const net = network({
      answer: async () => {
        const body = await key.signedBody(GB, { nowMs: time.now() });
        return configResponse({ ...body, config: { ...GB.config, legal: { ...GB.config.legal, termsUrl: 'javascript:alert(1)' } } });
      },
    });
    expect(await client(net.fetch, time).getConfig({ country: 'GB' })).toEqual(FROM_DEFAULTS);
    const withoutDefaults = createClient({ baseUrl: BASE_URL, fetch: net.fetch, now: time.now, configKeys: key.keySet });
    expect(await withoutDefaults.getConfig({ country: 'GB' }).catch((error: unknown) => error)).toBeInstanceOf(ConfigRejectedError);
  });

  it('are not an answer to a request the service refuses (an unknown country): that error is thrown', async () => {
    const time = clock();
    const net = network({ answer: () => jsonResponse(400, { type: '/problems/validation-failed', title: 'Invalid request', status: 400 }) });
    expect(await client(net.fetch, time).getConfig({ country: 'ZZ' }).catch((error: unknown) => error)).toMatchObject({ code: 'validation-failed', status: 400 });
  });

  it('without them, nothing to answer is a typed, retryable error after the retries', async () => {
    const time = clock();
    const net = service(time, { reachable: false });
    const pay = client(net.fetch, time, { defaults: undefined, retries: 2 });
    expect(await pay.getConfig({ country: 'GB' }).catch((error: unknown) => error)).toBeInstanceOf(NetworkError);
    expect(net.exchanges).toHaveLength(3);
  });

  it('are copied when the client is made and at every answer: changing either changes nothing', async () => {
    const time = clock();
    const defaults = structuredClone(DEFAULTS);
    const pay = client(service(time, { reachable: false }).fetch, time, { defaults });
    defaults.config.legal.termsUrl = 'javascript:alert(1)';
    const first = await pay.getConfig();
    first.config.paymentMethods.push('evil');
    first.config.features.savedCards = true;
    expect(await pay.getConfig()).toEqual(FROM_DEFAULTS);
  });

  it('are checked by createClient as a signed answer is: https legal URLs, and every member well formed', () => {
    const legal = DEFAULTS.config.legal;
    const invalid: unknown[] = [
      null,
      {},
      { version: '', config: DEFAULTS.config },
      { version: 7, config: DEFAULTS.config },
      { config: { ...DEFAULTS.config, legal: { ...legal, termsUrl: 'javascript:alert(1)' } } },
      { config: { ...DEFAULTS.config, legal: { ...legal, privacyUrl: 'http://shop.example/privacy' } } },
      { config: { ...DEFAULTS.config, legal: { ...legal, termsUrl: '/terms' } } },
      { config: { ...DEFAULTS.config, currency: 'usd' } },
      { config: { ...DEFAULTS.config, locale: '' } },
      { config: { ...DEFAULTS.config, paymentMethods: 'card' } },
      { config: { ...DEFAULTS.config, features: { savedCards: 'yes' } } },
      { config: { ...DEFAULTS.config, legal: undefined } },
    ];
    for (const defaults of invalid) {
      expect(() => createClient({ baseUrl: BASE_URL, defaults } as ClientOptions), JSON.stringify(defaults)).toThrow(TypeError);
    }
    expect(() => createClient({ baseUrl: BASE_URL, defaults: { config: { ...DEFAULTS.config, legal: { ...legal, termsUrl: 'javascript:alert(1)' } } } })).toThrow(
      'defaults.config.legal.termsUrl must be an absolute https URL with a host and no credentials',
    );
    expect(() => createClient({ baseUrl: BASE_URL, defaults: DEFAULTS })).not.toThrow();
    // Gone: nothing may stretch a copy past its signed exp. An app still passing it is told, not ignored.
    expect(() => createClient({ baseUrl: BASE_URL, maxStaleMs: 3_600_000 } as ClientOptions)).toThrow(/maxStaleMs is no longer an option/);
  });
});
