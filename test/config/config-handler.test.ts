import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbConfigStore } from '../../shared/adapters/dynamodb-config-store.js';
import { parseLayerName } from '../../shared/domain/config/layers.js';
import { type CountingDynalite, startSeededConfigStore } from './support/dynamodb.js';
import { cacheDirectives, claimsOf, COMPACT_JWS, type ConfigReply, loadConfigHandler, ORIGIN_SECRET } from './support/handler.js';
import { type ConfigKms, startConfigKms } from './support/kms.js';

let seeded: Awaited<ReturnType<typeof startSeededConfigStore>>;
let dynalite: CountingDynalite;
let store: DynamoDbConfigStore;
let kms: ConfigKms;
let getConfig: Awaited<ReturnType<typeof loadConfigHandler>>;

beforeAll(async () => {
  seeded = await startSeededConfigStore();
  ({ dynalite, store } = seeded);
  kms = await startConfigKms();
  getConfig = await loadConfigHandler({ dynamodbUrl: dynalite.url, kms });
});
afterAll(async () => {
  await seeded?.stop();
  await kms?.stop();
});

const fromCloudFront = (country: string) => ({ 'cloudfront-viewer-country': country, 'x-origin-verify': ORIGIN_SECRET });

describe('GET /v1/config: the response', () => {
  it('answers the layered configuration of the country asked for', async () => {
    const reply = await getConfig({ query: { country: 'de' } });
    expect(reply.statusCode).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.json).toEqual({
      country: 'DE',
      source: 'query',
      version: 'default@1,group:EU@1,group:EUROZONE@1,country:DE@1',
      config: {
        currency: 'EUR',
        locale: 'de-DE',
        paymentMethods: ['card', 'sepa_debit', 'paypal', 'klarna', 'apple_pay', 'google_pay'],
        features: { installments: false, newCheckout: false, savedCards: true, strongCustomerAuthentication: true },
        legal: { termsUrl: 'https://signed-pay.example/legal/de-DE/agb', privacyUrl: 'https://signed-pay.example/legal/de-DE/datenschutz' },
      },
      signature: expect.stringMatching(COMPACT_JWS),
    });
  });

  it('gives a valid country without an entry its groups\' and the default\'s values, never a 404', async () => {
    const reply = await getConfig({ query: { country: 'at' } });
    expect(reply.statusCode).toBe(200);
    expect(reply.json).toMatchObject({ country: 'AT', version: 'default@1,group:EU@1,group:EUROZONE@1', config: { currency: 'EUR', locale: 'en-US' } });
    expect((await getConfig({ query: { country: 'xk' } })).json).toMatchObject({ country: 'XK', config: { currency: 'USD' } });
  });

  it('explains, with ?explain=1, which layer each field came from', async () => {
    const reply = await getConfig({ query: { country: 'FR', explain: '1' } });
    expect(reply.json.explain.fields).toMatchObject({
      currency: 'group:EUROZONE',
      locale: 'country:FR',
      'features.strongCustomerAuthentication': 'group:EU',
      'features.savedCards': 'default',
    });
    expect(reply.json.explain.layers.map((layer: { layer: string }) => layer.layer)).toEqual(['default', 'group:EU', 'group:EUROZONE', 'country:FR']);
    expect((await getConfig({ query: { country: 'FR', explain: '' } })).json.explain).toEqual(reply.json.explain);
    expect((await getConfig({ query: { country: 'FR', explain: '0' } })).json.explain).toBeUndefined();
    expect((await getConfig({ query: { country: 'FR' } })).json.explain).toBeUndefined();
  });

  it('sets Cache-Control and Vary for CloudFront and browsers, no copy outliving the signature', async () => {
    const reply = await getConfig({ query: { country: 'JP' } });
    const secondsLeft = claimsOf(reply.json.signature).exp - Math.floor(Date.now() / 1000);
    expect(reply.headers['cache-control']).toMatch(/^public, max-age=60, stale-while-revalidate=300, stale-if-error=\d+$/);
    // A day of stale-if-error would outlive the signature (a day too): it ends where the signature does.
    const staleIfError = cacheDirectives(reply.headers['cache-control'])['stale-if-error'] as number;
    expect(60 + staleIfError).toBeLessThanOrEqual(secondsLeft + 1);
    expect(60 + staleIfError).toBeGreaterThanOrEqual(secondsLeft - 5);
    expect(reply.headers.vary).toBe('CloudFront-Viewer-Country, Accept-Language');
    expect(reply.headers['x-config-stale']).toBeUndefined();
  });
});

