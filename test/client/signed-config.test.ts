// Signed configuration as the SDK sees it: GET /v1/config answers carry `signature`, a JWS of
// the config key over their members. The service here is a fake fetch answering what each test
// signs with keys made in the test; the local stack's own signatures are config.test.ts's.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ClientOptions,
  ConfigKeysUnavailableError,
  ConfigRejectedError,
  type ConfigResponse,
  createClient,
  type FetchLike,
  NetworkError,
} from '../../client/src/index.js';
import { type ConfigAnswer, type ConfigSigningKey, configResponse, configSigningKey, type Exchange, jsonResponse, memoryStorage, network, QUICK_BACKOFF } from './support.js';

const BASE_URL = 'https://api.example.test';
const CONFIG_KEYS_PATH = '/.well-known/config-jwks.json';
const JP: ConfigAnswer = {
  country: 'JP',
  source: 'query',
  version: 'default@3+country:JP@2',
  config: {
    currency: 'JPY',
    locale: 'ja-JP',
    paymentMethods: ['card', 'konbini', 'paypay'],
    features: { savedCards: true, installments: false },
    legal: { termsUrl: 'https://signed-pay.example/legal/ja-JP/terms', privacyUrl: 'https://signed-pay.example/legal/ja-JP/privacy' },
  },
};
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let key: ConfigSigningKey;
/** Another P-256 key: stands for the verdict key, the payment key, or anyone's. */
let other: ConfigSigningKey;
beforeAll(async () => {
  key = await configSigningKey('config-2030-01');
  other = await configSigningKey('verdict-2030-01');
});

