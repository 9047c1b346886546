// The attacks of the tenancy issue, each as a tenant with a real account would try it, through the
// local stack: its JWT authorizer, the settlement and verification handlers, dynalite and KMS.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_JWT_ISSUER } from '../../local/jwt-issuer.js';
import { LOCAL_TABLES } from '../../local/tables.js';
import { DynamoDbLedger } from '../../shared/adapters/dynamodb-ledger.js';
import type { Merchant } from '../../shared/domain/merchants/merchant.js';
import { paymentIdFor, requestFingerprint } from '../../shared/use-cases/settle-payment.js';
import { bearer, postSettlement, startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;
/** Bearer tokens of the attacker's own backend, and of the victim's (the seeded m_123). */
let attacker: string;
let victim: string;
let dynamodb: DynamoDBClient;
let ledger: DynamoDbLedger;

async function register(merchantId: string, changes: Partial<Merchant> = {}): Promise<string> {
  const subject = `backend-${merchantId}`;
  await stack.merchants.add({ merchantId, mode: 'test', status: 'active', callers: [`jwt:${LOCAL_JWT_ISSUER}|${subject}`], ...changes });
  return stack.issueToken(subject);
}

beforeAll(async () => {
  stack = await startTestStack();
  attacker = await register('m_attacker');
  victim = stack.devTokens.m_123!;
  // The local stack has pointed AWS_ENDPOINT_URL_DYNAMODB at its dynalite.
  dynamodb = new DynamoDBClient({});
  ledger = new DynamoDbLedger(DynamoDBDocumentClient.from(dynamodb), LOCAL_TABLES.LEDGER_TABLE_NAME.TableName);
});
afterAll(async () => {
  dynamodb?.destroy();
  await stack?.stop();
});

let keys = 0;
const freshKey = () => `tenancy-${Date.now()}-${++keys}`;
const order = (orderId: string, value = 1999) => ({ orderId, amount: { value, currency: 'USD' }, paymentMethod: { type: 'card', token: 'tok_success' } });
/** What a relying party expects of the payment for that order. */
const expectation = (merchantId: string, orderId: string, value = 1999) => ({ merchantId, orderId, amount: { value, currency: 'USD' } });

async function verify(body: Record<string, unknown>) {
  const response = await fetch(`${stack.url}/v1/verifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe("1. a genuine payment to one merchant never completes another merchant's order", () => {
  it('the attacker pays itself for the victim\'s order id: MISMATCH_MERCHANT, not completed', async () => {
    const paid = await postSettlement(stack.url, order('o_2002'), freshKey(), bearer(attacker));
    expect(paid.status).toBe(201);
    expect(decodeJwt(paid.body.paymentResponse)).toMatchObject({ merchantId: 'm_attacker', orderId: 'o_2002' });
    const checked = await verify({ paymentResponse: paid.body.paymentResponse, expected: expectation('m_123', 'o_2002') });
    expect(checked.body).toMatchObject({ verified: true, paymentCompleted: false, reason: 'MISMATCH_MERCHANT' });
  });

  it('a confirmation that leaves the merchant out is refused, not answered', async () => {
    const paid = await postSettlement(stack.url, order('o_2003'), freshKey(), bearer(attacker));
    const { merchantId: _, ...expected } = expectation('m_attacker', 'o_2003');
    const checked = await verify({ paymentResponse: paid.body.paymentResponse, expected });
    expect(checked.status).toBe(400);
    expect(checked.body.errors).toEqual([{ path: 'expected.merchantId', message: expect.any(String) }]);
  });
});

describe('2. settlement acts for the caller\'s merchant, never for the one a body names', () => {
  it('a body naming another merchant is 403 merchant-mismatch, and nothing is signed', async () => {
    const signs = stack.kmsCalls('Sign');
    const response = await postSettlement(stack.url, { merchantId: 'm_123', ...order('o_4711') }, freshKey(), bearer(attacker));
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ type: '/problems/merchant-mismatch', status: 403 });
    expect(response.body.detail).toContain('m_attacker');
    expect(stack.kmsCalls('Sign')).toBe(signs);
  });

  it("squatting the victim's predictable Idempotency-Key takes nothing from the victim", async () => {
    const key = `order-o_456-attempt-${Date.now()}`;
    const squat = await postSettlement(stack.url, order('o_456', 1), key, bearer(attacker));
    expect(squat.status).toBe(201);
    const real = await postSettlement(stack.url, { merchantId: 'm_123', ...order('o_456') }, key, bearer(victim));
    expect(real.status).toBe(201);
    expect(real.headers.get('idempotent-replayed')).toBeNull();
    expect(real.body.paymentId).toBe(paymentIdFor('m_123', key));
    expect(real.body.paymentId).not.toBe(squat.body.paymentId);
  });

  it('without a token the local API Gateway answers 401 in its own shape and no handler runs', async () => {
    const response = await postSettlement(stack.url, order('o_1'), freshKey());
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ message: 'Unauthorized' });
  });

  it('a signed-in caller registered for no merchant is 403 unknown-caller', async () => {
    const stranger = await stack.issueToken('an-app-user');
    const response = await postSettlement(stack.url, order('o_1'), freshKey(), bearer(stranger));
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ type: '/problems/unknown-caller' });
  });

  it('a suspended merchant is 403 merchant-suspended', async () => {
    const suspended = await register('m_suspended', { status: 'suspended' });
    const response = await postSettlement(stack.url, order('o_1'), freshKey(), bearer(suspended));
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ type: '/problems/merchant-suspended' });
  });
});

describe('3. a verdict says what it was checked against', () => {
  it('a verdict for a cheap order names that order and amount, so it cannot pass for another', async () => {
    const paid = await postSettlement(stack.url, order('o_cheap', 100), freshKey(), bearer(victim));
    const expected = expectation('m_123', 'o_cheap', 100);
    const checked = await verify({ paymentResponse: paid.body.paymentResponse, expected, nonce: `nonce-${Date.now()}-verdict` });
    expect(checked.body).toMatchObject({ paymentCompleted: true, expected, checkLedger: false, livemode: false });
    expect(decodeJwt(checked.body.verdict)).toMatchObject({ paymentCompleted: true, expected, checkLedger: false, livemode: false });
  });
});

describe('5. a deployment with the sandbox processor never signs a live receipt', () => {
  it('a live merchant gets 403 livemode-unavailable, nothing signed or recorded', async () => {
    const live = await register('m_live', { mode: 'live' });
    const signs = stack.kmsCalls('Sign');
    const response = await postSettlement(stack.url, order('o_1'), freshKey(), bearer(live));
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ type: '/problems/livemode-unavailable' });
    expect(stack.kmsCalls('Sign')).toBe(signs);
  });

  it("a test merchant's receipt says livemode false, and so does its verification", async () => {
    const paid = await postSettlement(stack.url, order('o_test'), freshKey(), bearer(victim));
    expect(decodeJwt(paid.body.paymentResponse).livemode).toBe(false);
    const expected = expectation('m_123', 'o_test');
    expect((await verify({ paymentResponse: paid.body.paymentResponse, expected, checkLedger: true })).body).toMatchObject({
      paymentCompleted: true,
      livemode: false,
      payment: { livemode: false },
    });
  });
});

describe('6. a retry after a crash is signed only for what was asked first', () => {
  it('a crashed attempt left a pending record: another amount is 422, the same request resumes it once', async () => {
    const key = freshKey();
    const first = order('o_crash', 1999);
    const paymentId = paymentIdFor('m_123', key);
    // What a settlement that died after charging leaves behind: a pending record whose lock ran out.
    await ledger.begin({
      paymentId,
      merchantId: 'm_123',
      orderId: first.orderId,
      amount: first.amount,
      livemode: false,
      requestFingerprint: requestFingerprint('m_123', first as never),
      createdAt: new Date().toISOString(),
      lockToken: 'crashed-attempt',
      lockExpiresAt: Date.now() - 1,
    });
    const signs = stack.kmsCalls('Sign');
    const cheaper = await postSettlement(stack.url, order('o_crash', 1), key, bearer(victim));
    expect(cheaper.status).toBe(422);
    expect(cheaper.body.type).toBe('/problems/idempotency-key-reused');
    expect(stack.kmsCalls('Sign')).toBe(signs);

    const resumed = await postSettlement(stack.url, first, key, bearer(victim));
    expect(resumed.status).toBe(201);
    expect(decodeJwt(resumed.body.paymentResponse)).toMatchObject({ jti: paymentId, amount: { value: 1999, currency: 'USD' } });
    expect(await ledger.get(paymentId)).toMatchObject({ paymentResponse: resumed.body.paymentResponse });
    expect(stack.kmsCalls('Sign')).toBe(signs + 1);
  });
});
