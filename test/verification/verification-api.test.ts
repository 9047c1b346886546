import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentResponseClaims } from '../../shared/domain/settlement/payment-response.js';
import { VERIFICATION_RESULT_TYP } from '../../shared/domain/verification/result.js';
import { CHECKED, EXPECTED, paymentClaims, startVerificationStack, type VerificationStack } from './verification-stack.js';
import { kidOfKeyArn } from '../../shared/adapters/kms-key-id.js';

let stack: VerificationStack;
beforeAll(async () => {
  stack = await startVerificationStack();
});
afterAll(async () => {
  await stack?.close();
});

const NONCE = 'n0nce-4f1c2b9e-7d3a';
const signed = (claims: PaymentResponseClaims, keyArn = stack.keyArns.current) => stack.signWith(keyArn, claims);

/** A completed ledger record, as settlement leaves it. */
async function storeInLedger(claims: PaymentResponseClaims, changes: Partial<{ amount: PaymentResponseClaims['amount']; status: PaymentResponseClaims['status'] }> = {}) {
  await stack.ledger.begin({
    lockToken: 'settlement',
    lockExpiresAt: Date.now() + 10_000,
    livemode: claims.livemode,
    paymentId: claims.jti,
    merchantId: claims.merchantId,
    orderId: claims.orderId,
    amount: claims.amount,
    requestFingerprint: 'fingerprint',
    createdAt: new Date(claims.iat * 1000).toISOString(),
    ...changes,
  });
  await stack.ledger.complete(claims.jti, 'settlement', { status: changes.status ?? claims.status, paymentResponse: 'stored response', signedBy: 'some-kid' });
}

