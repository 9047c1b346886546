// Attacks on delegated signing, through the local stack: what someone who stole an ephemeral key,
// who can write to the delegation registry, or who can only make things up, gets from the
// verification service and from the published JWKS.
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbDelegationRegistry } from '../../shared/adapters/dynamodb-delegation-registry.js';
import { toLowS } from '../../shared/adapters/ecdsa-low-s.js';
import { jwkThumbprint } from '../../shared/adapters/jwk-thumbprint.js';
import { kidOfKeyArn } from '../../shared/adapters/kms-key-id.js';
import { KmsJwsSigner } from '../../shared/adapters/kms-jws-signer.js';
import type { DelegatedJwk, DelegationScope } from '../../shared/domain/delegation/delegation.js';
import { bearer, postSettlement, SETTLEMENT_EXAMPLE, startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;
let dynamodb: DynamoDBClient;
let kms: KMSClient;
let registry: DynamoDbDelegationRegistry;
const EXPECTED = { merchantId: 'm_123', orderId: 'o_456', amount: { value: 1999, currency: 'USD' } };
const ISSUER = 'signed-pay-local';
const HOUR = 3600;

beforeAll(async () => {
  stack = await startTestStack({ signingMode: 'delegated' });
  const local = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
  dynamodb = new DynamoDBClient({ ...local, endpoint: stack.dynamodbUrl });
  kms = new KMSClient({ ...local, endpoint: stack.kmsUrl });
  registry = new DynamoDbDelegationRegistry(DynamoDBDocumentClient.from(dynamodb), 'delegations');
});
afterAll(async () => {
  dynamodb?.destroy();
  kms?.destroy();
  await stack?.stop();
});

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/** An ephemeral key as a signing container holds it, here in the attacker's hands. */
function stolenKey(): { privateKey: KeyObject; jwk: DelegatedJwk; kid: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { x, y } = publicKey.export({ format: 'jwk' });
  const jwk: DelegatedJwk = { crv: 'P-256', kty: 'EC', x: x!, y: y! };
  return { privateKey, jwk, kid: jwkThumbprint(jwk) };
}

/**
 * A delegation of `key`, signed by the real payment root key in KMS unless `signer` says otherwise,
 * and registered: what a container did in the past, or what someone with registry write access forges.
 */
async function registerDelegation(
  key: { jwk: DelegatedJwk; kid: string },
  window: { nbf: number; exp: number },
  options: { scope?: DelegationScope; signer?: { sign(typ: string, claims: Record<string, unknown>): Promise<string>; kid: string }; claims?: Record<string, unknown> } = {},
): Promise<void> {
  const scope = options.scope ?? 'payment-response+jwt';
  const signer = options.signer ?? new KmsJwsSigner(kms, stack.signingKeys.paymentKeyArns[0]!);
  const delegation = await signer.sign('signing-delegation+jwt', { iss: ISSUER, sub: key.kid, scope, jwk: key.jwk, iat: window.nbf, ...window, ...options.claims });
  await registry.register(
    { kid: key.kid, scope: 'payment-response+jwt', delegation, rootKid: signer.kid, notBefore: window.nbf, expires: window.exp, registeredAt: new Date().toISOString() },
    window.exp + HOUR,
  );
}

function signWith(key: { privateKey: KeyObject; kid: string }, claims: Record<string, unknown>, typ = 'payment-response+jwt'): string {
  const signingInput = `${b64({ alg: 'ES256', kid: key.kid, typ })}.${b64(claims)}`;
  const signature = sign('sha256', Buffer.from(signingInput), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${Buffer.from(toLowS(signature)).toString('base64url')}`;
}

/** The claims of a real payment of m_123, for the attacker to sign again. */
async function realPaymentClaims(): Promise<Record<string, unknown>> {
  const { body } = await postSettlement(stack.url, SETTLEMENT_EXAMPLE, `attack-${Date.now()}-${Math.random()}`, bearer(stack.devTokens.m_123!));
  return JSON.parse(Buffer.from(body.paymentResponse.split('.')[1], 'base64url').toString('utf8'));
}

async function verify(paymentResponse: string, checkLedger = false) {
  const response = await fetch(`${stack.url}/v1/verifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ paymentResponse, expected: EXPECTED, checkLedger }),
  });
  return (await response.json()) as { verified: boolean; paymentCompleted: boolean; reason: string; retryable: boolean };
}