function clock() {
  let now = Date.UTC(2030, 0, 1);
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

type Answer = (exchange: Exchange, index: number) => Response | Promise<Response>;

/** The service: config answers from `answer` (a throw is a lost connection), the config key set at baseUrl. */
function service(answer: Answer) {
  let configRequests = 0;
  return network({
    answer: async (exchange) => (exchange.path === CONFIG_KEYS_PATH ? jsonResponse(200, key.keySet) : answer(exchange, configRequests++)),
  });
}

function client(fetch: FetchLike, options: Partial<ClientOptions> = {}) {
  return createClient({ baseUrl: BASE_URL, fetch, configKeys: key.keySet, retries: 0, ...options });
}

const refusal = (promise: Promise<unknown>) => promise.then(() => expect.fail('expected a refusal'), (error: unknown) => error as ConfigRejectedError);
const configPaths = (exchanges: Exchange[]) => exchanges.filter((exchange) => exchange.path !== CONFIG_KEYS_PATH).map((exchange) => exchange.path);
const lostConnection = () => {
  throw new TypeError('fetch failed');
};

describe('a signed configuration answer', () => {
  it('is used as its claims say, from the network, then from the cache while fresh', async () => {
    const time = clock();
    const net = service(async () => configResponse(await key.signedBody(JP, { nowMs: time.now() })));
    const pay = client(net.fetch, { now: time.now });

    expect(await pay.getConfig({ country: 'jp' })).toEqual({ ...JP, stale: false, from: 'network' });
    time.advance(MINUTE - 1_000);
    expect(await pay.getConfig({ country: 'JP' })).toEqual({ ...JP, stale: false, from: 'cache' });
    expect(configPaths(net.exchanges)).toEqual(['/v1/config?country=JP']);
  });

  it("is checked against baseUrl's /.well-known/config-jwks.json when configKeys is omitted", async () => {
    const net = service(async () => configResponse(await key.signedBody(JP)));
    const pay = createClient({ baseUrl: BASE_URL, fetch: net.fetch });
    expect(await pay.getConfig({ country: 'JP' })).toMatchObject({ version: JP.version, from: 'network' });
    expect(net.exchanges.map((exchange) => exchange.url)).toEqual([`${BASE_URL}/v1/config?country=JP`, `${BASE_URL}${CONFIG_KEYS_PATH}`]);
  });

  it('altered on the way (the currency changed in the body) is refused, not retried, and not kept', async () => {
    const net = service(async () => configResponse({ ...(await key.signedBody(JP)), config: { ...JP.config, currency: 'USD' } }));
    const pay = client(net.fetch, { retries: 3, backoff: QUICK_BACKOFF });

    const error = await refusal(pay.getConfig({ country: 'JP' }));
    expect(error).toBeInstanceOf(ConfigRejectedError);
    expect(error).toMatchObject({ code: 'config-rejected', check: 'mismatch', retryable: false });
    await refusal(pay.getConfig({ country: 'JP' }));
    expect(configPaths(net.exchanges)).toHaveLength(2);
  });

  it('altered in body and signed payload alike (the signature kept) is refused: the signature no longer matches', async () => {
    const net = service(async () => {
      const tampered = { ...JP, config: { ...JP.config, currency: 'USD' } };
      const [header, , signature] = (await key.sign(JP)).split('.');
      const [, payload] = (await key.sign(tampered)).split('.');
      return configResponse({ ...tampered, signature: `${header}.${payload}.${signature}` });
    });
    expect(await refusal(client(net.fetch).getConfig({ country: 'JP' }))).toMatchObject({ check: 'signature' });
  });

  it('whose body disagrees with its claims in any member is refused', async () => {
    const changes: Partial<ConfigAnswer>[] = [
      { version: 'default@4' },
      { config: { ...JP.config, locale: 'en-US' } },
      { config: { ...JP.config, paymentMethods: ['card'] } },
      { config: { ...JP.config, features: { savedCards: false, installments: false } } },
      { config: { ...JP.config, legal: { ...JP.config.legal, termsUrl: 'https://evil.example/terms' } } },
    ];
    for (const change of changes) {
      const net = service(async () => configResponse({ ...(await key.signedBody(JP)), ...change }));
      expect(await refusal(client(net.fetch).getConfig({ country: 'JP' })), JSON.stringify(change)).toMatchObject({ check: 'mismatch' });
    }
    // The same members in another order are the same answer.
    const reordered = service(async () => {
      const { signature } = await key.signedBody(JP);
      const { legal, features, paymentMethods, locale, currency } = JP.config;
      return configResponse({ signature, config: { legal, features: { installments: false, savedCards: true }, paymentMethods, locale, currency }, version: JP.version, source: 'query', country: 'JP' });
    });
    expect(await client(reordered.fetch).getConfig({ country: 'JP' })).toMatchObject({ from: 'network' });
  });

  it('signed with another key is refused: one not in the set, or another key under the config kid', async () => {
    const impostor = await configSigningKey(key.kid);
    for (const signer of [other, impostor]) {
      const net = service(async () => configResponse(await signer.signedBody(JP)));
      const error = await refusal(client(net.fetch).getConfig({ country: 'JP' }));
      expect(error, signer.kid).toMatchObject({ code: 'config-rejected', check: 'signature', retryable: false });
    }
  });

  it('refuses another kind of token (a verdict, a payment response), a wrong typ or alg, and extra header members', async () => {
    const es384 = await configSigningKey(key.kid, 'ES384');
    const signatures = [
      () => other.sign(JP, { header: { typ: 'verification-result+jwt' } }),
      () => key.sign(JP, { header: { typ: 'verification-result+jwt' } }),
      () => key.sign(JP, { header: { typ: 'payment-response+jwt' } }),
      () => key.sign(JP, { header: { typ: 'JWT' } }),
      () => key.sign(JP, { header: { typ: undefined } }),
      () => key.sign(JP, { header: { jku: 'https://evil.example/jwks.json' } }),
      () => es384.sign(JP),
    ];
    for (const signature of signatures) {
      const net = service(async () => configResponse({ ...JP, signature: await signature() }));
      expect(await refusal(client(net.fetch).getConfig({ country: 'JP' }))).toMatchObject({ check: 'signature' });
    }
  });

  it('unsigned is refused, whatever else it says', async () => {
    for (const body of [JP, { ...JP, signature: '' }, { ...JP, signature: null }]) {
      const net = service(() => configResponse(body));
      expect(await refusal(client(net.fetch).getConfig({ country: 'JP' }))).toMatchObject({ code: 'config-rejected', check: 'unsigned' });
    }
  });

  it('with claims that are not exactly those the service signs is refused', async () => {
    for (const claims of [{ iat: undefined }, { exp: undefined }, { iss: undefined }, { admin: true }, { exp: 'tomorrow' }]) {
      const net = service(async () => configResponse({ ...JP, signature: await key.sign(JP, { claims }) }));
      expect(await refusal(client(net.fetch).getConfig({ country: 'JP' })), JSON.stringify(claims)).toMatchObject({ check: 'claims' });
    }
  });

  it('signed for another request is refused: another country, or a country asked for when none was', async () => {
    const DE = { ...JP, country: 'DE' };
    const net = service(async () => configResponse(await key.signedBody(DE)));
    expect(await refusal(client(net.fetch).getConfig({ country: 'JP' }))).toMatchObject({ check: 'country' });
    expect(await refusal(client(net.fetch).getConfig())).toMatchObject({ check: 'country' });
    const found = service(async () => configResponse(await key.signedBody({ ...JP, source: 'cloudfront' })));
    expect(await client(found.fetch).getConfig()).toMatchObject({ country: 'JP', source: 'cloudfront', from: 'network' });
  });

  it('whose signature has expired is refused', async () => {
    const time = clock();
    const nowSeconds = time.now() / 1000;
    const net = service(async () => configResponse(await key.signedBody(JP, { iat: nowSeconds - 86_400 - 120, exp: nowSeconds - 120 })));
    expect(await refusal(client(net.fetch, { now: time.now }).getConfig({ country: 'JP' }))).toMatchObject({ code: 'config-rejected', check: 'expired' });
  });

  it('with a legal URL that is not https is refused, though our key signed it', async () => {
    const urls = ['javascript:alert(1)', 'JavaScript:alert(1)', ' javascript:alert(1)', 'http://signed-pay.example/terms', 'data:text/html,<script>alert(1)</script>', '//evil.example/terms', '/terms', 'https://user:pass@signed-pay.example/terms', 'https://user@signed-pay.example/terms', 42];
    for (const termsUrl of urls) {
      const answer = { ...JP, config: { ...JP.config, legal: { ...JP.config.legal, termsUrl } } } as ConfigAnswer;
      const net = service(async () => configResponse(await key.signedBody(answer)));
      const error = await refusal(client(net.fetch).getConfig({ country: 'JP' }));
      expect(error, String(termsUrl)).toMatchObject({ code: 'config-rejected', check: 'url' });
      expect(error.message).toContain('config.legal.termsUrl');
    }
  });
});

describe('how long a verified answer is kept', () => {
  it("never past its signature's exp, whatever max-age says, and then asks afresh, without If-None-Match", async () => {
    const time = clock();
    const net = service(async () => configResponse(await key.signedBody(JP, { nowMs: time.now(), exp: time.now() / 1000 + 120 }), { 'cache-control': 'public, max-age=31536000' }));
    const pay = client(net.fetch, { now: time.now });

    await pay.getConfig({ country: 'JP' });
    time.advance(119_000);
    expect(await pay.getConfig({ country: 'JP' })).toMatchObject({ from: 'cache' });
    time.advance(2_000);
    expect(await pay.getConfig({ country: 'JP' })).toMatchObject({ from: 'network', stale: false });
    expect(net.exchanges).toHaveLength(2);
    expect(net.exchanges[1]!.headers).not.toHaveProperty('if-none-match');
  });

  it('for max-age less the Age a shared cache reports', async () => {
    const time = clock();
    const net = service(async () => configResponse(await key.signedBody(JP, { nowMs: time.now() }), { age: '50' }));
    const pay = client(net.fetch, { now: time.now });
    await pay.getConfig({ country: 'JP' });
    time.advance(9_000);
    expect(await pay.getConfig({ country: 'JP' })).toMatchObject({ from: 'cache' });
    time.advance(2_000);
    expect(await pay.getConfig({ country: 'JP' })).toMatchObject({ from: 'network' });
    expect(net.exchanges[1]!.headers['if-none-match']).toMatch(/^"/);
  });

  it('after max-age, only when the service cannot be reached, within stale-if-error and never past exp, marked stale', async () => {
    const time = clock();
    let reachable = true;
    const net = service(async () => {
      if (!reachable) lostConnection();
      // As the config function sizes it: max-age plus stale-if-error end at exp.
      return configResponse(await key.signedBody(JP, { nowMs: time.now(), exp: time.now() / 1000 + 600 }), { 'cache-control': 'max-age=60, stale-if-error=540' });
    });
    const pay = client(net.fetch, { now: time.now });
    await pay.getConfig({ country: 'JP' });

    time.advance(30 * MINUTE); // 20 minutes past exp
    expect(await pay.getConfig({ country: 'JP' })).toMatchObject({ from: 'network', stale: false }); // reachable: a new answer
    reachable = false;
    time.advance(2 * MINUTE);
    expect(await pay.getConfig({ country: 'JP' })).toEqual({ ...JP, stale: true, from: 'cache' });
    time.advance(8 * MINUTE); // exp
    expect(await pay.getConfig({ country: 'JP' })).toEqual({ ...JP, stale: true, from: 'cache' });
    time.advance(1);
    expect(await pay.getConfig({ country: 'JP' }).catch((error: unknown) => error)).toBeInstanceOf(NetworkError);
  });

  it("never past its signature's exp, however long stale-if-error says: Cache-Control is not signed", async () => {
    const time = clock();
    let reachable = true;
    const net = service(async () => {
      if (!reachable) lostConnection();
      return configResponse(await key.signedBody(JP, { nowMs: time.now(), exp: time.now() / 1000 + 600 }), { 'cache-control': 'max-age=60, stale-if-error=604800' });
    });
    const pay = client(net.fetch, { now: time.now });
    await pay.getConfig({ country: 'JP' });
    reachable = false;
    time.advance(10 * MINUTE + 1);
    expect(await pay.getConfig({ country: 'JP' }).catch((error: unknown) => error)).toBeInstanceOf(NetworkError);
  });

  it('received just past its exp (within the clock tolerance): answered once, never kept', async () => {
    const time = clock();
    let reachable = true;
    const storage = memoryStorage();
    // A replayed answer that expired 59 s ago, its Cache-Control set by whoever replays it.
    const net = service(async () => {
      if (!reachable) lostConnection();
      return configResponse(await key.signedBody(JP, { nowMs: time.now() - HOUR, exp: time.now() / 1000 - 59 }), { 'cache-control': 'max-age=0, stale-if-error=86400' });
    });
    const pay = client(net.fetch, { now: time.now, storage });
    expect(await pay.getConfig({ country: 'JP' })).toEqual({ ...JP, stale: false, from: 'network' });
    expect(storage.items.size).toBe(0);
    reachable = false;
    expect(await pay.getConfig({ country: 'JP' }).catch((error: unknown) => error)).toBeInstanceOf(NetworkError);
  });

  it('and a refused answer never replaces it: the verified copy answers, marked stale', async () => {
    const time = clock();
    const net = service(async (_exchange, index) => {
      const body = await key.signedBody(JP, { nowMs: time.now() });
      // The second answer comes through an attacker: another currency, javascript: terms, cached for a year.
      if (index !== 1) return configResponse(body, { 'cache-control': 'max-age=0, stale-if-error=86400' });
      const tampered = { ...JP, config: { ...JP.config, currency: 'USD', legal: { ...JP.config.legal, termsUrl: 'javascript:alert(1)' } } };
      return configResponse({ ...tampered, signature: body.signature }, { 'cache-control': 'max-age=31536000' });
    });
    const pay = client(net.fetch, { now: time.now });
    await pay.getConfig({ country: 'JP' });
    time.advance(1_000);
    expect(await pay.getConfig({ country: 'JP' })).toEqual({ ...JP, stale: true, from: 'cache' });
    expect(await pay.getConfig({ country: 'JP' })).toEqual({ ...JP, stale: false, from: 'network' });
    expect(net.exchanges).toHaveLength(3);
  });

  it('and answered as it was verified, whatever the caller does to an answer', async () => {
    const net = service(async () => configResponse(await key.signedBody(JP)));
    const pay = client(net.fetch);
    const first = await pay.getConfig({ country: 'JP' });
    first.config.legal.termsUrl = 'javascript:alert(1)';
    first.config.paymentMethods.push('evil');
    expect(await pay.getConfig({ country: 'JP' })).toEqual({ ...JP, stale: false, from: 'cache' });
  });
});

describe('storage keeps the signed answer, and a restart verifies it again', () => {
  it('loads a stored answer, verified offline against pinned keys, and revalidates it later', async () => {
    const time = clock();
    const storage = memoryStorage();
    await client(service(async () => configResponse(await key.signedBody(JP, { nowMs: time.now() }))).fetch, { now: time.now, storage }).getConfig({ country: 'JP' });
    const [stored] = [...storage.items.values()];
    expect(JSON.parse(stored!)).toMatchObject({ v: 2, signature: expect.stringMatching(/^ey/) });
    expect(JSON.parse(stored!)).not.toHaveProperty('response');

    const offline = service(lostConnection);
    const restarted = client(offline.fetch, { now: time.now, storage });
    expect(await restarted.getConfig({ country: 'JP' })).toEqual({ ...JP, stale: false, from: 'cache' });
    expect(offline.exchanges).toHaveLength(0);
    time.advance(2 * MINUTE);
    expect(await restarted.getConfig({ country: 'JP' })).toEqual({ ...JP, stale: true, from: 'cache' });
  });

  it('drops a stored entry it cannot verify: altered, signed by a key no longer pinned, or written by an older SDK', async () => {
    const time = clock();
    const good = memoryStorage();
    await client(service(async () => configResponse(await key.signedBody(JP, { nowMs: time.now() }))).fetch, { now: time.now, storage: good }).getConfig({ country: 'JP' });
    const [[storageKey, text]] = [...good.items.entries()] as [[string, string]];
    const entry = JSON.parse(text);
    const [header, payload, signature] = (entry.signature as string).split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const alteredPayload = Buffer.from(JSON.stringify({ ...claims, config: { ...claims.config, currency: 'USD' } })).toString('base64url');
    const olderKey = storageKey.replace(':v2:', ':v1:');

    const storages = [
      { [storageKey]: JSON.stringify({ ...entry, signature: `${header}.${alteredPayload}.${signature}` }) },
      { [storageKey]: JSON.stringify({ ...entry, signature: await other.sign(JP, { nowMs: time.now() }) }) },
      { [storageKey]: JSON.stringify({ ...entry, v: 1 }) },
      // What the SDK before signed configuration kept: the bare body, which nothing proves.
      { [olderKey]: JSON.stringify({ v: 1, response: { ...JP, config: { ...JP.config, currency: 'USD' } }, etag: '"x"', receivedAt: time.now(), freshForMs: 3_600_000, serverStale: false }) },
    ];
    for (const items of storages) {
      const storage = memoryStorage();
      for (const [name, value] of Object.entries(items)) storage.items.set(name, value);
      const net = service(async () => configResponse(await key.signedBody(JP, { nowMs: time.now() })));
      expect(await client(net.fetch, { now: time.now, storage }).getConfig({ country: 'JP' })).toEqual({ ...JP, stale: false, from: 'network' });
      expect(net.exchanges).toHaveLength(1);
      expect(net.exchanges[0]!.headers).not.toHaveProperty('if-none-match');
      // Replaced by the verified answer; the older SDK's entry deleted.
      expect([...storage.items.keys()]).toEqual([storageKey]);
    }

    // Refused, it is deleted even when nothing replaces it.
    const storage = memoryStorage();
    storage.items.set(storageKey, storages[0]![storageKey]!);
    const offline = client(service(lostConnection).fetch, { now: time.now, storage });
    expect(await offline.getConfig({ country: 'JP' }).catch((error: unknown) => error)).toBeInstanceOf(NetworkError);
    expect(storage.items.size).toBe(0);
  });

  it('with keys fetched from baseUrl, a restart that cannot fetch them cannot use its stored answer', async () => {
    const time = clock();
    const storage = memoryStorage();
    const online = service(async () => configResponse(await key.signedBody(JP, { nowMs: time.now() })));
    await createClient({ baseUrl: BASE_URL, fetch: online.fetch, now: time.now, storage }).getConfig({ country: 'JP' });

    const offline = network({ answer: lostConnection });
    const restarted = createClient({ baseUrl: BASE_URL, fetch: offline.fetch, now: time.now, storage, retries: 0 });
    expect(await restarted.getConfig({ country: 'JP' }).catch((error: unknown) => error)).toBeInstanceOf(NetworkError);
  });
});

describe('the keys that sign configuration answers', () => {
  it('not to be fetched: a typed, retryable error, or the verified copy while it is servable', async () => {
    const time = clock();
    let keySetStatus = 200;
    const net = network({
      answer: async (exchange) => {
        if (exchange.path === CONFIG_KEYS_PATH) return keySetStatus === 200 ? jsonResponse(200, key.keySet) : jsonResponse(keySetStatus, { message: 'unavailable' });
        return configResponse(await key.signedBody(JP, { nowMs: time.now() }), { 'cache-control': 'max-age=0' });
      },
    });
    keySetStatus = 503;
    const pay = createClient({ baseUrl: BASE_URL, fetch: net.fetch, now: time.now, retries: 1, backoff: QUICK_BACKOFF });
    const error = await pay.getConfig({ country: 'JP' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigKeysUnavailableError);
    expect(error).toMatchObject({ code: 'config-keys-unavailable', retryable: true });
    expect(configPaths(net.exchanges)).toHaveLength(2); // retried

    keySetStatus = 200;
    expect(await pay.getConfig({ country: 'JP' })).toMatchObject({ from: 'network' });
  });

  it('createClient refuses configKeys that cannot work, at once', async () => {
    const pinned = key.keySet.keys[0]!;
    const attempts: unknown[] = [
      {},
      { keys: [] },
      { keys: [{ ...pinned, kty: 'RSA' }] },
      { keys: [{ ...pinned, crv: 'P-384' }] },
      { keys: [{ ...pinned, alg: 'RS256' }] },
      { keys: [{ ...pinned, use: 'enc' }] },
      { keys: [{ ...pinned, d: 'c2VjcmV0' }] },
      { keys: [{ ...pinned, delegation: 'eyJ...' }] },
      'config-jwks.json',
      'http://keys.example.com/config-jwks.json',
      `${BASE_URL}/.well-known/config-jwks.json`,
    ];
    for (const configKeys of attempts) {
      expect(() => createClient({ baseUrl: BASE_URL, configKeys } as ClientOptions), JSON.stringify(configKeys)).toThrow(TypeError);
    }
    // One key for each kind of token: the verdict key pinned as a config key is refused.
    expect(() => createClient({ baseUrl: BASE_URL, configKeys: key.keySet, verdictKeys: key.keySet })).toThrow(/share a key/);
    for (const configKeys of [key.keySet, 'https://keys.example.com/config-jwks.json', 'http://127.0.0.1:8080/config-jwks.json']) {
      expect(() => createClient({ baseUrl: BASE_URL, configKeys, verdictKeys: other.keySet })).not.toThrow();
    }
  });
});

describe('an answer signed before the copy', () => {
  const JP_BEFORE: ConfigAnswer = { ...JP, version: 'default@3+country:JP@1', config: { ...JP.config, paymentMethods: ['card'] } };

  it('never replaces a current copy of another version: a replay cannot roll the app back', async () => {
    const time = clock();
    const storage = memoryStorage();
    const signedAnHourAgo = await key.signedBody(JP_BEFORE, { nowMs: time.now() - HOUR });
    const net = service(async (_exchange, index) =>
      index === 0 ? configResponse(await key.signedBody(JP, { nowMs: time.now() }), { 'cache-control': 'max-age=60, stale-if-error=86340' }) : configResponse(signedAnHourAgo),
    );
    const pay = client(net.fetch, { now: time.now, storage });
    await pay.getConfig({ country: 'JP' });
    const stored = [...storage.items.values()];

    time.advance(2 * MINUTE);
    expect(await pay.getConfig({ country: 'JP' })).toEqual({ ...JP, stale: true, from: 'cache' });
    expect([...storage.items.values()]).toEqual(stored);
  });

  it('is used once the copy has expired: it is then the only signed answer there is', async () => {
    const time = clock();
    let second: ConfigResponse | undefined;
    const net = service(async (_exchange, index) => configResponse(index === 0 ? await key.signedBody(JP, { nowMs: time.now(), exp: time.now() / 1000 + 600 }) : second));
    const pay = client(net.fetch, { now: time.now });
    await pay.getConfig({ country: 'JP' });
    time.advance(11 * MINUTE);
    second = await key.signedBody(JP_BEFORE, { nowMs: time.now() - HOUR });
    expect(await pay.getConfig({ country: 'JP' })).toEqual({ ...JP_BEFORE, stale: false, from: 'network' });
  });
});

describe('a 304 that renews the copy', () => {
  it('is not stored when it says no-store', async () => {
    const time = clock();
    const storage = memoryStorage();
    const net = service(async (exchange) => {
      if (exchange.headers['if-none-match']) return new Response(null, { status: 304, headers: { etag: exchange.headers['if-none-match'], 'cache-control': 'no-store' } });
      return configResponse(await key.signedBody(JP, { nowMs: time.now() }), { 'cache-control': 'max-age=60, stale-if-error=86340' });
    });
    const pay = client(net.fetch, { now: time.now, storage });
    await pay.getConfig({ country: 'JP' });
    const stored = [...storage.items.values()];

    time.advance(2 * MINUTE);
    expect(await pay.getConfig({ country: 'JP' })).toEqual({ ...JP, stale: false, from: 'network' });
    expect(net.exchanges.at(-1)?.status).toBe(304);
    expect([...storage.items.values()]).toEqual(stored);
  });
});

describe('remote config key sets', () => {
  const delegated = () => ({ keys: [{ ...key.keySet.keys[0], delegation: 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln' }] });

  it("never trust a delegated (ephemeral) key, at baseUrl's config key set or at a configKeys URL", async () => {
    for (const configKeys of [undefined, 'https://keys.example.com/verdict-jwks.json']) {
      const net = network({
        answer: async (exchange) => (exchange.path.endsWith('-jwks.json') ? jsonResponse(200, delegated()) : configResponse(await key.signedBody(JP))),
      });
      const pay = createClient({ baseUrl: BASE_URL, fetch: net.fetch, retries: 0, ...(configKeys ? { configKeys } : {}) });
      expect(await refusal(pay.getConfig({ country: 'JP' })), String(configKeys)).toMatchObject({ code: 'config-rejected', check: 'signature' });
    }
  });

  it('keep the keys without a delegation beside delegated ones', async () => {
    const net = network({
      answer: async (exchange) =>
        exchange.path === CONFIG_KEYS_PATH ? jsonResponse(200, { keys: [...other.keySet.keys.map((jwk) => ({ ...jwk, delegation: 'x.y.z' })), ...key.keySet.keys] }) : configResponse(await key.signedBody(JP)),
    });
    expect(await createClient({ baseUrl: BASE_URL, fetch: net.fetch }).getConfig({ country: 'JP' })).toMatchObject({ from: 'network' });
  });

  it('cannot be the verdict key set', () => {
    const url = 'https://keys.example.com/verdict-jwks.json';
    expect(() => createClient({ baseUrl: BASE_URL, configKeys: url, verdictKeys: url })).toThrow(/same URL/);
  });
});