describe('POST /v1/verifications answers every token with a verification result', () => {
  it('OK: a settled response signed by the current key, matching every expected field, completed the payment', async () => {
    const claims = paymentClaims();
    const reply = await stack.verify({
      paymentResponse: await signed(claims),
      expected: { merchantId: 'm_123', orderId: 'o_456', amount: { value: 1999, currency: 'USD' } },
    });
    expect(reply.statusCode).toBe(200);
    expect(reply.headers['cache-control']).toBe('no-store');
    expect(reply.body).toEqual({
      verified: true,
      paymentCompleted: true,
      reason: 'OK',
      retryable: false,
      expected: EXPECTED,
      checkLedger: false,
      livemode: false,
      payment: {
        paymentId: claims.jti,
        merchantId: 'm_123',
        orderId: 'o_456',
        amount: { value: 1999, currency: 'USD' },
        status: 'SETTLED',
        livemode: false,
        iat: claims.iat,
      },
    });
  });

  it('MALFORMED: something that is not a compact JWS of three canonical base64url parts', async () => {
    const valid = await signed(paymentClaims());
    for (const token of ['', 'garbage', valid.split('.').slice(0, 2).join('.'), `${valid}.`, `${valid}=`, ` ${valid}`]) {
      const reply = await stack.verify({ paymentResponse: token });
      expect(reply.statusCode).toBe(200);
      expect(reply.body).toEqual({ verified: false, paymentCompleted: false, reason: 'MALFORMED', retryable: false, ...CHECKED });
    }
  });

  it('UNSUPPORTED_ALGORITHM: a header alg other than exactly ES256, even over a valid ES256 signature', async () => {
    const claims = JSON.stringify(paymentClaims());
    const header = (alg: string) => JSON.stringify({ alg, kid: kidOfKeyArn(stack.keyArns.current), typ: 'payment-response+jwt' });
    for (const alg of ['none', 'ES384', 'HS256', 'es256']) {
      const reply = await stack.verify({ paymentResponse: await stack.signRawWith(stack.keyArns.current, header(alg), claims) });
      expect(reply.body).toMatchObject({ verified: false, reason: 'UNSUPPORTED_ALGORITHM', retryable: false });
    }
  });

  it('WRONG_TYPE: a token of another kind, such as a verdict, or with a typ that is not payment-response+jwt', async () => {
    const verdict = (await stack.verify({ paymentResponse: await signed(paymentClaims()), nonce: NONCE })).body.verdict as string;
    const other = await stack.signWith(stack.keyArns.current, paymentClaims(), 'JWT');
    for (const token of [verdict, other]) {
      expect((await stack.verify({ paymentResponse: token })).body).toMatchObject({ verified: false, reason: 'WRONG_TYPE' });
    }
  });

  it('UNKNOWN_KEY: a kid outside the trust set, such as a key retired by rotation', async () => {
    const reply = await stack.verify({ paymentResponse: await signed(paymentClaims(), stack.keyArns.retired) });
    expect(reply.body).toEqual({ verified: false, paymentCompleted: false, reason: 'UNKNOWN_KEY', retryable: false, ...CHECKED });
  });

  it('BAD_SIGNATURE: claims changed after signing', async () => {
    const [header, , signature] = (await signed(paymentClaims())).split('.');
    const richer = Buffer.from(JSON.stringify(paymentClaims({ amount: { value: 199_900, currency: 'USD' } }))).toString('base64url');
    const reply = await stack.verify({ paymentResponse: `${header}.${richer}.${signature}` });
    expect(reply.body).toEqual({ verified: false, paymentCompleted: false, reason: 'BAD_SIGNATURE', retryable: false, ...CHECKED });
  });

  it('INVALID_CLAIMS: our signature over claims that break the schema, name another issuer or come from the future', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: Record<string, unknown>[] = [
      paymentClaims({ iss: 'https://other-issuer.example' }),
      paymentClaims({ iat: now + 120 }),
      { ...paymentClaims(), amount: { value: 19.99, currency: 'USD' } },
      { ...paymentClaims(), status: 'PENDING' },
      { ...paymentClaims(), extra: true },
    ];
    for (const claims of cases) {
      const reply = await stack.verify({ paymentResponse: await stack.signWith(stack.keyArns.current, claims) });
      expect(reply.body).toEqual({ verified: false, paymentCompleted: false, reason: 'INVALID_CLAIMS', retryable: false, ...CHECKED });
    }
  });

  it('accepts an iat up to 60 seconds ahead of our clock', async () => {
    const claims = paymentClaims({ iat: Math.floor(Date.now() / 1000) + 55 });
    expect((await stack.verify({ paymentResponse: await signed(claims) })).body).toMatchObject({ verified: true, reason: 'OK' });
  });

  it('NOT_SETTLED: a declined response verifies but did not complete the payment', async () => {
    const claims = paymentClaims({ status: 'DECLINED' });
    const reply = await stack.verify({ paymentResponse: await signed(claims), expected: EXPECTED });
    expect(reply.body).toMatchObject({ verified: true, paymentCompleted: false, reason: 'NOT_SETTLED', retryable: false });
    expect(reply.body.payment).toMatchObject({ paymentId: claims.jti, status: 'DECLINED' });
  });

  it('MISMATCH_MERCHANT, MISMATCH_ORDER, MISMATCH_AMOUNT: a verified response for another payment', async () => {
    const token = await signed(paymentClaims());
    const cases: [Record<string, unknown>, string][] = [
      [{ merchantId: 'm_999' }, 'MISMATCH_MERCHANT'],
      [{ orderId: 'o_999' }, 'MISMATCH_ORDER'],
      [{ amount: { value: 2000, currency: 'USD' } }, 'MISMATCH_AMOUNT'],
      [{ amount: { value: 1999, currency: 'EUR' } }, 'MISMATCH_AMOUNT'],
    ];
    for (const [mismatch, reason] of cases) {
      const reply = await stack.verify({ paymentResponse: token, expected: { ...EXPECTED, ...mismatch } });
      expect(reply.body).toMatchObject({ verified: true, paymentCompleted: false, reason, retryable: false });
    }
  });

  it('names the first failed check in a fixed precedence: merchant, order, amount, then status', async () => {
    const declined = await signed(paymentClaims({ status: 'DECLINED' }));
    const everythingWrong = { merchantId: 'm_9', orderId: 'o_9', amount: { value: 1, currency: 'EUR' } };
    const precedence: [Record<string, unknown>, string][] = [
      [everythingWrong, 'MISMATCH_MERCHANT'],
      [{ ...everythingWrong, merchantId: 'm_123' }, 'MISMATCH_ORDER'],
      [{ ...everythingWrong, merchantId: 'm_123', orderId: 'o_456' }, 'MISMATCH_AMOUNT'],
      [{ merchantId: 'm_123', orderId: 'o_456', amount: { value: 1999, currency: 'USD' } }, 'NOT_SETTLED'],
    ];
    for (const [expected, reason] of precedence) {
      expect((await stack.verify({ paymentResponse: declined, expected })).body.reason).toBe(reason);
    }
  });

  it('leaves out payment when the token did not verify', async () => {
    const reply = await stack.verify({ paymentResponse: await signed(paymentClaims(), stack.keyArns.retired) });
    expect(reply.body).not.toHaveProperty('payment');
  });
});

