// The container's signatures of configuration answers: one KMS Sign per answer and half lifetime,
// what is served while KMS is down, and what is refused. KMS is the local endpoint behind a fault
// proxy; time is the cache's injected clock, never waited for.
import { KMSClient } from '@aws-sdk/client-kms';
import { importJWK, jwtVerify } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configEnvSchema } from '../../functions/config/env.js';
import { type FaultProxy, startFaultProxy } from '../../local/fault-proxy.js';
import { CachedConfigSignatures, FAILED_SIGNING_BACKOFF } from '../../shared/adapters/cached-config-signatures.js';
import { KmsJwsSigner } from '../../shared/adapters/kms-jws-signer.js';
import { kidOfKeyArn } from '../../shared/adapters/kms-key-id.js';
import { fetchPublicJwk } from '../../shared/adapters/kms-public-keys.js';
import type { SignedConfigAnswer } from '../../shared/domain/config/config-signature.js';
import { servedConfigSchema } from '../../shared/domain/config/config-response-schema.js';
import { CLIENT_CONFIG_TYP, DEFAULT_CONFIG_SIGNATURE_LIFETIME_SECONDS, signedConfigClaimsSchema } from '../../shared/domain/config/signed-config.js';
import { cacheControlOf } from '../../shared/http/config/config-response.js';
import { parseEnv } from '../../shared/lambda-env/parse-env.js';
import { ConfigUnavailableError, SigningUnavailableError } from '../../shared/errors.js';
import document from '../../openapi.json' with { type: 'json' };
import { TEST_CREDENTIALS, TEST_REGION } from './support/dynamodb.js';
import { type ConfigKms, startConfigKms } from './support/kms.js';

const ISSUER = 'https://pay.example.test';
const LIFETIME = 3_600;
const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);

let kms: ConfigKms;
let proxy: FaultProxy;
let client: KMSClient;
beforeAll(async () => {
  kms = await startConfigKms();
  proxy = await startFaultProxy(kms.url);
  // Short attempts, one retry: as the config function's, scaled down.
  client = new KMSClient({
    endpoint: proxy.url,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 200, requestTimeout: 300, throwOnRequestTimeout: true },
  });
});
afterEach(async () => proxy.set('pass'));
afterAll(async () => {
  client?.destroy();
  await proxy?.close();
  await kms?.stop();
});

const GERMANY: SignedConfigAnswer = {
  country: 'DE',
  source: 'query',
  version: 'default@1,group:EU@1,group:EUROZONE@1,country:DE@1',
  config: {
    currency: 'EUR',
    locale: 'de-DE',
    paymentMethods: ['card', 'sepa_debit'],
    features: { savedCards: true },
    legal: { termsUrl: 'https://signed-pay.example/legal/de-DE/agb', privacyUrl: 'https://signed-pay.example/legal/de-DE/datenschutz' },
  },
};

/** A container's signatures, on a clock the test moves, signing with the config key through the proxy. */
function container(options: { keyArn?: string; maxEntries?: number } = {}) {
  const clock = { now: T0 };
  const failures: Array<{ error: unknown; servedKept: boolean }> = [];
  const signatures = new CachedConfigSignatures(new KmsJwsSigner(client, options.keyArn ?? kms.keyArn), {
    issuer: ISSUER,
    lifetimeSeconds: LIFETIME,
    maxEntries: options.maxEntries,
    now: () => clock.now,
    onSigningFailure: (error, servedKept) => failures.push({ error, servedKept }),
  });
  return { signatures, clock, failures, advance: (seconds: number) => (clock.now += seconds * 1000) };
}

async function signsDuring(work: () => Promise<unknown>): Promise<number> {
  const before = kms.signs();
  await work();
  return kms.signs() - before;
}

