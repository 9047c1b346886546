import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKED, paymentClaims, startVerificationStack, unreachableUrl, type VerificationStack } from './verification-stack.js';

const NONCE = 'n0nce-4f1c2b9e-7d3a';

describe('when KMS is unreachable from the function', () => {
  let stack: VerificationStack;
  beforeAll(async () => {
    stack = await startVerificationStack({ handlerEndpoints: { kms: await unreachableUrl() } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('a verification is KEYS_UNAVAILABLE, retryable, still a 200 result', async () => {
    const reply = await stack.verify({ paymentResponse: await stack.signWith(stack.keyArns.current, paymentClaims()) });
    expect(reply.statusCode).toBe(200);
    expect(reply.body).toEqual({ verified: false, paymentCompleted: false, reason: 'KEYS_UNAVAILABLE', retryable: true, ...CHECKED });
  });

  it('a bad token is still refused for what it is, without KMS', async () => {
    expect((await stack.verify({ paymentResponse: 'garbage' })).body).toMatchObject({ reason: 'MALFORMED', retryable: false });
    const retired = await stack.signWith(stack.keyArns.retired, paymentClaims());
    expect((await stack.verify({ paymentResponse: retired })).body).toMatchObject({ reason: 'UNKNOWN_KEY', retryable: false });
  });

  it('a request with a nonce is a 503 problem: no verdict can be signed', async () => {
    const reply = await stack.verify({ paymentResponse: 'garbage', nonce: NONCE });
    expect(reply.statusCode).toBe(503);
    expect(reply.headers['content-type']).toBe('application/problem+json');
    expect(reply.body).toMatchObject({ type: '/problems/verdict-unavailable', status: 503 });
    expect(JSON.stringify(reply.body)).not.toMatch(/arn:aws|127\.0\.0\.1|ECONNREFUSED/);
  });
});

describe('when the ledger is unreachable from the function', () => {
  let stack: VerificationStack;
  beforeAll(async () => {
    stack = await startVerificationStack({ handlerEndpoints: { dynamodb: await unreachableUrl() } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('checkLedger is a 503 problem, never a completed payment', async () => {
    const token = await stack.signWith(stack.keyArns.current, paymentClaims());
    const reply = await stack.verify({ paymentResponse: token, checkLedger: true });
    expect(reply.statusCode).toBe(503);
    expect(reply.body).toMatchObject({ type: '/problems/ledger-unavailable', status: 503 });
    expect(reply.body).not.toHaveProperty('paymentCompleted');
  });

  it('without checkLedger the ledger is not needed', async () => {
    const token = await stack.signWith(stack.keyArns.current, paymentClaims());
    expect((await stack.verify({ paymentResponse: token })).body).toMatchObject({ paymentCompleted: true, reason: 'OK' });
  });

  it('the ledger is not read when the answer is already no', async () => {
    const token = await stack.signWith(stack.keyArns.current, paymentClaims({ status: 'DECLINED' }));
    const reply = await stack.verify({ paymentResponse: token, checkLedger: true });
    expect(reply.statusCode).toBe(200);
    expect(reply.body).toMatchObject({ verified: true, paymentCompleted: false, reason: 'NOT_SETTLED' });
  });
});
