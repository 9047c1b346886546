import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_JWT_ISSUER } from '../../local/jwt-issuer.js';
import { localCallerId } from '../../local/seed-merchants.js';
import { bearer, postSettlement, SETTLEMENT_EXAMPLE, startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const UNAUTHORIZED = { status: 401, text: '{"message":"Unauthorized"}' };

describe('the local stack guards POST /v1/settlements as the deployed JWT authorizer does', () => {
  it('refuses callers without a token, or with one the authorizer must not accept', async () => {
    expect(await postSettlement(stack.url, SETTLEMENT_EXAMPLE, 'no-token')).toMatchObject(UNAUTHORIZED);
    const refused = [
      await stack.issueToken('m_123', { expiresInSeconds: -60 }),
      await stack.issueToken('m_123', { audience: 'another-api' }),
      await stack.issueToken('m_123', { issuer: 'https://attacker.example' }),
    ];
    for (const token of refused) expect(await postSettlement(stack.url, SETTLEMENT_EXAMPLE, 'bad-token', bearer(token))).toMatchObject(UNAUTHORIZED);
  });

  it('lets the seed merchants and any merchant registered by a test through to the function', async () => {
    expect((await postSettlement(stack.url, SETTLEMENT_EXAMPLE, 'seed-token', bearer(stack.devTokens.m_123!))).status).not.toBe(401);

    await stack.merchants.add({ merchantId: 'm_attacker', mode: 'test', status: 'active', callers: [localCallerId('m_attacker')] });
    expect(await stack.merchants.merchantForCaller(`jwt:${LOCAL_JWT_ISSUER}|m_attacker`)).toMatchObject({ merchantId: 'm_attacker' });
    const attacker = await stack.issueToken('m_attacker');
    expect((await postSettlement(stack.url, SETTLEMENT_EXAMPLE, 'attacker-token', bearer(attacker))).status).not.toBe(401);
  });

  it('hands out the dev tokens it wrote to the data directory', () => {
    expect(JSON.parse(readFileSync(join(stack.dataDir, 'dev-tokens.json'), 'utf8'))).toEqual(stack.devTokens);
    expect(Object.keys(stack.devTokens).sort()).toEqual(['m_123', 'm_demo']);
  });

  it('gives the functions the environment the merchant-aware settlement reads', () => {
    expect(process.env).toMatchObject({
      PAYMENT_PROCESSOR: 'sandbox',
      CALLER_JWT_CLAIM: 'sub',
      MERCHANT_TABLE_NAME: 'merchants',
      MERCHANT_CACHE_TTL_SECONDS: expect.stringMatching(/^\d+$/),
    });
  });
});