describe('a configuration answer\'s signature', () => {
  it('is a JWS of the config key, typ client-config+jwt, whose claims are the answer\'s members with iss, iat and exp', async () => {
    const { signatures } = container();
    const signature = await signatures.signatureOf(GERMANY);
    const key = await importJWK(await fetchPublicJwk(client, kms.keyArn), 'ES256');
    const { payload, protectedHeader } = await jwtVerify(signature.token, key, {
      algorithms: ['ES256'],
      typ: CLIENT_CONFIG_TYP,
      issuer: ISSUER,
      currentDate: new Date(T0),
    });
    expect(protectedHeader).toEqual({ alg: 'ES256', kid: kidOfKeyArn(kms.keyArn), typ: 'client-config+jwt' });
    const iat = T0 / 1000;
    expect(payload).toEqual({ iss: ISSUER, ...GERMANY, iat, exp: iat + LIFETIME });
    expect(signedConfigClaimsSchema.parse(payload)).toEqual(payload);
    expect(signature.expiresAt).toBe(iat + LIFETIME);
  });

  it('costs one KMS Sign, then is served as kept until less than half its lifetime is left, then renewed once', async () => {
    const { signatures, advance } = container();
    let first: Awaited<ReturnType<typeof signatures.signatureOf>> | undefined;
    expect(await signsDuring(async () => (first = await signatures.signatureOf(GERMANY)))).toBe(1);
    advance(LIFETIME / 2);
    expect(await signsDuring(async () => expect(await signatures.signatureOf(GERMANY)).toBe(first))).toBe(0);
    expect(await signsDuring(() => signatures.signatureOf(structuredClone(GERMANY)))).toBe(0);
    advance(1);
    let renewed: Awaited<ReturnType<typeof signatures.signatureOf>> | undefined;
    expect(await signsDuring(async () => (renewed = await signatures.signatureOf(GERMANY)))).toBe(1);
    expect(renewed!.expiresAt).toBe(first!.expiresAt + LIFETIME / 2 + 1);
    expect(await signsDuring(() => signatures.signatureOf(GERMANY))).toBe(0);
  });

  it('is kept per exactly what it signs: another country, source, version or any config field is another signature', async () => {
    const { signatures } = container();
    const variants: SignedConfigAnswer[] = [
      GERMANY,
      { ...GERMANY, country: 'AT' },
      { ...GERMANY, source: 'cloudfront' },
      { ...GERMANY, version: 'default@2,group:EU@1,group:EUROZONE@1,country:DE@1' },
      { ...GERMANY, config: { ...GERMANY.config, legal: { ...GERMANY.config.legal, termsUrl: 'https://signed-pay.example/legal/de-DE/agb-2' } } },
      { ...GERMANY, config: { ...GERMANY.config, features: { savedCards: false } } },
    ];
    const tokens = new Set<string>();
    expect(await signsDuring(async () => { for (const answer of variants) tokens.add((await signatures.signatureOf(answer)).token); })).toBe(variants.length);
    expect(tokens.size).toBe(variants.length);
    expect(await signsDuring(async () => { for (const answer of variants) await signatures.signatureOf(structuredClone(answer)); })).toBe(0);
  });

  it('is made once for concurrent requests of one answer: they share the KMS call', async () => {
    const { signatures } = container();
    let results: Array<{ token: string }> = [];
    const signs = await signsDuring(async () => {
      results = await Promise.all(Array.from({ length: 20 }, () => signatures.signatureOf(structuredClone(GERMANY))));
    });
    expect(signs).toBe(1);
    expect(new Set(results.map((result) => result.token)).size).toBe(1);
  });

  it('is kept for a bounded number of answers, the least recently served pushed out first', async () => {
    const { signatures } = container({ maxEntries: 3 });
    const countries = ['DE', 'AT', 'CH', 'LI'] as const;
    const answerOf = (country: string) => ({ ...GERMANY, country });
    for (const country of countries.slice(0, 3)) await signatures.signatureOf(answerOf(country));
    await signatures.signatureOf(answerOf('DE')); // now AT is the least recently served
    expect(await signsDuring(() => signatures.signatureOf(answerOf('LI')))).toBe(1);
    expect(signatures.size()).toBe(3);
    expect(await signsDuring(() => signatures.signatureOf(answerOf('DE')))).toBe(0);
    expect(await signsDuring(() => signatures.signatureOf(answerOf('AT')))).toBe(1);
  });
});

