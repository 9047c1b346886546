// The public keys the deployment writes into the functions' configuration (TRUSTED_PAYMENT_PUBLIC_KEYS,
// VERDICT_PUBLIC_KEY): with them a container checks signatures and serves its JWKS without KMS, and a
// trusted key the configuration lacks (a rotation it does not show yet) is still fetched, once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kidOfKeyArn } from '../../shared/adapters/kms-key-id.js';
import { CHECKED, paymentClaims, startVerificationStack, unreachableUrl, type VerificationStack } from './verification-stack.js';

describe('with every public key deployed and KMS unreachable from the functions', () => {
  let stack: VerificationStack;
  beforeAll(async () => {
    stack = await startVerificationStack({
      handlerEndpoints: { kms: await unreachableUrl() },
      deployedPublicKeys: ['current', 'previous', 'verdict'],
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('verifies payment responses signed by the current and the previous key', async () => {
    for (const keyArn of [stack.keyArns.current, stack.keyArns.previous]) {
      const reply = await stack.verify({ paymentResponse: await stack.signWith(keyArn, paymentClaims()) });
      expect(reply.body).toMatchObject({ verified: true, paymentCompleted: true, reason: 'OK', ...CHECKED });
    }
  });

  it('still refuses a key outside the trust set, and a tampered token', async () => {
    const retired = await stack.signWith(stack.keyArns.retired, paymentClaims());
    expect((await stack.verify({ paymentResponse: retired })).body).toMatchObject({ reason: 'UNKNOWN_KEY' });
    const token = await stack.signWith(stack.keyArns.current, paymentClaims());
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const tampered = `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    expect((await stack.verify({ paymentResponse: tampered })).body).toMatchObject({ verified: false, paymentCompleted: false });
  });

  it('serves both JWKS documents', async () => {
    const payment = await stack.jwks('/.well-known/jwks.json');
    expect(payment.statusCode).toBe(200);
    expect((payment.body.keys as { kid: string }[]).map((key) => key.kid)).toEqual(
      [stack.keyArns.current, stack.keyArns.previous].map(kidOfKeyArn),
    );
    const verdict = await stack.jwks('/.well-known/verdict-jwks.json');
    expect((verdict.body.keys as { kid: string }[]).map((key) => key.kid)).toEqual([kidOfKeyArn(stack.keyArns.verdict)]);
  });
});

describe('with only the current key deployed', () => {
  let stack: VerificationStack;
  beforeAll(async () => {
    stack = await startVerificationStack({ deployedPublicKeys: ['current'] });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('verifies with the current key without KMS, and fetches the previous key once, on first use', async () => {
    const before = stack.kmsCalls('GetPublicKey');
    await stack.verify({ paymentResponse: await stack.signWith(stack.keyArns.current, paymentClaims()) });
    expect(stack.kmsCalls('GetPublicKey')).toBe(before);
    for (let i = 0; i < 3; i++) {
      const reply = await stack.verify({ paymentResponse: await stack.signWith(stack.keyArns.previous, paymentClaims()) });
      expect(reply.body).toMatchObject({ verified: true, reason: 'OK' });
    }
    expect(stack.kmsCalls('GetPublicKey')).toBe(before + 1);
  });
});