describe('GET /v1/config: where the country comes from', () => {
  it('takes the query parameter over every header', async () => {
    const reply = await getConfig({ query: { country: 'BR' }, headers: { ...fromCloudFront('DE'), 'accept-language': 'ja-JP' } });
    expect(reply.json).toMatchObject({ country: 'BR', source: 'query', config: { currency: 'BRL' } });
  });

  it('then CloudFront-Viewer-Country, when the origin secret proves CloudFront added it', async () => {
    const reply = await getConfig({ headers: { ...fromCloudFront('gb'), 'accept-language': 'ja-JP' } });
    expect(reply.json).toMatchObject({ country: 'GB', source: 'cloudfront', config: { currency: 'GBP' } });
  });

  it('ignores CloudFront-Viewer-Country sent without the secret, or with a wrong one', async () => {
    for (const verify of [undefined, 'guess', `${ORIGIN_SECRET}x`, ORIGIN_SECRET.slice(0, -1)]) {
      const headers: Record<string, string> = { 'cloudfront-viewer-country': 'CN', 'accept-language': 'hi, en-IN;q=0.9' };
      if (verify !== undefined) headers['x-origin-verify'] = verify;
      expect((await getConfig({ headers })).json, String(verify)).toMatchObject({ country: 'IN', source: 'accept-language' });
    }
  });

  it('then the best Accept-Language tag with a region', async () => {
    const reply = await getConfig({ headers: { 'accept-language': 'es-419, zh-Hant-TW;q=0.4, fr-FR;q=0.8' } });
    expect(reply.json).toMatchObject({ country: 'FR', source: 'accept-language' });
  });

  it('else the default, with no country', async () => {
    const reply = await getConfig({ headers: { 'accept-language': 'en, *;q=0.5' } });
    expect(reply.json).toMatchObject({ country: null, source: 'default', version: 'default@1', config: { currency: 'USD', locale: 'en-US' } });
  });

  it('refuses a bad country code with a 400 problem naming the parameter', async () => {
    for (const country of ['XX', 'DEU', 'uk', '', 'DE,FR']) {
      const reply = await getConfig({ query: { country }, headers: fromCloudFront('DE') });
      expect(reply.statusCode, country).toBe(400);
      expect(reply.headers['content-type']).toBe('application/problem+json');
      expect(reply.headers['cache-control']).toBe('no-store');
      expect(reply.json).toMatchObject({ type: '/problems/validation-failed', status: 400, errors: [{ path: 'country' }] });
      expect(reply.json.detail).toContain("'country'");
    }
  });

  it('refuses a bad explain value with a 400 naming it', async () => {
    const reply = await getConfig({ query: { explain: 'please' } });
    expect(reply.statusCode).toBe(400);
    expect(reply.json.errors).toEqual([{ path: 'explain', message: expect.any(String) }]);
  });

  it('answers 200, 304 or 400 to any request, never 5xx', async () => {
    const header = fc.option(fc.string({ maxLength: 40 }), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(header, header, header, header, header, async (country, explain, viewer, language, ifNoneMatch) => {
        const query = Object.fromEntries(Object.entries({ country, explain }).filter(([, value]) => value !== undefined)) as Record<string, string>;
        const headers = Object.fromEntries(
          Object.entries({ 'cloudfront-viewer-country': viewer, 'x-origin-verify': ORIGIN_SECRET, 'accept-language': language, 'if-none-match': ifNoneMatch }).filter(
            ([, value]) => value !== undefined,
          ),
        ) as Record<string, string>;
        const reply = await getConfig({ query, headers });
        expect([200, 304, 400]).toContain(reply.statusCode);
      }),
      { numRuns: 60 },
    );
  });
});

