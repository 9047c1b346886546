import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, postSettlement, SETTLEMENT_EXAMPLE, startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => stack?.stop());

describe('when a dependency of ours fails', () => {
  it('settlement answers a generic 500 problem: no stack trace, no table or key names, nothing signed', async () => {
    const dynamodb = new DynamoDBClient({ endpoint: stack.dynamodbUrl, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    await dynamodb.send(new DeleteTableCommand({ TableName: 'ledger' }));
    dynamodb.destroy();

    const signsBefore = stack.kmsCalls('Sign');
    const response = await postSettlement(stack.url, SETTLEMENT_EXAMPLE, 'key-during-outage', bearer(stack.devTokens.m_123!));
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body).toMatchObject({ type: '/problems/internal', status: 500 });
    expect(response.text).not.toMatch(/ledger|ResourceNotFound|arn:aws|\.ts:\d+/);
    expect(stack.kmsCalls('Sign')).toBe(signsBefore);
  });
});
