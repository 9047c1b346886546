import { DynamoDBClient, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { compactVerify, createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, postSettlement, SETTLEMENT_EXAMPLE, startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;
let dynamodb: DynamoDBClient;

beforeAll(async () => {
  stack = await startTestStack();
  dynamodb = new DynamoDBClient({ endpoint: stack.dynamodbUrl, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
});
afterAll(async () => {
  dynamodb?.destroy();
  await stack?.stop();
});

/** POST /v1/settlements as m_123's backend, with its dev token. */
const settle = (body: unknown, key: string | undefined, headers: Record<string, string> = {}) =>
  postSettlement(stack.url, body, key, { ...bearer(stack.devTokens.m_123!), ...headers });

let keyCounter = 0;
const freshKey = () => `test-key-${Date.now()}-${++keyCounter}`;

async function ledgerRecordsFor(paymentId: string) {
  const { Items } = await dynamodb.send(
    new ScanCommand({ TableName: 'ledger', FilterExpression: 'paymentId = :id', ExpressionAttributeValues: { ':id': { S: paymentId } } }),
  );
  return Items ?? [];
}

async function servedKeySet() {
  const response = await fetch(`${stack.url}/.well-known/jwks.json`);
  return createLocalJWKSet((await response.json()) as JSONWebKeySet);
}

function claimsOf(jws: string) {
  return JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8'));
}

describe('POST /v1/settlements', () => {
  it('answers 201 with a payment response signed by the KMS key, which jose verifies against the served JWKS', async () => {
    const before = stack.kmsCalls('Sign');
    const response = await settle(SETTLEMENT_EXAMPLE, freshKey());
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ paymentId: expect.stringMatching(/^pay_/), status: 'SETTLED', paymentResponse: expect.any(String) });
    expect(stack.kmsCalls('Sign')).toBe(before + 1);

    const { paymentResponse, paymentId } = response.body;
    const header = decodeProtectedHeader(paymentResponse);
    expect(header).toEqual({ alg: 'ES256', kid: expect.any(String), typ: 'payment-response+jwt' });
    expect(Buffer.from(paymentResponse.split('.')[2], 'base64url')).toHaveLength(64); // r‖s, not DER

    const { payload } = await compactVerify(paymentResponse, await servedKeySet(), { algorithms: ['ES256'] });
    const claims = JSON.parse(new TextDecoder().decode(payload));
    expect(claims).toEqual({
      iss: 'signed-pay-local',
      jti: paymentId,
      iat: expect.any(Number),
      merchantId: 'm_123',
      orderId: 'o_456',
      amount: { value: 1999, currency: 'USD' },
      status: 'SETTLED',
      livemode: false,
    });
    expect(Math.abs(claims.iat - Date.now() / 1000)).toBeLessThan(60);
    expect(await ledgerRecordsFor(paymentId)).toHaveLength(1);
  });

  it('answers 402 for a declined payment, signed and recorded as DECLINED', async () => {
    const response = await settle({ ...SETTLEMENT_EXAMPLE, paymentMethod: { type: 'card', token: 'tok_decline' } }, freshKey());
    expect(response.status).toBe(402);
    expect(response.body.status).toBe('DECLINED');
    expect(claimsOf(response.body.paymentResponse).status).toBe('DECLINED');
    const [record] = await ledgerRecordsFor(response.body.paymentId);
    expect(record?.status?.S).toBe('DECLINED');
  });

  it('replays the stored response for the same key and body, marked and without a new signature', async () => {
    const key = freshKey();
    const first = await settle(SETTLEMENT_EXAMPLE, key);
    const signsBefore = stack.kmsCalls('Sign');
    const second = await settle(SETTLEMENT_EXAMPLE, key);
    expect(second.status).toBe(201);
    expect(second.text).toBe(first.text);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(stack.kmsCalls('Sign')).toBe(signsBefore);
  });

  it('replays a declined result too, with its 402', async () => {
    const key = freshKey();
    const declined = { ...SETTLEMENT_EXAMPLE, paymentMethod: { type: 'card', token: 'tok_decline' } };
    const first = await settle(declined, key);
    const second = await settle(declined, key);
    expect(second.status).toBe(402);
    expect(second.text).toBe(first.text);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
  });

  it('refuses the same key with a different body with 422', async () => {
    const key = freshKey();
    await settle(SETTLEMENT_EXAMPLE, key);
    const response = await settle({ ...SETTLEMENT_EXAMPLE, amount: { value: 2000, currency: 'USD' } }, key);
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body.type).toBe('/problems/idempotency-key-reused');
  });

  it('answers 410 with what the payment was once its response was signed over 24 hours ago, charging nothing again', async () => {
    const key = freshKey();
    const first = await settle(SETTLEMENT_EXAMPLE, key);
    // Age the stored response by a day and a second: what the ledger would hold the next day.
    const [header, payload, signature] = (first.body.paymentResponse as string).split('.');
    const claims = claimsOf(first.body.paymentResponse);
    const aged = `${header}.${Buffer.from(JSON.stringify({ ...claims, iat: claims.iat - 86_401 })).toString('base64url')}.${signature}`;
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: 'ledger',
        Key: { paymentId: { S: first.body.paymentId } },
        UpdateExpression: 'SET paymentResponse = :aged',
        ExpressionAttributeValues: { ':aged': { S: aged } },
      }),
    );

    const replay = await settle(SETTLEMENT_EXAMPLE, key);
    expect(replay.status).toBe(410);
    expect(replay.body).toMatchObject({ type: '/problems/idempotency-key-expired', paymentId: first.body.paymentId, paymentStatus: 'SETTLED' });
    expect(replay.text).not.toContain(header);
    expect(await ledgerRecordsFor(first.body.paymentId)).toHaveLength(1);
    // Another body is still a reuse of the key.
    expect((await settle({ ...SETTLEMENT_EXAMPLE, amount: { value: 2000, currency: 'USD' } }, key)).status).toBe(422);
  });

  it('scopes keys to the merchant: two merchants may use the same key', async () => {
    const key = freshKey();
    const a = await settle(SETTLEMENT_EXAMPLE, key);
    const { merchantId: _, ...withoutMerchant } = SETTLEMENT_EXAMPLE;
    const b = await settle(withoutMerchant, key, bearer(stack.devTokens.m_demo!));
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.paymentId).not.toBe(a.body.paymentId);
  });

  it('answers 502 when the processor fails, signs and records nothing, and does not store the failure', async () => {
    const key = freshKey();
    const failing = { ...SETTLEMENT_EXAMPLE, paymentMethod: { type: 'card', token: 'tok_error' } };
    const signsBefore = stack.kmsCalls('Sign');
    const response = await settle(failing, key);
    expect(response.status).toBe(502);
    expect(response.body).toMatchObject({ type: '/problems/processor-unavailable', status: 502 });
    expect(stack.kmsCalls('Sign')).toBe(signsBefore);
    const retried = await settle(failing, key);
    expect(retried.status).toBe(502);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
  });

  it('answers 400 listing the sandbox tokens for an unknown token, and does not store it', async () => {
    const key = freshKey();
    const response = await settle({ ...SETTLEMENT_EXAMPLE, paymentMethod: { type: 'card', token: 'tok_unknown' } }, key);
    expect(response.status).toBe(400);
    expect(response.body.detail).toContain('tok_success');
    expect(response.body.detail).toContain('tok_decline');
    expect(response.body.detail).toContain('tok_error');
    // The key is free again: the corrected request settles.
    expect((await settle(SETTLEMENT_EXAMPLE, key)).status).toBe(201);
  });

  describe('refuses bad input with problem+json', () => {
    it.each([
      ['a missing Idempotency-Key', SETTLEMENT_EXAMPLE, undefined, 400, 'validation-failed'],
      ['an Idempotency-Key over 255 characters', SETTLEMENT_EXAMPLE, 'k'.repeat(256), 400, 'validation-failed'],
      ['an Idempotency-Key with a non-ASCII character', SETTLEMENT_EXAMPLE, 'cl\u00e9', 400, 'validation-failed'],
      ['malformed JSON', '{"merchantId": ', 'k-json', 400, 'malformed-body'],
      ['an empty body', '', 'k-empty', 400, 'malformed-body'],
      ['a float amount', { ...SETTLEMENT_EXAMPLE, amount: { value: 19.99, currency: 'USD' } }, 'k-float', 400, 'validation-failed'],
      ['a currency not in use', { ...SETTLEMENT_EXAMPLE, amount: { value: 1, currency: 'DEM' } }, 'k-dem', 400, 'validation-failed'],
      ['a body over 16 KiB', { ...SETTLEMENT_EXAMPLE, padding: 'x'.repeat(16 * 1024) }, 'k-big', 413, 'payload-too-large'],
    ])('%s', async (_, body, key, status, code) => {
      const response = await settle(body, key);
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.body).toMatchObject({ type: `/problems/${code}`, status, title: expect.any(String), detail: expect.any(String) });
      expect(response.text).not.toMatch(/\bat .*\.(ts|js):\d+/);
    });

    it('a body that is not JSON at all: 415 naming the expected content type', async () => {
      const response = await settle('merchantId=m_1', 'k-form', { 'content-type': 'application/x-www-form-urlencoded' });
      expect(response.status).toBe(415);
      expect(response.body.detail).toContain('application/json');
    });

    it('names the Idempotency-Key header when it is missing or bad', async () => {
      const missing = await settle(SETTLEMENT_EXAMPLE, undefined);
      expect(missing.body.errors).toEqual([{ path: 'Idempotency-Key', message: 'is required' }]);
      expect(missing.body.detail).toBe('The Idempotency-Key header is invalid: Idempotency-Key is required.');
      const tooLong = await settle(SETTLEMENT_EXAMPLE, 'k'.repeat(256));
      expect(tooLong.body.errors[0].path).toBe('Idempotency-Key');
    });

    it('names every invalid field', async () => {
      const response = await settle({ merchantId: 'bad id', amount: { value: -1, currency: 'usd' } }, 'k-fields');
      const paths = response.body.errors.map((error: { path: string }) => error.path);
      expect(paths).toEqual(expect.arrayContaining(['merchantId', 'orderId', 'amount.value', 'amount.currency', 'paymentMethod']));
    });
  });

  it('sets security headers and no-store on every answer', async () => {
    const response = await settle(SETTLEMENT_EXAMPLE, freshKey());
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('strict-transport-security')).toContain('max-age=');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });
});

