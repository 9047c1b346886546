// With the public keys the deployment writes into the functions' configuration, KMS refusing or
// hanging does not reach a cold container's signature checks or its key sets at all.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Fault } from '../../local/fault-proxy.js';
import { bearer, postSettlement } from '../support/test-stack.js';
import { FUNCTION_TIMEOUT_MS, type FaultStack, startFaultStack, timed } from './fault-stack.js';

let stack: FaultStack;
let paymentResponse: string;
const EXPECTED = { merchantId: 'm_123', orderId: 'o_deployed_keys', amount: { value: 1999, currency: 'USD' } };

beforeAll(async () => {
  stack = await startFaultStack();
  const settled = await postSettlement(stack.url, { ...EXPECTED, merchantId: undefined, paymentMethod: { type: 'card', token: 'tok_success' } }, 'deployed-keys-faults', bearer(stack.devTokens.m_123!));
  paymentResponse = settled.body.paymentResponse;
});
afterEach(async () => stack.kmsProxy.set('pass'));
afterAll(async () => stack?.stop());

describe('a cold container with the deployed public keys and KMS down', () => {
  it.each<Fault>(['hang', 'refuse'])('KMS %s: verifies the payment and serves both key sets in time, asking KMS nothing', async (fault) => {
    await stack.kmsProxy.set(fault);
    const getPublicKeys = stack.kmsServed('GetPublicKey');
    const verification = await timed(async () => {
      const response = await fetch(`${stack.url}/v1/verifications`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ paymentResponse, expected: EXPECTED }),
      });
      return (await response.json()) as Record<string, unknown>;
    });
    expect(verification.ms).toBeLessThan(FUNCTION_TIMEOUT_MS);
    expect(verification.result).toMatchObject({ verified: true, paymentCompleted: true, reason: 'OK' });
    for (const path of ['/.well-known/jwks.json', '/.well-known/verdict-jwks.json']) {
      const { result, ms } = await timed(() => fetch(`${stack.url}${path}`));
      expect(ms).toBeLessThan(FUNCTION_TIMEOUT_MS);
      expect(result.status).toBe(200);
    }
    expect(stack.kmsServed('GetPublicKey')).toBe(getPublicKeys);
  });
});
