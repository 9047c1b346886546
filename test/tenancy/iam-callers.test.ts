// IAM mode (the default on AWS): API Gateway's IAM authorizer puts the SigV4 caller in
// requestContext.authorizer.iam. Events shaped like that, handed to the settlement handler the
// local stack runs, against the local registry, ledger and KMS.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCallerId } from '../../shared/domain/merchants/caller-identity.js';
import { httpApiEvent, lambdaContext } from '../support/http-api-event.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

const ACCOUNT = '123456789012';
let stack: TestStack;
type SettlementHandler = typeof import('../../functions/settlement/handler.js').handler;
let handler: SettlementHandler;
const settlement = (event: APIGatewayProxyEventV2, context: Context) =>
  handler(event as Parameters<SettlementHandler>[0], context) as Promise<APIGatewayProxyStructuredResultV2>;

function callerId(text: string): string {
  const parsed = parseCallerId(text);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed.callerId;
}

beforeAll(async () => {
  stack = await startTestStack();
  await stack.merchants.add({ merchantId: 'm_iam', mode: 'test', status: 'active', callers: [callerId(`arn:aws:iam::${ACCOUNT}:role/shop-backend`)] });
  await stack.merchants.add({ merchantId: 'm_iam_path', mode: 'test', status: 'active', callers: [callerId(`arn:aws:iam::${ACCOUNT}:role/payments/team-b-backend`)] });
  ({ handler } = await import('../../functions/settlement/handler.js'));
});
afterAll(async () => stack?.stop());

let keys = 0;
async function settleAs(userArn: string, body: Record<string, unknown> = {}) {
  const event = httpApiEvent('POST /v1/settlements', {
    headers: { 'content-type': 'application/json', 'idempotency-key': `iam-${Date.now()}-${++keys}` },
    body: JSON.stringify({ orderId: 'o_iam', amount: { value: 500, currency: 'JPY' }, paymentMethod: { type: 'card', token: 'tok_success' }, ...body }),
  });
  (event.requestContext as unknown as Record<string, unknown>).authorizer = {
    iam: { accessKey: 'ASIAEXAMPLE', accountId: ACCOUNT, callerId: 'AROAEXAMPLE:session', principalOrgId: null, userArn, userId: 'AROAEXAMPLE:session' },
  };
  const result = await settlement(event, lambdaContext('settlement', 10_000));
  return { status: result.statusCode, body: JSON.parse(result.body ?? '{}') as Record<string, any> };
}

describe('IAM callers act for the merchant their role is registered for', () => {
  it('any session of a registered role settles for its merchant', async () => {
    for (const session of ['deploy-1', 'i-0abc']) {
      const settled = await settleAs(`arn:aws:sts::${ACCOUNT}:assumed-role/shop-backend/${session}`);
      expect(settled.status).toBe(201);
      expect(decodeJwt(settled.body.paymentResponse)).toMatchObject({ merchantId: 'm_iam', livemode: false });
    }
  });

  it('a role registered with its path matches its sessions, whose ARNs carry no path', async () => {
    const settled = await settleAs(`arn:aws:sts::${ACCOUNT}:assumed-role/team-b-backend/worker`);
    expect(decodeJwt(settled.body.paymentResponse).merchantId).toBe('m_iam_path');
  });

  it('another role of the same account, or the same role name in another account, acts for nobody', async () => {
    for (const arn of [`arn:aws:sts::${ACCOUNT}:assumed-role/ci-deployer/run`, `arn:aws:sts::999999999999:assumed-role/shop-backend/x`, `arn:aws:iam::${ACCOUNT}:root`]) {
      const refused = await settleAs(arn);
      expect(refused.status, arn).toBe(403);
      expect(refused.body.type).toBe('/problems/unknown-caller');
    }
  });

  it('a registered role naming another merchant in the body is refused', async () => {
    const refused = await settleAs(`arn:aws:sts::${ACCOUNT}:assumed-role/shop-backend/s`, { merchantId: 'm_123' });
    expect(refused.status).toBe(403);
    expect(refused.body.type).toBe('/problems/merchant-mismatch');
  });

  it('an event with no authorizer context acts for nobody', async () => {
    const event = httpApiEvent('POST /v1/settlements', {
      headers: { 'content-type': 'application/json', 'idempotency-key': 'no-authorizer' },
      body: JSON.stringify({ orderId: 'o_1', amount: { value: 1, currency: 'JPY' }, paymentMethod: { type: 'card', token: 'tok_success' } }),
    });
    const result = await settlement(event, lambdaContext('settlement', 10_000));
    expect(result.statusCode).toBe(403);
    expect(JSON.parse(result.body!).detail).toMatch(/no caller identity/);
  });
});
