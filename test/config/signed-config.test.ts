// Signed configuration answers through the local stack, as an app sees them: checked with plain jose
// against the config JWKS, one KMS Sign per answer and version, and a key set of their own.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_REGION } from '../../local/local-stack.js';
import { LOCAL_TABLES } from '../../local/tables.js';
import { DynamoDbConfigStore } from '../../shared/adapters/dynamodb-config-store.js';
import { kidOfKeyArn } from '../../shared/adapters/kms-key-id.js';
import { parseLayerName } from '../../shared/domain/config/layers.js';
import { CLIENT_CONFIG_TYP, DEFAULT_CONFIG_SIGNATURE_LIFETIME_SECONDS, signedConfigClaimsSchema } from '../../shared/domain/config/signed-config.js';
import { CONFIG_JWKS_PATH, PAYMENT_JWKS_PATH, VERDICT_JWKS_PATH } from '../../shared/routes.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { cacheDirectives } from './support/handler.js';

const ISSUER = 'signed-pay-local';

let stack: TestStack;
let store: DynamoDbConfigStore;
let dynamodb: DynamoDBClient;
beforeAll(async () => {
  // Every lookup reads the table: a new version is answered at once, not after the container's 30 s.
  process.env.CONFIG_CACHE_TTL_SECONDS = '0';
  stack = await startTestStack();
  dynamodb = new DynamoDBClient({ endpoint: stack.dynamodbUrl, region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  store = new DynamoDbConfigStore(DynamoDBDocumentClient.from(dynamodb), LOCAL_TABLES.CONFIG_TABLE_NAME.TableName);
});
afterAll(async () => {
  dynamodb?.destroy();
  await stack?.stop();
});

async function getConfig(query: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${stack.url}/v1/config${query}`, { headers });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
}

async function keySet(path: string): Promise<JSONWebKeySet> {
  const response = await fetch(`${stack.url}${path}`);
  expect(response.status).toBe(200);
  return (await response.json()) as JSONWebKeySet;
}

const verifyWith = (jwks: JSONWebKeySet, token: string) =>
  jwtVerify(token, createLocalJWKSet(jwks), { algorithms: ['ES256'], typ: CLIENT_CONFIG_TYP, issuer: ISSUER });

describe('GET /.well-known/config-jwks.json', () => {
  it('publishes the config key alone, as a cacheable JWK Set served without KMS', async () => {
    const getPublicKeys = stack.kmsCalls('GetPublicKey');
    const response = await fetch(`${stack.url}${CONFIG_JWKS_PATH}`);
    expect(response.headers.get('content-type')).toBe('application/jwk-set+json');
    expect(response.headers.get('cache-control')).toBe('public, max-age=300, stale-while-revalidate=60');
    const { keys } = (await response.json()) as JSONWebKeySet;
    expect(keys).toEqual([{ kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String), kid: kidOfKeyArn(stack.signingKeys.configKeyArn), alg: 'ES256', use: 'sig' }]);
    // Its public half came with the deployment (CONFIG_PUBLIC_KEY).
    expect(stack.kmsCalls('GetPublicKey')).toBe(getPublicKeys);
  });

  it('shares no key with the payment and verdict key sets, in either direction', async () => {
    const [config, payment, verdict] = [await keySet(CONFIG_JWKS_PATH), await keySet(PAYMENT_JWKS_PATH), await keySet(VERDICT_JWKS_PATH)];
    const kids = (jwks: JSONWebKeySet) => jwks.keys.map((key) => key.kid);
    expect(kids(config).filter((kid) => [...kids(payment), ...kids(verdict)].includes(kid))).toEqual([]);
    expect([...kids(payment), ...kids(verdict)].filter((kid) => kids(config).includes(kid))).toEqual([]);
    // A configuration answer's signature checks against the config keys only.
    const { body } = await getConfig('?country=DE');
    await expect(verifyWith(config, body.signature)).resolves.toBeDefined();
    for (const other of [payment, verdict]) await expect(verifyWith(other, body.signature)).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
  });
});

describe('GET /v1/config: the signature', () => {
  it.each([
    ['the query', '?country=de', {}],
    ['CloudFront', '', { 'cloudfront-viewer-country': 'JP' }],
    ['Accept-Language', '', { 'accept-language': 'pt-BR' }],
    ['nothing', '', { 'accept-language': 'en' }],
    ['the query, with explain', '?country=FR&explain=1', {}],
  ])('verifies with plain jose against the config JWKS, and its claims are the answer (country from %s)', async (_from, query, headers) => {
    const { status, body } = await getConfig(query, headers);
    expect(status).toBe(200);
    const { payload, protectedHeader } = await verifyWith(await keySet(CONFIG_JWKS_PATH), body.signature);
    expect(protectedHeader).toEqual({ alg: 'ES256', kid: kidOfKeyArn(stack.signingKeys.configKeyArn), typ: 'client-config+jwt' });
    const { iss, iat, exp, ...members } = signedConfigClaimsSchema.parse(payload);
    expect(members).toEqual({ country: body.country, source: body.source, version: body.version, config: body.config });
    expect(iss).toBe(ISSUER);
    expect(exp - iat).toBe(DEFAULT_CONFIG_SIGNATURE_LIFETIME_SECONDS);
    // Nothing the answer carries is left unsigned, but `explain` (a debugging aid) and the signature itself.
    expect(Object.keys(body).filter((member) => !(member in members)).sort()).toEqual(query.includes('explain') ? ['explain', 'signature'] : ['signature']);
  });

  it('lets no cache keep the answer past the signature\'s exp', async () => {
    // The time left as of before the request: the function's own `now` is no earlier.
    const asked = Math.floor(Date.now() / 1000);
    const { headers, body } = await getConfig('?country=GB');
    const { exp } = signedConfigClaimsSchema.parse((await verifyWith(await keySet(CONFIG_JWKS_PATH), body.signature)).payload);
    const left = exp - asked;
    const directives = cacheDirectives(headers.get('cache-control') ?? undefined);
    const maxAge = directives['max-age'] as number;
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThanOrEqual(left);
    expect(maxAge + (directives['stale-while-revalidate'] as number)).toBeLessThanOrEqual(left);
    expect(maxAge + (directives['stale-if-error'] as number)).toBeLessThanOrEqual(left);
  });

  it('costs one KMS Sign for 100 lookups of a country, and one more for its next version', async () => {
    const signs = () => stack.kmsCalls('Sign');
    const lookUp = async (times: number) => {
      const tokens = new Set<string>();
      for (let i = 0; i < times; i += 1) tokens.add((await getConfig('?country=BR')).body.signature);
      return tokens;
    };
    const before = signs();
    expect((await lookUp(100)).size).toBe(1);
    expect(signs() - before).toBe(1);

    const current = (await store.getCurrent(parseLayerName('BR')!))!;
    await store.put(current.layer, { ...current.document, features: { ...current.document.features, newCheckout: true } }, { author: 'signed-config test', expectedVersion: current.version });
    const [token] = await lookUp(100);
    expect(signs() - before).toBe(2);
    const { payload } = await verifyWith(await keySet(CONFIG_JWKS_PATH), token!);
    expect(payload).toMatchObject({ version: expect.stringContaining(`country:BR@${current.version + 1}`), config: { features: { newCheckout: true } } });
  });

  it('is signed once for concurrent first lookups of an answer', async () => {
    const before = stack.kmsCalls('Sign');
    const answers = await Promise.all(Array.from({ length: 16 }, () => getConfig('?country=IN')));
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
    expect(new Set(answers.map((answer) => answer.body.signature)).size).toBe(1);
    expect(stack.kmsCalls('Sign') - before).toBe(1);
  });

  it('is covered by the ETag: a 304 renews only the copy carrying the signature served', async () => {
    const first = await getConfig('?country=US');
    const etag = first.headers.get('etag')!;
    const revalidated = await fetch(`${stack.url}/v1/config?country=US`, { headers: { 'if-none-match': etag } });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get('etag')).toBe(etag);
  });
});
