// The committed known-answer vectors (payment-responses.json) through the verification use case,
// and the good ones through jose as well: fixed key, fixed token, fixed answer, every run.
import { createPublicKey } from 'node:crypto';
import { compactVerify, errors, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { isLowS } from '../../shared/adapters/ecdsa-low-s.js';
import { NodeEs256Key } from '../../shared/adapters/node-es256-key.js';
import type { TrustedKeys } from '../../shared/domain/verification/trusted-keys.js';
import { verifyPayment, type VerifyPaymentDeps } from '../../shared/use-cases/verify-payment.js';
import { readPaymentResponseVectors, TEST_KEYS_NOTICE } from './vectors.js';

const file = readPaymentResponseVectors();
const { payment } = file.keys;
const vector = (name: string) => file.vectors.find((each) => each.name === name)!;
const valid = file.vectors.filter((each) => each.verified);

// The trust set is the vector key alone; no ledger and no verdict signer are ever reached.
const keys: TrustedKeys = {
  keyFor: async (kid) =>
    kid === payment.kid ? { status: 'trusted', key: new NodeEs256Key(createPublicKey({ key: payment.publicJwk as never, format: 'jwk' })) } : { status: 'unknown' },
};
const deps: VerifyPaymentDeps = {
  keys,
  ledger: { get: async () => Promise.reject(new Error('a vector without checkLedger read the ledger')) },
  verdictSigner: { sign: async () => Promise.reject(new Error('a vector without a nonce asked for a verdict')) },
  issuer: file.issuer,
  // Fixed 30 s after the vectors' iat (which may be at most 60 s ahead): the answers do not depend on the date.
  now: () => new Date(file.clock),
};

describe('payment response known-answer vectors', () => {
  it('say they hold test keys, and cover every case they were made for', () => {
    expect(file.notice).toBe(TEST_KEYS_NOTICE);
    expect(file.vectors.map((each) => [each.name, each.reason])).toEqual([
      ['settled', 'OK'],
      ['declined', 'NOT_SETTLED'],
      ['high-s-twin', 'BAD_SIGNATURE'],
      ['declined-altered-to-settled', 'BAD_SIGNATURE'],
      ['wrong-typ', 'WRONG_TYPE'],
      ['alg-none-unsigned', 'MALFORMED'],
      ['alg-none-with-signature', 'UNSUPPORTED_ALGORITHM'],
      ['other-key-our-kid', 'BAD_SIGNATURE'],
      ['unknown-kid', 'UNKNOWN_KEY'],
    ]);
  });

  it.each(file.vectors.map((each) => [each.name, each] as const))('%s: verifyPayment answers exactly the expected result', async (_name, each) => {
    const result = await verifyPayment(deps, { paymentResponse: each.token, expected: each.expected, checkLedger: false });
    const checked = { expected: each.expected, checkLedger: false };
    if (!each.verified) {
      expect(result).toEqual({ verified: false, paymentCompleted: false, reason: each.reason, retryable: false, ...checked });
      return;
    }
    const { jti, merchantId, orderId, amount, status, livemode, iat } = each.signedClaims as Record<string, any>;
    expect(result).toEqual({
      verified: true,
      paymentCompleted: each.paymentCompleted,
      reason: each.reason,
      retryable: false,
      ...checked,
      livemode,
      payment: { paymentId: jti, merchantId, orderId, amount, status, livemode, iat },
    });
  });

  it.each(valid.map((each) => [each.name, each] as const))('%s: jose verifies it with the vector JWK, header and claims as settlement signs them', async (_name, each) => {
    const { payload, protectedHeader } = await compactVerify(each.token, await importJWK(payment.publicJwk, 'ES256'), { algorithms: ['ES256'] });
    const [headerPart] = each.token.split('.') as [string];
    // The member order is part of the format: the header part is byte for byte this JSON.
    expect(Buffer.from(headerPart, 'base64url').toString()).toBe(JSON.stringify({ alg: 'ES256', kid: payment.kid, typ: 'payment-response+jwt' }));
    expect(protectedHeader).toEqual({ alg: 'ES256', kid: payment.kid, typ: 'payment-response+jwt' });
    expect(new TextDecoder().decode(payload)).toBe(JSON.stringify(each.signedClaims));
    expect(isLowS(Buffer.from(each.token.split('.')[2]!, 'base64url'))).toBe(true);
  });

  it('jose accepts the high-S twin, which only our low-S rule refuses: why the rule checks it itself', async () => {
    const twin = vector('high-s-twin').token;
    expect(isLowS(Buffer.from(twin.split('.')[2]!, 'base64url'))).toBe(false);
    await expect(compactVerify(twin, await importJWK(payment.publicJwk, 'ES256'), { algorithms: ['ES256'] })).resolves.toBeDefined();
  });

  it.each(['declined-altered-to-settled', 'other-key-our-kid'])('%s: jose refuses its signature too', async (name) => {
    await expect(compactVerify(vector(name).token, await importJWK(payment.publicJwk, 'ES256'), { algorithms: ['ES256'] })).rejects.toBeInstanceOf(
      errors.JWSSignatureVerificationFailed,
    );
  });
});
