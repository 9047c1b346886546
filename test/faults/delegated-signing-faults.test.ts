// Delegated signing with KMS refusing or hanging, through the fault proxy: a container that has
// no delegation yet answers 503 in time (never a 500, never an unsigned answer), and one that has
// a delegation keeps settling whatever KMS does, since it needs KMS once an hour.
import { decodeProtectedHeader } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Fault } from '../../local/fault-proxy.js';
import { bearer, postSettlement } from '../support/test-stack.js';
import { FUNCTION_TIMEOUT_MS, type FaultStack, startFaultStack, timed } from './fault-stack.js';

let stack: FaultStack;
beforeAll(async () => {
  stack = await startFaultStack({ signingMode: 'delegated' });
});
afterEach(async () => {
  await stack.kmsProxy.set('pass');
});
afterAll(async () => {
  await stack?.stop();
  delete process.env.SIGNING_MODE;
});

let keys = 0;
const freshKey = () => `delegated-fault-${Date.now()}-${++keys}`;
const ORDER = { orderId: 'o_fault', amount: { value: 1999, currency: 'USD' }, paymentMethod: { type: 'card', token: 'tok_success' } };
const settle = (key: string) => timed(() => postSettlement(stack.url, ORDER, key, bearer(stack.devTokens.m_123!)));

describe('delegated signing when KMS fails', () => {
  // In this order: the container has no delegation until KMS first answers.
  it.each<Fault>(['refuse', 'hang'])('KMS %s at the first signature: 503 with Retry-After within the deadline, never a 500', async (fault) => {
    await stack.kmsProxy.set(fault);
    const key = freshKey();
    const { result, ms } = await settle(key);
    expect(ms).toBeLessThan(FUNCTION_TIMEOUT_MS + 1_000);
    expect(result.status).toBe(503);
    expect(result.headers.get('content-type')).toBe('application/problem+json');
    expect(result.body.type).toBe('/problems/signing-unavailable');
    expect(result.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('keeps settling with its delegated key while KMS hangs: no KMS call is needed between renewals', async () => {
    await stack.kmsProxy.set('pass');
    // The renewal backoff of the failures above may still run: wait it out with a settle that succeeds.
    let first;
    for (let attempt = 0; attempt < 20; attempt += 1) {
      first = await settle(freshKey());
      if (first.result.status === 201) break;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    expect(first!.result.status).toBe(201);
    const kid = decodeProtectedHeader(first!.result.body.paymentResponse).kid;
    await stack.kmsProxy.set('hang');
    for (let i = 0; i < 5; i += 1) {
      const { result } = await settle(freshKey());
      expect(result.status).toBe(201);
      expect(decodeProtectedHeader(result.body.paymentResponse).kid).toBe(kid);
    }
  });
});