describe('while KMS cannot sign', () => {
  it('serves a kept signature past its renewal point until it expires, then answers config-unavailable', async () => {
    const { signatures, advance, failures } = container();
    const kept = await signatures.signatureOf(GERMANY);
    await proxy.set('refuse');
    advance(LIFETIME / 2 + 1);
    expect(await signatures.signatureOf(GERMANY)).toBe(kept);
    expect(failures).toEqual([{ error: expect.any(SigningUnavailableError), servedKept: true }]);

    advance(LIFETIME / 2 - 2); // one second left: past every backoff, KMS is tried and fails again
    expect(await signatures.signatureOf(GERMANY)).toBe(kept);
    advance(1);
    const error = await signatures.signatureOf(GERMANY).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigUnavailableError);
    expect(error).toMatchObject({ code: 'config-unavailable', retryAfterSeconds: 2, cause: expect.any(SigningUnavailableError) });
    expect((error as Error).message).toContain('could not be signed');

    await proxy.set('pass');
    advance(FAILED_SIGNING_BACKOFF.maxMs / 1000);
    expect((await signatures.signatureOf(GERMANY)).expiresAt).toBeGreaterThan(kept.expiresAt);
  });

  it.each(['refuse', 'hang'] as const)('KMS %s with no kept signature: config-unavailable, then KMS is left alone for the backoff', async (fault) => {
    const { signatures, advance } = container();
    await proxy.set(fault);
    const error = await signatures.signatureOf(GERMANY).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigUnavailableError);

    const connections = proxy.connections();
    const again = await signatures.signatureOf({ ...GERMANY, country: 'AT' }).catch((caught: unknown) => caught);
    expect(again).toBeInstanceOf(ConfigUnavailableError);
    expect(proxy.connections()).toBe(connections);

    await proxy.set('pass');
    advance(FAILED_SIGNING_BACKOFF.firstMs / 1000);
    expect(await signsDuring(() => signatures.signatureOf(GERMANY))).toBe(1);
  });

  it('asks a key that stopped signing (disabled, a broken policy) once per backoff, not once per request, serving the kept signature meanwhile', async () => {
    let broken = false;
    let calls = 0;
    const real = new KmsJwsSigner(client, kms.keyArn);
    const disabled = Object.assign(new Error('the key is disabled'), { name: 'DisabledException' });
    const signer = { sign: async (typ: string, claims: Record<string, unknown>) => (calls++, broken ? Promise.reject(disabled) : real.sign(typ, claims)) };
    const clock = { now: T0 };
    const signatures = new CachedConfigSignatures(signer, { issuer: ISSUER, lifetimeSeconds: LIFETIME, now: () => clock.now });
    const kept = await signatures.signatureOf(GERMANY);
    broken = true;
    clock.now += (LIFETIME / 2 + 1) * 1000; // due for renewal
    for (let i = 0; i < 100; i += 1) expect(await signatures.signatureOf(GERMANY)).toBe(kept);
    expect(calls).toBe(2);
    // Past its expiry, with nothing kept: our misconfiguration, a 500, still without a KMS call per request.
    clock.now += LIFETIME * 1000;
    await expect(signatures.signatureOf(GERMANY)).rejects.toBe(disabled);
    clock.now += 100;
    await expect(signatures.signatureOf(GERMANY)).rejects.toBe(disabled);
    expect(calls).toBe(3);
  });

  it('rethrows our own misconfiguration (a key KMS does not know) as it is: a 500, not a 503 to retry', async () => {
    const { signatures } = container({ keyArn: kms.keyArn.replace(/key\/.*$/, 'key/00000000-0000-4000-8000-00000000dead') });
    const error = await signatures.signatureOf(GERMANY).catch((caught: unknown) => caught);
    expect(error).not.toBeInstanceOf(ConfigUnavailableError);
    expect(error).toMatchObject({ name: 'NotFoundException' });
  });
});

