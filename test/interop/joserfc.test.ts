import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from '../../local/local-stack.js';
import { bearer, postSettlement, SETTLEMENT_EXAMPLE, startTestStack, type TestStack } from '../support/test-stack.js';

// joserfc (Python) is on CI machines: an implementation that shares no code with ours or jose's.
const joserfcAvailable = spawnSync('python3', ['-c', 'import joserfc'], { stdio: 'ignore' }).status === 0;
if (!joserfcAvailable && process.env.CI === 'true') throw new Error('CI=true but python3 with joserfc is missing');
if (!joserfcAvailable) console.warn('joserfc not found: skipping the joserfc interop test');

type Verdict = { ok: true; header: Record<string, unknown>; payload: Record<string, unknown> } | { ok: false; error: string };

function verifyWithJoserfc(jwks: unknown, tokens: string[]): Verdict[] {
  const output = execFileSync('python3', [join(REPOSITORY_ROOT, 'test/interop/verify_with_joserfc.py')], {
    input: JSON.stringify({ jwks, tokens }),
  });
  return output.toString().trim().split('\n').map((line) => JSON.parse(line) as Verdict);
}

describe.runIf(joserfcAvailable)('an independent JOSE implementation (joserfc)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => stack?.stop());

  const keysAt = async (path: string) => (await fetch(`${stack.url}${path}`)).json();

  it('verifies payment responses against the served JWKS, and refuses a tampered one', async () => {
    const settled = await postSettlement(stack.url, SETTLEMENT_EXAMPLE, 'joserfc-interop', bearer(stack.devTokens.m_123!));
    const token: string = settled.body.paymentResponse;
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), amount: { value: 1, currency: 'USD' } })).toString('base64url')}.${signature}`;

    const [genuine, altered] = verifyWithJoserfc(await keysAt('/.well-known/jwks.json'), [token, tampered]);
    expect(genuine).toMatchObject({ ok: true, header: { alg: 'ES256', typ: 'payment-response+jwt' }, payload: { jti: settled.body.paymentId, status: 'SETTLED' } });
    expect(altered).toMatchObject({ ok: false });
  });

  it('verifies signed verdicts against the verdict JWKS only', async () => {
    const settled = await postSettlement(stack.url, SETTLEMENT_EXAMPLE, 'joserfc-verdict', bearer(stack.devTokens.m_123!));
    const nonce = 'joserfc-nonce-0123456789';
    const response = await fetch(`${stack.url}/v1/verifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ paymentResponse: settled.body.paymentResponse, expected: { merchantId: 'm_123', orderId: 'o_456', amount: { value: 1999, currency: 'USD' } }, nonce }),
    });
    const { verdict } = (await response.json()) as { verdict: string };

    const [byVerdictKeys] = verifyWithJoserfc(await keysAt('/.well-known/verdict-jwks.json'), [verdict]);
    expect(byVerdictKeys).toMatchObject({ ok: true, header: { typ: 'verification-result+jwt' }, payload: { nonce, paymentCompleted: true } });
    const [byPaymentKeys] = verifyWithJoserfc(await keysAt('/.well-known/jwks.json'), [verdict]);
    expect(byPaymentKeys).toMatchObject({ ok: false });
  });
});
