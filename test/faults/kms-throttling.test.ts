// The account's KMS quota reached (issue 13), in the default `kms` signing mode: the embedded KMS
// throttles Sign above 3 per second, and bursts of settlements and signed verifications go far
// above that. The SDK retries a throttled Sign with backoff inside the function's deadline; what it
// cannot sign becomes a clean 503 with Retry-After, never a 500, and nothing is lost: the retry
// with the same Idempotency-Key settles the payment once, with one record and one receipt.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as pause } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningLocalStack, startLocalStack } from '../../local/local-stack.js';
import { LOCAL_TABLES } from '../../local/tables.js';
import { DynamoDbLedger } from '../../shared/adapters/dynamodb-ledger.js';
import { paymentIdFor } from '../../shared/use-cases/settle-payment.js';
import { recordContractViolations } from '../support/openapi-contract.js';
import { bearer, postSettlement } from '../support/test-stack.js';

const SIGNS_PER_SECOND = 3;
/** Far above what the SDK's three attempts (about 1.5 s of backoff) can get signed at 3 per second. */
const BURST = 12;
const RUN = `throttle-${Date.now()}`;

let stack: RunningLocalStack;
let dataDir: string;
let dynamodb: DynamoDBClient;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'signed-pay-kms-throttling-'));
  stack = await startLocalStack({ dataDir, port: 0, dynamodbPort: 0, kmsPort: 0, kmsRequestsPerSecond: SIGNS_PER_SECOND, onAnswer: recordContractViolations });
  dynamodb = new DynamoDBClient({});
});
afterAll(async () => {
  dynamodb?.destroy();
  await stack?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

type Answer = Awaited<ReturnType<typeof postSettlement>>;

/** Every answer under throttling: signed (201 settled, 402 declined), or a 503 problem that says when to come back. */
function expectSignedOrRetryLater(answer: { status: number; headers: Headers; body: any }, unavailable: string, signed: number[]) {
  if (signed.includes(answer.status)) return;
  expect(answer.status).toBe(503);
  expect(answer.headers.get('content-type')).toBe('application/problem+json');
  expect(answer.body).toMatchObject({ type: `/problems/${unavailable}`, status: 503 });
  expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
}

/** Waits as long as the answer's Retry-After says: what a well-behaved client does. */
const retryAfter = (answer: Answer) => pause(Number(answer.headers.get('retry-after')) * 1_000);

/** Sends the same settlement again after each 503's Retry-After, a few times at most. */
async function settleRetryingLater(send: () => Promise<Answer>): Promise<Answer> {
  let answer = await send();
  for (let attempt = 1; answer.status === 503 && attempt < 5; attempt += 1) {
    expectSignedOrRetryLater(answer, 'signing-unavailable', [201, 402]);
    await retryAfter(answer);
    answer = await send();
  }
  expectSignedOrRetryLater(answer, 'signing-unavailable', [201, 402]);
  return answer;
}

describe(`settlement while KMS throttles Sign above ${SIGNS_PER_SECOND} per second`, () => {
  // Every fourth order is declined: a decline is signed too, so it meets the quota as well.
  const orders = Array.from({ length: BURST }, (_, index) => ({
    key: `${RUN}-${index}`,
    body: { orderId: `o_${RUN}-${index}`, amount: { value: 1999, currency: 'USD' }, paymentMethod: { type: 'card', token: index % 4 === 3 ? 'tok_decline' : 'tok_success' } },
  }));
  const settle = (order: (typeof orders)[number]) => postSettlement(stack.url, order.body, order.key, bearer(stack.devTokens.m_123!));
  const outcomeOf = (order: (typeof orders)[number]) => (order.body.paymentMethod.token === 'tok_decline' ? 402 : 201);

  it('a burst answers 201, 402 or 503 signing-unavailable with Retry-After, never 500; each 503 retried with its key settles once', async () => {
    const signedBefore = stack.kmsCalls('Sign');
    const burst = await Promise.all(orders.map(settle));
    for (const answer of burst) expectSignedOrRetryLater(answer, 'signing-unavailable', [201, 402]);
    const unsigned = orders.filter((_, index) => burst[index]!.status === 503);
    expect(unsigned.length).toBeGreaterThanOrEqual(1);

    // The caller comes back with the same key and body once Retry-After has passed, one request at
    // a time, and waits again whenever it is told to.
    const final = new Map(orders.map((order, index) => [order.key, burst[index]!]));
    await retryAfter(final.get(unsigned[0]!.key)!);
    for (const order of unsigned) final.set(order.key, await settleRetryingLater(() => settle(order)));

    // Nothing lost: every order ends as its token says, with its own signed payment response.
    for (const order of orders) {
      const answer = final.get(order.key)!;
      expect(answer.status).toBe(outcomeOf(order));
      expect(answer.body.paymentId).toBe(paymentIdFor('m_123', order.key));
    }
    // Nothing twice: one signature per payment, and one ledger record per key holding that receipt.
    expect(stack.kmsCalls('Sign') - signedBefore).toBe(orders.length);
    const ledger = new DynamoDbLedger(DynamoDBDocumentClient.from(dynamodb), LOCAL_TABLES.LEDGER_TABLE_NAME.TableName);
    for (const order of orders) {
      expect(await ledger.get(paymentIdFor('m_123', order.key))).toMatchObject({ paymentResponse: final.get(order.key)!.body.paymentResponse });
    }
    const { Items = [] } = await DynamoDBDocumentClient.from(dynamodb).send(
      new ScanCommand({ TableName: LOCAL_TABLES.LEDGER_TABLE_NAME.TableName, FilterExpression: 'begins_with(orderId, :run)', ExpressionAttributeValues: { ':run': `o_${RUN}` } }),
    );
    expect(Items.map((item) => item.paymentId).sort()).toEqual(orders.map((order) => paymentIdFor('m_123', order.key)).sort());

    // A replay is the stored answer, signed nowhere again.
    const signedAfter = stack.kmsCalls('Sign');
    expect((await settle(orders[0]!)).text).toBe(final.get(orders[0]!.key)!.text);
    expect(stack.kmsCalls('Sign')).toBe(signedAfter);
  });
});

describe(`verification with a nonce while KMS throttles Sign above ${SIGNS_PER_SECOND} per second`, () => {
  it('a burst answers 200 with a signed verdict or 503 verdict-unavailable with Retry-After, never 500', async () => {
    const order = { orderId: `o_${RUN}-verify`, amount: { value: 1999, currency: 'USD' }, paymentMethod: { type: 'card', token: 'tok_success' } };
    const settled = await settleRetryingLater(() => postSettlement(stack.url, order, `${RUN}-verify`, bearer(stack.devTokens.m_123!)));
    expect(settled.status).toBe(201);
    await pause(1_000); // the settlement's Sign leaves the quota's window: the burst meets the quota alone

    const verify = async (index: number) => {
      const response = await fetch(`${stack.url}/v1/verifications`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          paymentResponse: settled.body.paymentResponse,
          expected: { merchantId: 'm_123', orderId: order.orderId, amount: order.amount },
          nonce: `nonce-${RUN}-${index}`.padEnd(16, '0'),
        }),
      });
      return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
    };
    const answers = await Promise.all(Array.from({ length: BURST }, (_, index) => verify(index)));
    for (const answer of answers) {
      expectSignedOrRetryLater(answer, 'verdict-unavailable', [200]);
      if (answer.status === 200) expect(answer.body).toMatchObject({ verified: true, reason: 'OK', verdict: expect.any(String) });
    }
    expect(answers.some((answer) => answer.status === 503)).toBe(true);
  });
});
