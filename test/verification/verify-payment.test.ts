// The use case with its ports played by in-memory stand-ins: real ES256 keys, no AWS.
import { toLowS } from '../../shared/adapters/ecdsa-low-s.js';
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NodeEs256Key } from '../../shared/adapters/node-es256-key.js';
import type { LedgerRecord } from '../../shared/domain/settlement/ledger-record.js';
import type { PaymentResponseClaims } from '../../shared/domain/settlement/payment-response.js';
import type { TrustedKeys } from '../../shared/domain/verification/trusted-keys.js';
import { LedgerUnavailableError, SigningUnavailableError, VerdictUnavailableError } from '../../shared/errors.js';
import { verifyPayment, type VerifyPaymentDeps } from '../../shared/use-cases/verify-payment.js';

const KID = 'a1b2c3d4-0000-4000-8000-000000000001';
const NOW = new Date('2026-11-30T12:00:00Z');
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

const claims = (overrides: Partial<PaymentResponseClaims> = {}): PaymentResponseClaims => ({
  iss: 'issuer',
  jti: 'pay_VXNlQ2FzZVRlc3RQYXltZW50SWQwMDAwMDAwMDAwMDA',
  iat: NOW.getTime() / 1000,
  merchantId: 'm_123',
  orderId: 'o_456',
  amount: { value: 500, currency: 'JPY' },
  status: 'SETTLED',
  livemode: false,
  ...overrides,
});

function token(payload: PaymentResponseClaims = claims()): string {
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${b64({ alg: 'ES256', kid: KID, typ: 'payment-response+jwt' })}.${b64(payload)}`;
  return `${input}.${Buffer.from(toLowS(sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }))).toString('base64url')}`;
}

function deps(overrides: Partial<VerifyPaymentDeps> = {}) {
  const ledgerReads: string[] = [];
  const signed: { typ: string; claims: Record<string, unknown> }[] = [];
  const keys: TrustedKeys = {
    keyFor: async (kid) => (kid === KID ? { status: 'trusted', key: new NodeEs256Key(publicKey) } : { status: 'unknown' }),
  };
  const record = (c: PaymentResponseClaims): LedgerRecord => ({
    paymentId: c.jti, merchantId: c.merchantId, orderId: c.orderId, amount: c.amount, status: c.status,
    requestFingerprint: 'f', paymentResponse: 'r', createdAt: NOW.toISOString(),
  });
  const value: VerifyPaymentDeps = {
    keys,
    ledger: { get: async (paymentId) => (ledgerReads.push(paymentId), record(claims())) },
    verdictSigner: { sign: async (typ, c) => (signed.push({ typ, claims: c }), 'verdict.jws.value') },
    issuer: 'issuer',
    now: () => NOW,
    ...overrides,
  };
  return { value, ledgerReads, signed };
}

const EXPECTED = { merchantId: 'm_123', orderId: 'o_456', amount: { value: 500, currency: 'JPY' } };

describe('verifyPayment', () => {
  it('reads the ledger only under checkLedger, and only when nothing else has said no', async () => {
    const { value, ledgerReads } = deps();
    const ask = (paymentResponse: string, checkLedger: boolean, expected = {}) =>
      verifyPayment(value, { paymentResponse, checkLedger, expected: { ...EXPECTED, ...expected } });
    expect((await ask(token(), false)).reason).toBe('OK');
    expect((await ask(token(claims({ status: 'DECLINED' })), true)).reason).toBe('NOT_SETTLED');
    expect((await ask(token(), true, { orderId: 'o_1' })).reason).toBe('MISMATCH_ORDER');
    expect((await ask('garbage', true)).reason).toBe('MALFORMED');
    expect(ledgerReads).toEqual([]);
    expect((await ask(token(), true)).reason).toBe('OK');
    expect(ledgerReads).toEqual([claims().jti]);
  });

  it('turns an unreachable ledger into its 503, never into a result; any other ledger failure stays ours (500)', async () => {
    // What the DynamoDB adapter throws when the ledger cannot be reached.
    const unreachable = deps({ ledger: { get: async () => Promise.reject(new LedgerUnavailableError(new Error('ECONNREFUSED'))) } });
    const failure = verifyPayment(unreachable.value, { paymentResponse: token(), checkLedger: true, expected: EXPECTED });
    await expect(failure).rejects.toMatchObject({ code: 'ledger-unavailable', retryAfterSeconds: 2 });
    const misconfigured = deps({ ledger: { get: async () => Promise.reject(Object.assign(new Error('no such table'), { name: 'ResourceNotFoundException' })) } });
    await expect(verifyPayment(misconfigured.value, { paymentResponse: token(), checkLedger: true, expected: EXPECTED })).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('signs a verdict only for a nonce, as a verification-result+jwt dated by the injected clock', async () => {
    const { value, signed } = deps();
    expect(await verifyPayment(value, { paymentResponse: token(), checkLedger: false, expected: EXPECTED })).not.toHaveProperty('verdict');
    expect(signed).toEqual([]);
    const response = await verifyPayment(value, { paymentResponse: token(), checkLedger: false, expected: EXPECTED, nonce: 'nonce-0123456789' });
    expect(response.verdict).toBe('verdict.jws.value');
    expect(signed).toEqual([
      {
        typ: 'verification-result+jwt',
        claims: expect.objectContaining({
          nonce: 'nonce-0123456789',
          iat: NOW.getTime() / 1000,
          reason: 'OK',
          paymentId: claims().jti,
          expected: EXPECTED,
          checkLedger: false,
          livemode: false,
        }),
      },
    ]);
  });

  it('answers a nonce it cannot sign for with a 503 when KMS is unreachable, never with an unsigned result', async () => {
    const request = { paymentResponse: token(), checkLedger: false, expected: EXPECTED, nonce: 'nonce-0123456789' };
    const unreachable = deps({ verdictSigner: { sign: async () => Promise.reject(new SigningUnavailableError(new Error('KMS throttled'))) } });
    await expect(verifyPayment(unreachable.value, request)).rejects.toBeInstanceOf(VerdictUnavailableError);
    // A disabled key or a denied Sign is not an outage: retrying would not help, so it is a 500 of ours.
    const denied = deps({ verdictSigner: { sign: async () => Promise.reject(Object.assign(new Error('denied'), { name: 'AccessDeniedException' })) } });
    await expect(verifyPayment(denied.value, request)).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('judges iat against the injected clock', async () => {
    const later = claims({ iat: NOW.getTime() / 1000 + 61 });
    expect((await verifyPayment(deps().value, { paymentResponse: token(later), checkLedger: false, expected: EXPECTED })).reason).toBe('INVALID_CLAIMS');
    const { value } = deps({ now: () => new Date(NOW.getTime() + 1_000) });
    expect((await verifyPayment(value, { paymentResponse: token(later), checkLedger: false, expected: EXPECTED })).reason).toBe('OK');
  });
});