describe('20 simultaneous requests with one Idempotency-Key', () => {
  it('give exactly one ledger record and one signature, and every 2xx body is identical', async () => {
    const key = freshKey();
    const signsBefore = stack.kmsCalls('Sign');
    const responses = await Promise.all(Array.from({ length: 20 }, () => settle(SETTLEMENT_EXAMPLE, key)));
    const statuses = responses.map((response) => response.status);
    expect(statuses.every((status) => status === 201 || status === 409)).toBe(true);
    const successes = responses.filter((response) => response.status === 201);
    expect(successes.length).toBeGreaterThanOrEqual(1);
    expect(new Set(successes.map((response) => response.text)).size).toBe(1);
    for (const conflict of responses.filter((response) => response.status === 409)) {
      expect(conflict.body.type).toBe('/problems/request-in-flight');
    }
    expect(stack.kmsCalls('Sign')).toBe(signsBefore + 1);
    expect(await ledgerRecordsFor(successes[0]!.body.paymentId)).toHaveLength(1);
    // Once the first finished, a retry is a replay of the same response.
    const retry = await settle(SETTLEMENT_EXAMPLE, key);
    expect(retry.text).toBe(successes[0]!.text);
  });
});

describe('GET /.well-known/jwks.json', () => {
  it('lists the signing key with the kid the JWS carries, cacheable for at least 5 minutes', async () => {
    const response = await fetch(`${stack.url}/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    const maxAge = Number(/max-age=(\d+)/.exec(response.headers.get('cache-control') ?? '')?.[1]);
    expect(maxAge).toBeGreaterThanOrEqual(300);
    const { keys } = (await response.json()) as { keys: Array<Record<string, string>> };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toEqual({ kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String), kid: expect.any(String), alg: 'ES256', use: 'sig' });
    const settled = await settle(SETTLEMENT_EXAMPLE, freshKey());
    expect(decodeProtectedHeader(settled.body.paymentResponse).kid).toBe(keys[0]!.kid);
  });

  it('fetches public keys from KMS once per container, not per request', async () => {
    await fetch(`${stack.url}/.well-known/jwks.json`);
    const before = stack.kmsCalls('GetPublicKey');
    await Promise.all(Array.from({ length: 5 }, () => fetch(`${stack.url}/.well-known/jwks.json`)));
    expect(stack.kmsCalls('GetPublicKey')).toBe(before);
  });
});