describe('GET /v1/config: ETag and conditional requests', () => {
  it('sets a strong ETag and answers a matching If-None-Match with 304 and no body', async () => {
    const first = await getConfig({ query: { country: 'DE' } });
    expect(first.headers.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const second = await getConfig({ query: { country: 'DE' }, headers: { 'if-none-match': first.headers.etag! } });
    expect(second.statusCode).toBe(304);
    expect(second.body).toBeUndefined();
    expect(second.headers).toMatchObject({ etag: first.headers.etag, vary: first.headers.vary });
    // The caching a 200 would have, counted from the 304 (the signature's time left is a second less, or not).
    const [fresh, renewed] = [first, second].map((reply) => cacheDirectives(reply.headers['cache-control']));
    expect({ ...renewed, 'stale-if-error': 0 }).toEqual({ ...fresh, 'stale-if-error': 0 });
    expect((fresh!['stale-if-error'] as number) - (renewed!['stale-if-error'] as number)).toBeLessThanOrEqual(1);
  });

  it('compares If-None-Match weakly and as a list, and honours *', async () => {
    const { etag } = (await getConfig({ query: { country: 'US' } })).headers as { etag: string };
    for (const ifNoneMatch of [`W/${etag}`, `"other", ${etag}`, '*']) {
      expect((await getConfig({ query: { country: 'US' }, headers: { 'if-none-match': ifNoneMatch } })).statusCode, ifNoneMatch).toBe(304);
    }
    expect((await getConfig({ query: { country: 'US' }, headers: { 'if-none-match': '"other"' } })).statusCode).toBe(200);
  });

  it('gives each country, and each explain choice, its own ETag', async () => {
    const etags = await Promise.all(
      ([{ country: 'DE' }, { country: 'FR' }, { country: 'DE', explain: '1' }] as Array<Record<string, string>>).map(async (query) => (await getConfig({ query })).headers.etag),
    );
    expect(new Set(etags).size).toBe(3);
  });

  it('gives the same ETag while a container keeps its signature, another in a container that signed apart, and a new one with a new version', async () => {
    const before = await getConfig({ query: { country: 'CN' } });
    expect((await getConfig({ query: { country: 'CN' } })).headers.etag).toBe(before.headers.etag);
    // The ETag covers the signature, so a 304 never renews a copy whose signature is not the one served.
    const otherContainer = await loadConfigHandler({ dynamodbUrl: dynalite.url, kms, env: { CONFIG_CACHE_TTL_SECONDS: '0' } });
    const elsewhere = await otherContainer({ query: { country: 'CN' } });
    expect({ ...elsewhere.json, signature: undefined }).toEqual({ ...before.json, signature: undefined });
    expect(elsewhere.headers.etag).not.toBe(before.headers.etag);

    await store.put(parseLayerName('CN')!, { currency: 'CNY', locale: 'zh-Hans-CN', paymentMethods: ['alipay', 'wechat_pay'] }, { author: 'test' });
    const after = await otherContainer({ query: { country: 'CN' }, headers: { 'if-none-match': elsewhere.headers.etag! } });
    expect(after.statusCode).toBe(200);
    expect(after.json).toMatchObject({ version: 'default@1,country:CN@2', config: { locale: 'zh-Hans-CN' } });
    expect(after.headers.etag).not.toBe(elsewhere.headers.etag);
    expect(claimsOf(after.json.signature)).toMatchObject({ version: 'default@1,country:CN@2', config: after.json.config });
  });
});

describe('GET /v1/config: the container cache', () => {
  async function readsFor(get: (request: { query: Record<string, string> }) => Promise<ConfigReply>, country: string, requests: number) {
    const before = dynalite.reads();
    for (let i = 0; i < requests; i += 1) expect((await get({ query: { country } })).statusCode).toBe(200);
    return dynalite.reads() - before;
  }

  it('reads DynamoDB once per layer set per TTL, then answers from memory', async () => {
    const container = await loadConfigHandler({ dynamodbUrl: dynalite.url, kms });
    expect(await readsFor(container, 'NL', 25)).toBe(1);
    // Italy shares default, EU and EUROZONE with the Netherlands: only its own layer is read.
    expect(await readsFor(container, 'IT', 25)).toBe(1);
    expect(await readsFor(container, 'NL', 25)).toBe(0);
  });

  it('reads DynamoDB on every request with CONFIG_CACHE_TTL_SECONDS=0', async () => {
    const container = await loadConfigHandler({ dynamodbUrl: dynalite.url, kms, env: { CONFIG_CACHE_TTL_SECONDS: '0' } });
    expect(await readsFor(container, 'NL', 10)).toBe(10);
  });
});

describe('the config function\'s environment', () => {
  it('tunes Cache-Control', async () => {
    const container = await loadConfigHandler({
      dynamodbUrl: dynalite.url,
      kms,
      env: { CONFIG_MAX_AGE_SECONDS: '5', CONFIG_STALE_WHILE_REVALIDATE_SECONDS: '10', CONFIG_STALE_IF_ERROR_SECONDS: '3600' },
    });
    expect((await container({})).headers['cache-control']).toBe('public, max-age=5, stale-while-revalidate=10, stale-if-error=3600');
  });

  it('fails the cold start, naming every problem, when a variable is missing or malformed', async () => {
    const load = loadConfigHandler({
      dynamodbUrl: dynalite.url,
      kms,
      env: { CONFIG_TABLE_NAME: undefined, CONFIG_CACHE_TTL_SECONDS: 'thirty', VIEWER_COUNTRY_ORIGIN_SECRET: 'short' },
    });
    await expect(load).rejects.toThrow(/CONFIG_TABLE_NAME.*VIEWER_COUNTRY_ORIGIN_SECRET.*CONFIG_CACHE_TTL_SECONDS/s);
  });
});