describe('Cache-Control of a signed answer', () => {
  const policy = { maxAge: 60, staleWhileRevalidate: 300, staleIfError: 86_400 };

  it('lets no cache keep an answer past its signature: max-age, and max-age plus each stale window, end by exp', () => {
    expect(cacheControlOf(policy, false, 86_400)).toBe('public, max-age=60, stale-while-revalidate=300, stale-if-error=86340');
    expect(cacheControlOf(policy, false, 100_000)).toBe('public, max-age=60, stale-while-revalidate=300, stale-if-error=86400');
    expect(cacheControlOf(policy, false, 200)).toBe('public, max-age=60, stale-while-revalidate=140, stale-if-error=140');
    expect(cacheControlOf(policy, false, 30)).toBe('public, max-age=30, stale-while-revalidate=0, stale-if-error=0');
    expect(cacheControlOf(policy, true, 200)).toBe('public, max-age=0, stale-while-revalidate=200, stale-if-error=200');
    expect(cacheControlOf(policy, false, -5)).toBe('public, max-age=0, stale-while-revalidate=0, stale-if-error=0');
  });
});

describe('the config function\'s environment', () => {
  const base = { CONFIG_TABLE_NAME: 'config', VIEWER_COUNTRY_ORIGIN_SECRET: 'x'.repeat(16), PAYMENT_ISSUER: ISSUER };
  const arn = 'arn:aws:kms:us-east-1:111122223333:key/0f1d7c2a-1111-4a4a-9b9b-000000000004';

  it('needs the config signing key and the issuer, and signs for a day unless told otherwise', () => {
    expect(() => parseEnv(configEnvSchema, { ...base, PAYMENT_ISSUER: undefined })).toThrow(/CONFIG_SIGNING_KEY_ARN.*PAYMENT_ISSUER/s);
    expect(parseEnv(configEnvSchema, { ...base, CONFIG_SIGNING_KEY_ARN: arn }).CONFIG_SIGNATURE_LIFETIME_SECONDS).toBe(DEFAULT_CONFIG_SIGNATURE_LIFETIME_SECONDS);
    expect(parseEnv(configEnvSchema, { ...base, CONFIG_SIGNING_KEY_ARN: arn, CONFIG_SIGNATURE_LIFETIME_SECONDS: '3600' }).CONFIG_SIGNATURE_LIFETIME_SECONDS).toBe(3600);
  });

  it.each(['299', '604801', '-1', 'a day'])('refuses a signature lifetime of %s at cold start', (lifetime) => {
    expect(() => parseEnv(configEnvSchema, { ...base, CONFIG_SIGNING_KEY_ARN: arn, CONFIG_SIGNATURE_LIFETIME_SECONDS: lifetime })).toThrow(/CONFIG_SIGNATURE_LIFETIME_SECONDS/);
  });
});

describe('legal URLs', () => {
  it('are https in what the server answers and signs, and the contract says so', () => {
    const config = { ...GERMANY.config, legal: { ...GERMANY.config.legal, privacyUrl: 'http://signed-pay.example/privacy' } };
    expect(servedConfigSchema.safeParse(config).success).toBe(false);
    expect(signedConfigClaimsSchema.safeParse({ iss: ISSUER, ...GERMANY, config, iat: 1, exp: 2 }).success).toBe(false);
    expect(servedConfigSchema.safeParse(GERMANY.config).success).toBe(true);
    const legal = document.components.schemas.CountryConfig.properties.legal.properties;
    expect([legal.termsUrl.pattern, legal.privacyUrl.pattern]).toEqual(['^https://', '^https://']);
  });
});
