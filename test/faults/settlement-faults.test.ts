// Settlement with KMS or DynamoDB refusing, resetting or hanging, through fault proxies in front
// of the real emulators. Whatever fails and whenever, one Idempotency-Key ends in exactly one of:
// nothing charged or recorded (retry), or one charge, one record, one receipt for every retry.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_TABLES } from '../../local/tables.js';
import { DynamoDbLedger } from '../../shared/adapters/dynamodb-ledger.js';
import { paymentIdFor } from '../../shared/use-cases/settle-payment.js';
import type { Fault } from '../../local/fault-proxy.js';
import { bearer, postSettlement } from '../support/test-stack.js';
import { until } from '../support/until.js';
import { FUNCTION_TIMEOUT_MS, type FaultStack, startFaultStack, timed } from './fault-stack.js';

let stack: FaultStack;
/** The ledger as the tests read it: through the DynamoDB proxy, which every test leaves passing. */
let ledger: DynamoDbLedger;
let dynamodb: DynamoDBClient;

beforeAll(async () => {
  stack = await startFaultStack();
  dynamodb = new DynamoDBClient({});
  ledger = new DynamoDbLedger(DynamoDBDocumentClient.from(dynamodb), LOCAL_TABLES.LEDGER_TABLE_NAME.TableName);
});
afterEach(async () => {
  await stack.kmsProxy.set('pass');
  await stack.dynamodbProxy.set('pass');
});
afterAll(async () => {
  dynamodb?.destroy();
  await stack?.stop();
});

let keys = 0;
const freshKey = () => `fault-${Date.now()}-${++keys}`;
const ORDER = { orderId: 'o_fault', amount: { value: 1999, currency: 'USD' }, paymentMethod: { type: 'card', token: 'tok_success' } };
const settle = (key: string) => timed(() => postSettlement(stack.url, ORDER, key, bearer(stack.devTokens.m_123!)));

/** Every answer under a fault comes from the function, before its deadline: never API Gateway's timeout. */
function expectAnsweredInTime(ms: number) {
  expect(ms).toBeLessThan(FUNCTION_TIMEOUT_MS);
}

describe('the merchant registry cannot be read on a cold container', () => {
  it.each<Fault>(['refuse', 'hang'])('DynamoDB %s: 503 merchants-unavailable with Retry-After, nothing charged', async (fault) => {
    await stack.dynamodbProxy.set(fault);
    const { result, ms } = await settle(freshKey());
    expectAnsweredInTime(ms);
    expect(result.status).toBe(503);
    expect(result.body).toMatchObject({ type: '/problems/merchants-unavailable', status: 503 });
    expect(result.headers.get('retry-after')).toBe('2');
  });
});

describe('KMS fails while signing', () => {
  it.each<Fault>(['refuse', 'reset', 'hang'])('KMS %s: 503 signing-unavailable in time; the retry with the same key settles once', async (fault) => {
    const key = freshKey();
    const signed = stack.kmsServed('Sign');
    await stack.kmsProxy.set(fault);
    const failed = await settle(key);
    expectAnsweredInTime(failed.ms);
    expect(failed.result.status).toBe(503);
    expect(failed.result.body).toMatchObject({ type: '/problems/signing-unavailable' });
    expect(failed.result.headers.get('retry-after')).toBe('2');
    // Nothing signed, and the pending record was unlocked for an immediate retry.
    expect(stack.kmsServed('Sign')).toBe(signed);
    expect(await ledger.get(paymentIdFor('m_123', key))).toMatchObject({ lockExpiresAt: 0 });
    expect(await ledger.get(paymentIdFor('m_123', key))).not.toHaveProperty('paymentResponse');

    await stack.kmsProxy.set('pass');
    const retried = await settle(key);
    expect(retried.result.status).toBe(201);
    expect(stack.kmsServed('Sign')).toBe(signed + 1);
    expect(await ledger.get(paymentIdFor('m_123', key))).toMatchObject({ paymentResponse: retried.result.body.paymentResponse });
    expect((await settle(key)).result.text).toBe(retried.result.text);
  });
});

describe('DynamoDB fails before anything is charged', () => {
  it.each<Fault>(['refuse', 'reset', 'hang'])('DynamoDB %s: 503 ledger-unavailable in time; nothing recorded; the retry settles', async (fault) => {
    const key = freshKey();
    await settle(freshKey()); // warm: the registry read is cached, the ledger is what fails
    await stack.dynamodbProxy.set(fault);
    const failed = await settle(key);
    expectAnsweredInTime(failed.ms);
    expect(failed.result.status).toBe(503);
    expect(failed.result.body).toMatchObject({ type: '/problems/ledger-unavailable' });
    await stack.dynamodbProxy.set('pass');
    const retried = await settle(key);
    expect(retried.result.status).toBe(201);
    expect(decodeJwt(retried.result.body.paymentResponse).jti).toBe(paymentIdFor('m_123', key));
  });
});

describe('DynamoDB fails after the signature, before the receipt is recorded', () => {
  it('503 in time, no receipt released; retries are 409 until the lock runs out, then one receipt for good', async () => {
    const key = freshKey();
    await settle(freshKey());
    const signed = stack.kmsServed('Sign');
    // KMS answers slowly; while it signs, DynamoDB starts refusing. The payment is locked right
    // before it is charged and signed: from then on, only the receipt's write is left to fail.
    await stack.kmsProxy.set('slow', { delayMs: 300 });
    const pending = settle(key);
    await until(async () => ((await ledger.get(paymentIdFor('m_123', key)))?.lockExpiresAt ? true : undefined), {
      everyMs: 10,
      what: 'the payment being locked',
    });
    await stack.dynamodbProxy.set('refuse');
    const failed = await pending;
    expectAnsweredInTime(failed.ms);
    expect(failed.result.status).toBe(503);
    expect(failed.result.body).toMatchObject({ type: '/problems/ledger-unavailable' });
    expect(stack.kmsServed('Sign')).toBe(signed + 1);

    await stack.dynamodbProxy.set('pass');
    await stack.kmsProxy.set('pass');
    // The lock could not be released: it holds until the failed invocation's deadline, and every
    // retry until then is 409.
    const lockExpiresAt = (await ledger.get(paymentIdFor('m_123', key)))?.lockExpiresAt ?? 0;
    expect(lockExpiresAt).toBeGreaterThan(0);
    const early = await settle(key);
    expect(early.result.status).toBe(409);
    const retried = await until(
      async () => {
        const attempt = await settle(key);
        if (attempt.result.status !== 201) expect(attempt.result.status).toBe(409);
        return attempt.result.status === 201 ? attempt : undefined;
      },
      { everyMs: 50, withinMs: 2 * FUNCTION_TIMEOUT_MS, what: 'the retry after the lock ran out' },
    );
    expect(retried.result.status).toBe(201);
    expect(Date.now()).toBeGreaterThanOrEqual(lockExpiresAt);
    const record = await ledger.get(paymentIdFor('m_123', key));
    expect(record?.paymentResponse).toBe(retried.result.body.paymentResponse);
    expect((await settle(key)).result.text).toBe(retried.result.text);
  });
});