describe('key rotation', () => {
  it('still verifies a response signed by the previous key', async () => {
    const reply = await stack.verify({ paymentResponse: await signed(paymentClaims(), stack.keyArns.previous) });
    expect(reply.body).toMatchObject({ verified: true, paymentCompleted: true, reason: 'OK' });
  });

  it('no longer trusts a retired key, and the payment JWKS lists exactly the trusted keys', async () => {
    expect((await stack.verify({ paymentResponse: await signed(paymentClaims(), stack.keyArns.retired) })).body.reason).toBe(
      'UNKNOWN_KEY',
    );
    const { keys } = (await stack.jwks('/.well-known/jwks.json')).body as unknown as JSONWebKeySet;
    expect(keys.map((key) => key.kid)).toEqual([kidOfKeyArn(stack.keyArns.current), kidOfKeyArn(stack.keyArns.previous)]);
  });
});

describe('signed verdicts', () => {
  it('come with a nonce only, verify against the verdict JWKS with a standard JOSE library, and bind the result', async () => {
    const claims = paymentClaims();
    const token = await signed(claims);
    expect((await stack.verify({ paymentResponse: token })).body).not.toHaveProperty('verdict');

    const reply = await stack.verify({ paymentResponse: token, nonce: NONCE, expected: EXPECTED });
    const verdictJwks = createLocalJWKSet((await stack.jwks('/.well-known/verdict-jwks.json')).body as unknown as JSONWebKeySet);
    const { payload, protectedHeader } = await jwtVerify(reply.body.verdict as string, verdictJwks, {
      algorithms: ['ES256'],
      typ: VERIFICATION_RESULT_TYP,
    });
    expect(protectedHeader).toEqual({ alg: 'ES256', kid: kidOfKeyArn(stack.keyArns.verdict), typ: 'verification-result+jwt' });
    const { verdict: _verdict, ...result } = reply.body;
    expect(payload).toEqual({
      nonce: NONCE,
      iat: expect.any(Number),
      verified: true,
      paymentCompleted: true,
      reason: 'OK',
      expected: EXPECTED,
      checkLedger: false,
      livemode: false,
      paymentId: claims.jti,
      payment: result.payment,
    });
  });

  it('are signed for failed verifications too, so a device cannot turn a failure into a success', async () => {
    const reply = await stack.verify({ paymentResponse: 'garbage', nonce: NONCE });
    const verdictJwks = createLocalJWKSet((await stack.jwks('/.well-known/verdict-jwks.json')).body as unknown as JSONWebKeySet);
    const { payload } = await jwtVerify(reply.body.verdict as string, verdictJwks, { algorithms: ['ES256'] });
    expect(payload).toMatchObject({ nonce: NONCE, verified: false, paymentCompleted: false, reason: 'MALFORMED' });
    expect(payload).not.toHaveProperty('paymentId');
  });

  it('do not verify against the payment JWKS, and the verdict key is never trusted for payment responses', async () => {
    const reply = await stack.verify({ paymentResponse: await signed(paymentClaims()), nonce: NONCE });
    const paymentJwks = createLocalJWKSet((await stack.jwks('/.well-known/jwks.json')).body as unknown as JSONWebKeySet);
    await expect(jwtVerify(reply.body.verdict as string, paymentJwks, { algorithms: ['ES256'] })).rejects.toThrow();

    const byVerdictKey = await signed(paymentClaims(), stack.keyArns.verdict);
    expect((await stack.verify({ paymentResponse: byVerdictKey })).body).toMatchObject({ verified: false, reason: 'UNKNOWN_KEY' });
  });
});