async function publishedKids(): Promise<string[]> {
  const { keys } = (await (await fetch(`${stack.url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
  return keys.map((key) => key.kid);
}

describe('a stolen ephemeral key', () => {
  it('signs what its delegation covers while it lives: the stated limit of delegated mode', async () => {
    const key = stolenKey();
    await registerDelegation(key, { nbf: now() - 60, exp: now() + HOUR - 60 });
    expect(await verify(signWith(key, await realPaymentClaims()))).toMatchObject({ verified: true, reason: 'OK' });
  });

  it('signs nothing that verifies once its delegation has ended, whatever iat it writes', async () => {
    const key = stolenKey();
    const window = { nbf: now() - 3 * HOUR, exp: now() - 2 * HOUR };
    await registerDelegation(key, window);
    const backdated = signWith(key, { ...(await realPaymentClaims()), iat: window.nbf + 60 });
    expect(await verify(backdated)).toMatchObject({ verified: false, paymentCompleted: false, reason: 'DELEGATION_EXPIRED', retryable: false });
    // The ledger holds the genuine response of that payment, not this one: still refused.
    expect(await verify(backdated, true)).toMatchObject({ verified: false, reason: 'DELEGATION_EXPIRED' });
  });

  it('cannot date a token outside its live delegation', async () => {
    const key = stolenKey();
    const window = { nbf: now() - 60, exp: now() + HOUR - 60 };
    await registerDelegation(key, window);
    const claims = await realPaymentClaims();
    expect(await verify(signWith(key, { ...claims, iat: window.nbf - 1 }))).toMatchObject({ verified: false, reason: 'DELEGATION_EXPIRED' });
  });

  it('signs no other kind of token: a verdict delegation certifies nothing for payment responses', async () => {
    const key = stolenKey();
    await registerDelegation(key, { nbf: now() - 60, exp: now() + HOUR - 60 }, { scope: 'verification-result+jwt' });
    expect(await verify(signWith(key, await realPaymentClaims()))).toMatchObject({ verified: false, reason: 'UNKNOWN_KEY' });
    expect(await publishedKids()).not.toContain(key.kid);
  });
});

describe('someone who can write to the delegation registry', () => {
  const liveWindow = () => ({ nbf: now() - 60, exp: now() + HOUR - 60 });
  const ownRootKey = () => {
    const root = stolenKey();
    const rootKid = kidOfKeyArn(stack.signingKeys.paymentKeyArns[0]!); // claims to be our root key
    return {
      kid: rootKid,
      sign: async (typ: string, claims: Record<string, unknown>) => signWith({ ...root, kid: rootKid }, claims, typ),
    };
  };

  it('cannot certify a key with a root key of its own, even one naming our root kid', async () => {
    const key = stolenKey();
    await registerDelegation(key, liveWindow(), { signer: ownRootKey() });
    expect(await verify(signWith(key, await realPaymentClaims()))).toMatchObject({ verified: false, reason: 'UNKNOWN_KEY' });
    expect(await publishedKids()).not.toContain(key.kid);
  });

  it('cannot stretch a delegation beyond an hour, nor register one key under another key’s thumbprint', async () => {
    const long = stolenKey();
    await registerDelegation(long, { nbf: now() - 60, exp: now() + 2 * HOUR });
    const swapped = stolenKey();
    const other = stolenKey();
    await registerDelegation({ kid: swapped.kid, jwk: other.jwk }, liveWindow());
    const claims = await realPaymentClaims();
    expect(await verify(signWith(long, claims))).toMatchObject({ reason: 'UNKNOWN_KEY' });
    expect(await verify(signWith(swapped, claims))).toMatchObject({ reason: 'UNKNOWN_KEY' });
    expect(await publishedKids()).not.toEqual(expect.arrayContaining([long.kid]));
    expect(await publishedKids()).not.toEqual(expect.arrayContaining([swapped.kid]));
  });

  it('cannot get a key trusted by naming it in the token: a jwk header is refused before any lookup', async () => {
    const key = stolenKey();
    const signingInput = `${b64({ alg: 'ES256', jwk: key.jwk, kid: key.kid, typ: 'payment-response+jwt' })}.${b64(await realPaymentClaims())}`;
    const signature = sign('sha256', Buffer.from(signingInput), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
    expect(await verify(`${signingInput}.${Buffer.from(toLowS(signature)).toString('base64url')}`)).toMatchObject({ reason: 'MALFORMED' });
  });
});
