// Delegated signing through the local stack: settlement and verification sign with ephemeral keys
// certified by the KMS root keys, and anything that trusts the JWKS (plain jose) or our
// verification service verifies their tokens, until a delegation is revoked.
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbDelegationRegistry } from '../../shared/adapters/dynamodb-delegation-registry.js';
import { kidOfKeyArn } from '../../shared/adapters/kms-key-id.js';
import { bearer, postSettlement, SETTLEMENT_EXAMPLE, startTestStack, type TestStack } from '../support/test-stack.js';
import { until } from '../support/until.js';

let stack: TestStack;
let dynamodb: DynamoDBClient;
let registry: DynamoDbDelegationRegistry;
const EXPECTED = { merchantId: 'm_123', orderId: 'o_456', amount: { value: 1999, currency: 'USD' } };

beforeAll(async () => {
  process.env.DELEGATION_REVOCATION_CHECK_SECONDS = '1';
  stack = await startTestStack({ signingMode: 'delegated' });
  dynamodb = new DynamoDBClient({ endpoint: stack.dynamodbUrl, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  registry = new DynamoDbDelegationRegistry(DynamoDBDocumentClient.from(dynamodb), 'delegations');
});
afterAll(async () => {
  delete process.env.DELEGATION_REVOCATION_CHECK_SECONDS;
  dynamodb?.destroy();
  await stack?.stop();
});

let counter = 0;
const settle = () => postSettlement(stack.url, SETTLEMENT_EXAMPLE, `delegated-${Date.now()}-${++counter}`, bearer(stack.devTokens.m_123!));

async function verify(body: Record<string, unknown>) {
  const response = await fetch(`${stack.url}/v1/verifications`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ expected: EXPECTED, ...body }) });
  return (await response.json()) as Record<string, any>;
}

describe('in delegated mode', () => {
  it('settles many payments with one KMS Sign, each token naming its delegated key by RFC 7638 thumbprint', async () => {
    const signsBefore = stack.kmsCalls('Sign');
    const answers = await Promise.all(Array.from({ length: 8 }, settle));
    expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(201));
    expect(stack.kmsCalls('Sign') - signsBefore).toBe(1);

    const kids = new Set(answers.map((answer) => decodeProtectedHeader(answer.body.paymentResponse).kid));
    expect(kids.size).toBe(1);
    const [kid] = kids;
    expect(kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(kid).not.toBe(kidOfKeyArn(stack.signingKeys.paymentKeyArns[0]!));
  });

  it('verifies with plain jose against /.well-known/jwks.json, and with our verification service', async () => {
    const { body } = await settle();
    const jwks = createRemoteJWKSet(new URL(`${stack.url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(body.paymentResponse, jwks, { algorithms: ['ES256'], typ: 'payment-response+jwt' });
    expect(payload).toMatchObject({ jti: body.paymentId, status: 'SETTLED' });

    const served = (await (await fetch(`${stack.url}/.well-known/jwks.json`)).json()) as { keys: Array<Record<string, unknown>> };
    const delegated = served.keys.find((key) => key.kid === protectedHeader.kid);
    expect(delegated).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', delegation: expect.any(String) });
    expect(decodeProtectedHeader(delegated!.delegation as string)).toEqual({
      alg: 'ES256',
      kid: kidOfKeyArn(stack.signingKeys.paymentKeyArns[0]!),
      typ: 'signing-delegation+jwt',
    });

    expect(await verify({ paymentResponse: body.paymentResponse, checkLedger: true })).toMatchObject({ verified: true, paymentCompleted: true, reason: 'OK' });
  });

  it('records in the ledger which delegated key signed each payment, and keeps the delegation with its KMS signature', async () => {
    const { body } = await settle();
    const { kid } = decodeProtectedHeader(body.paymentResponse);
    const { Item } = await dynamodb.send(new GetItemCommand({ TableName: 'ledger', Key: { paymentId: { S: body.paymentId } } }));
    expect(Item?.signedBy?.S).toBe(kid);
    const registered = await registry.get('payment-response+jwt', kid!);
    expect(registered).toMatchObject({ kid, scope: 'payment-response+jwt', rootKid: kidOfKeyArn(stack.signingKeys.paymentKeyArns[0]!) });
    expect(registered!.expires - registered!.notBefore).toBeLessThanOrEqual(3600);
  });

  it('signs verdicts with a delegated verdict key that plain jose verifies against /.well-known/verdict-jwks.json', async () => {
    const { body } = await settle();
    const signsBefore = stack.kmsCalls('Sign');
    const results = await Promise.all([1, 2, 3].map((n) => verify({ paymentResponse: body.paymentResponse, nonce: `nonce-${n}-0123456789abcdef` })));
    expect(stack.kmsCalls('Sign') - signsBefore).toBeLessThanOrEqual(1);
    const jwks = createRemoteJWKSet(new URL(`${stack.url}/.well-known/verdict-jwks.json`));
    for (const result of results) {
      const { payload, protectedHeader } = await jwtVerify(result.verdict, jwks, { algorithms: ['ES256'], typ: 'verification-result+jwt' });
      expect(payload).toMatchObject({ reason: 'OK', paymentCompleted: true });
      expect(protectedHeader.kid).not.toBe(kidOfKeyArn(stack.signingKeys.verdictKeyArn));
    }
    // A verdict key is never trusted for payment responses, delegated or not.
    const paymentJwks = (await (await fetch(`${stack.url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
    expect(paymentJwks.keys.map((key) => key.kid)).not.toContain(decodeProtectedHeader(results[0]!.verdict).kid);
  });

  it('refuses every token of a revoked delegation within seconds, drops it from the JWKS, and signs new payments with a new key', async () => {
    const { body } = await settle();
    const { kid } = decodeProtectedHeader(body.paymentResponse);
    await registry.revoke('payment-response+jwt', kid!, 'test: container memory exposed', new Date());

    await until(async () => (await verify({ paymentResponse: body.paymentResponse })).reason === 'DELEGATION_REVOKED' || undefined, { what: 'revocation at the verifier' });
    expect(await verify({ paymentResponse: body.paymentResponse, checkLedger: true })).toMatchObject({ verified: false, reason: 'DELEGATION_REVOKED', retryable: false });
    await until(async () => {
      const served = (await (await fetch(`${stack.url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
      return !served.keys.some((key) => key.kid === kid) || undefined;
    }, { what: 'revocation in the JWKS' });

    let renewed: Awaited<ReturnType<typeof settle>> | undefined;
    await until(async () => {
      renewed = await settle();
      return decodeProtectedHeader(renewed.body.paymentResponse).kid !== kid || undefined;
    }, { what: 'a new delegation at the signer' });
    expect(await verify({ paymentResponse: renewed!.body.paymentResponse })).toMatchObject({ reason: 'OK' });
  });
});