describe('checkLedger', () => {
  it('OK when the ledger holds the payment with the same facts', async () => {
    const claims = paymentClaims();
    await storeInLedger(claims);
    const reply = await stack.verify({ paymentResponse: await signed(claims), checkLedger: true, nonce: NONCE });
    expect(reply.body).toMatchObject({ verified: true, paymentCompleted: true, reason: 'OK' });
  });

  it('NOT_IN_LEDGER when the record is missing, or its amount or status differ from the signed claims', async () => {
    const missing = paymentClaims();
    const otherAmount = paymentClaims();
    await storeInLedger(otherAmount, { amount: { value: 1, currency: 'USD' } });
    const otherStatus = paymentClaims();
    await storeInLedger(otherStatus, { status: 'DECLINED' });
    for (const claims of [missing, otherAmount, otherStatus]) {
      const reply = await stack.verify({ paymentResponse: await signed(claims), checkLedger: true });
      expect(reply.body).toMatchObject({ verified: true, paymentCompleted: false, reason: 'NOT_IN_LEDGER', retryable: false });
    }
  });

  it('is not consulted without checkLedger', async () => {
    const reply = await stack.verify({ paymentResponse: await signed(paymentClaims()) });
    expect(reply.body).toMatchObject({ paymentCompleted: true, reason: 'OK' });
  });
});

describe('requests that are not verification requests', () => {
  const problem = (reply: { statusCode: number; headers: Record<string, string>; body: Record<string, unknown> }) => ({
    status: reply.statusCode,
    contentType: reply.headers['content-type'],
    type: reply.body.type,
  });

  it.each([
    ['a body that is not JSON', '{"paymentResponse":', '/problems/malformed-body'],
    ['no paymentResponse', {}, '/problems/validation-failed'],
    ['a paymentResponse that is not a string', { paymentResponse: 42 }, '/problems/validation-failed'],
    ['a malformed expected merchant', { paymentResponse: 'x', expected: { ...EXPECTED, merchantId: 'm 1' } }, '/problems/validation-failed'],
    ['an expected amount in a float', { paymentResponse: 'x', expected: { ...EXPECTED, amount: { value: 19.99, currency: 'USD' } } }, '/problems/validation-failed'],
    ['an unknown expected field', { paymentResponse: 'x', expected: { ...EXPECTED, status: 'SETTLED' } }, '/problems/validation-failed'],
    ['a nonce under 16 characters', { paymentResponse: 'x', nonce: 'short' }, '/problems/validation-failed'],
    ['a nonce over 128 characters', { paymentResponse: 'x', nonce: 'n'.repeat(129) }, '/problems/validation-failed'],
    ['a nonce with a space', { paymentResponse: 'x', nonce: 'sixteen chars ok' }, '/problems/validation-failed'],
    ['a checkLedger that is not a boolean', { paymentResponse: 'x', checkLedger: 'yes' }, '/problems/validation-failed'],
  ])('answers %s with 400 problem+json', async (_what, body, type) => {
    expect(problem(await stack.verify(body))).toEqual({ status: 400, contentType: 'application/problem+json', type });
  });

  it.each([
    ['expected', { paymentResponse: 'x', expected: undefined }, 'expected'],
    ['expected.merchantId', { paymentResponse: 'x', expected: { orderId: 'o_456', amount: EXPECTED.amount } }, 'expected.merchantId'],
    ['expected.orderId', { paymentResponse: 'x', expected: { merchantId: 'm_123', amount: EXPECTED.amount } }, 'expected.orderId'],
    ['expected.amount', { paymentResponse: 'x', expected: { merchantId: 'm_123', orderId: 'o_456' } }, 'expected.amount'],
  ])('refuses a request without %s with 400 naming it: a payment is confirmed only for its merchant, order and amount', async (_what, body, path) => {
    const reply = await stack.verify(body);
    expect(problem(reply)).toEqual({ status: 400, contentType: 'application/problem+json', type: '/problems/validation-failed' });
    expect(reply.body.errors).toEqual([{ path, message: expect.any(String) }]);
    expect(reply.body.detail).toContain(path);
  });

  it('answers a body over 16 KiB with 413', async () => {
    const reply = await stack.verify({ paymentResponse: 'a'.repeat(16 * 1024) });
    expect(problem(reply)).toEqual({ status: 413, contentType: 'application/problem+json', type: '/problems/payload-too-large' });
  });
});

