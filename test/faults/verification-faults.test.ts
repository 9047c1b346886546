// Verification and the key sets with KMS or DynamoDB refusing or hanging, through fault proxies.
// The file's order matters: the first tests meet a cold container (no key loaded yet). Its functions
// run without the deployed public keys, so they load every key from KMS (a configuration that lacks
// them, or a rotation it does not show yet); with them, see deployed-keys-faults.test.ts.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Fault } from '../../local/fault-proxy.js';
import { KEY_RELOAD_BACKOFF } from '../../shared/adapters/kms-key-set.js';
import { bearer, postSettlement } from '../support/test-stack.js';
import { until } from '../support/until.js';
import { FUNCTION_TIMEOUT_MS, type FaultStack, startFaultStack, timed } from './fault-stack.js';

let stack: FaultStack;
let paymentResponse: string;
const EXPECTED = { merchantId: 'm_123', orderId: 'o_verify', amount: { value: 1999, currency: 'USD' } };

beforeAll(async () => {
  stack = await startFaultStack({ deployPublicKeys: false });
  const settled = await postSettlement(stack.url, { ...EXPECTED, merchantId: undefined, paymentMethod: { type: 'card', token: 'tok_success' } }, 'verify-faults', bearer(stack.devTokens.m_123!));
  paymentResponse = settled.body.paymentResponse;
});
afterEach(async () => {
  await stack.kmsProxy.set('pass');
  await stack.dynamodbProxy.set('pass');
});
afterAll(async () => stack?.stop());

async function verify(extra: Record<string, unknown> = {}) {
  return timed(async () => {
    const response = await fetch(`${stack.url}/v1/verifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ paymentResponse, expected: EXPECTED, ...extra }),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
  });
}

const get = (path: string) =>
  timed(async () => {
    const response = await fetch(`${stack.url}${path}`);
    return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
  });

describe('a cold container with KMS down', () => {
  // When the verification container last failed to load its keys: it asks KMS again only once
  // the reload backoff (its first step, after one failure in a row) has run out.
  let failedLoadAnsweredAt: number | undefined;

  it.each<Fault>(['hang', 'refuse'])('KMS %s: KEYS_UNAVAILABLE, retryable, answered in time', async (fault) => {
    await stack.kmsProxy.set(fault);
    if (failedLoadAnsweredAt !== undefined) {
      // Past the previous attempt's backoff, or this request would not meet the fault at all.
      const backoffEnds = failedLoadAnsweredAt + KEY_RELOAD_BACKOFF.firstMs;
      await until(() => (Date.now() > backoffEnds ? true : undefined), { everyMs: 20, what: 'the end of the key reload backoff' });
    }
    const { result, ms } = await verify();
    failedLoadAnsweredAt = Date.now();
    expect(ms).toBeLessThan(FUNCTION_TIMEOUT_MS);
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ verified: false, reason: 'KEYS_UNAVAILABLE', retryable: true });
  });

  it.each<Fault>(['hang', 'refuse'])('KMS %s: the key sets answer 503 keys-unavailable with Retry-After, in time', async (fault) => {
    await stack.kmsProxy.set(fault);
    for (const path of ['/.well-known/jwks.json', '/.well-known/verdict-jwks.json']) {
      const { result, ms } = await get(path);
      expect(ms).toBeLessThan(FUNCTION_TIMEOUT_MS);
      expect(result.status).toBe(503);
      expect(result.body).toMatchObject({ type: '/problems/keys-unavailable' });
      expect(result.headers.get('retry-after')).toBe('2');
    }
  });

  it('recovers within seconds of KMS coming back, not a minute: verification and both key sets', async () => {
    await stack.kmsProxy.set('pass');
    const started = Date.now();
    const reason = await until(
      async () => {
        const { reason } = (await verify()).result.body;
        return reason === 'OK' ? reason : undefined;
      },
      { everyMs: 50, what: 'a verification with the keys loaded again' },
    );
    expect(reason).toBe('OK');
    // The jwks container backs off on its own (it failed twice above): it too is back within seconds.
    for (const path of ['/.well-known/jwks.json', '/.well-known/verdict-jwks.json']) {
      await until(async () => ((await get(path)).result.status === 200 ? true : undefined), { everyMs: 50, what: `${path} served again` });
    }
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('a warm container', () => {
  it.each<Fault>(['hang', 'refuse'])('KMS %s: verification without a nonce is unaffected, and the key sets are still served', async (fault) => {
    expect((await get('/.well-known/jwks.json')).result.status).toBe(200);
    await stack.kmsProxy.set(fault);
    const { result } = await verify();
    expect(result.body).toMatchObject({ verified: true, paymentCompleted: true, reason: 'OK' });
    expect((await get('/.well-known/jwks.json')).result.status).toBe(200);
  });

  it.each<Fault>(['hang', 'refuse'])('KMS %s with a nonce: 503 verdict-unavailable in time, never an unsigned answer', async (fault) => {
    await stack.kmsProxy.set(fault);
    const { result, ms } = await verify({ nonce: 'nonce-0123456789abcdef' });
    expect(ms).toBeLessThan(FUNCTION_TIMEOUT_MS);
    expect(result.status).toBe(503);
    expect(result.body).toMatchObject({ type: '/problems/verdict-unavailable' });
    expect(result.headers.get('retry-after')).toBe('2');
  });

  it.each<Fault>(['hang', 'refuse'])('DynamoDB %s with checkLedger: 503 ledger-unavailable in time, nothing decided', async (fault) => {
    await stack.dynamodbProxy.set(fault);
    const { result, ms } = await verify({ checkLedger: true });
    expect(ms).toBeLessThan(FUNCTION_TIMEOUT_MS);
    expect(result.status).toBe(503);
    expect(result.body).toMatchObject({ type: '/problems/ledger-unavailable' });
  });
});
