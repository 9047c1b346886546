// The predefined rule as pure functions: no AWS, no clock but the one passed in.
import { toLowS } from '../../shared/adapters/ecdsa-low-s.js';
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NodeEs256Key } from '../../shared/adapters/node-es256-key.js';
import type { LedgerRecord } from '../../shared/domain/settlement/ledger-record.js';
import type { PaymentResponseClaims } from '../../shared/domain/settlement/payment-response.js';
import { readPaymentResponseClaims } from '../../shared/domain/verification/claims.js';
import { inspectPaymentResponse, MAX_TOKEN_LENGTH } from '../../shared/domain/verification/compact-jws.js';
import { assessPayment, ledgerConfirms } from '../../shared/domain/verification/expectations.js';
import { isRetryable, REASON_PRECEDENCE } from '../../shared/domain/verification/reasons.js';
import { rejectedResult, verdictClaimsOf, verifiedResult } from '../../shared/domain/verification/result.js';
import { checkSignedClaims } from '../../shared/domain/verification/signed-claims.js';

const ISSUER = 'https://pay.example.test';
const NOW = new Date('2026-11-30T12:00:00Z');
const NOW_S = NOW.getTime() / 1000;
const KID = '6f1c0e2a-8d1b-4f4e-9a57-3c2b1a0f9e8d';
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

const claims = (overrides: Partial<PaymentResponseClaims> = {}): PaymentResponseClaims => ({
  iss: ISSUER,
  jti: 'pay_Q2h1bmt5UGF5bWVudElkMDAwMDAwMDAwMDAwMDAwMDA',
  iat: NOW_S - 5,
  merchantId: 'm_123',
  orderId: 'o_456',
  amount: { value: 1999, currency: 'USD' },
  status: 'SETTLED',
  livemode: false,
  ...overrides,
});
const b64 = (text: string) => Buffer.from(text).toString('base64url');
const HEADER = { alg: 'ES256', kid: KID, typ: 'payment-response+jwt' };

function token(header: object = HEADER, payload: object = claims(), key: KeyObject = privateKey): string {
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}`;
  return `${input}.${Buffer.from(toLowS(sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }))).toString('base64url')}`;
}

function withStandardBase64Character(): string {
  let jwt = token();
  while (!/[-_]/.test(jwt)) jwt = token(); // a fresh signature until one has a character to swap
  return jwt.replace(/[-_]/, (c) => (c === '-' ? '+' : '/'));
}

function check(jwt: string, now = NOW) {
  const jws = inspectPaymentResponse(jwt);
  if (!jws.ok) return jws.reason;
  const signed = checkSignedClaims(jws, new NodeEs256Key(publicKey), { issuer: ISSUER, now });
  return signed.ok ? 'OK' : signed.reason;
}

describe('the predefined rule', () => {
  it('accepts what our signer writes', () => {
    expect(check(token())).toBe('OK');
  });

  it.each([
    ['a token over the size cap', `${token()}${'A'.repeat(MAX_TOKEN_LENGTH)}`],
    ['two parts', token().split('.').slice(0, 2).join('.')],
    ['an empty payload', token().replace(/\.[^.]+\./, '..')],
    ['padding', token().replace(/\.([^.]+)$/, '.$1==')],
    ['standard base64 characters, which Node would decode alike', withStandardBase64Character()],
    ['a header with whitespace', `${b64(JSON.stringify(HEADER, null, 1))}.${token().split('.').slice(1).join('.')}`],
    ['a header member we never write', token({ ...HEADER, zip: 'DEF' })],
  ])('is MALFORMED for %s', (_what, jwt) => {
    expect(check(jwt)).toBe('MALFORMED');
  });

  it('orders the header checks: structure, then alg, then typ, then kid', () => {
    expect(check(token({ alg: 'none', typ: 'JWT', crit: ['x'] }))).toBe('MALFORMED');
    expect(check(token({ alg: 'none', typ: 'JWT' }))).toBe('UNSUPPORTED_ALGORITHM');
    expect(check(token({ ...HEADER, typ: 'JWT', kid: 7 }))).toBe('WRONG_TYPE');
    expect(check(token({ alg: 'ES256', typ: 'payment-response+jwt' }))).toBe('UNKNOWN_KEY');
  });

  it('ranks a malformed payload or signature part above any header reason, however often the header was seen', () => {
    const [header, payload, signature] = token({ alg: 'none', typ: 'JWT' }).split('.');
    for (let i = 0; i < 3; i++) {
      expect(check(`${header}.${payload}.${signature}`)).toBe('UNSUPPORTED_ALGORITHM');
      expect(check(`${header}.${payload}=.${signature}`)).toBe('MALFORMED');
      expect(check(`${header}.${payload}.`)).toBe('MALFORMED');
    }
  });

  it('checks the signature before it reads the claims', () => {
    const { privateKey: foreign } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(check(token(HEADER, { not: 'claims' }, foreign))).toBe('BAD_SIGNATURE');
    expect(check(token(HEADER, { not: 'claims' }))).toBe('INVALID_CLAIMS');
  });

  it('is BAD_SIGNATURE for a signature that is not 64 bytes, such as DER, without asking the key', () => {
    const input = token().split('.').slice(0, 2).join('.');
    const der = sign('sha256', Buffer.from(input), privateKey).toString('base64url');
    expect(check(`${input}.${der}`)).toBe('BAD_SIGNATURE');
    const jws = inspectPaymentResponse(`${input}.${der}`);
    if (!jws.ok) throw new Error(jws.reason);
    const asked: number[] = [];
    const credulousKey = { verifies: (_input: string, signature: Uint8Array) => (asked.push(signature.length), true) };
    expect(checkSignedClaims(jws, credulousKey, { issuer: ISSUER, now: NOW })).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
    expect(asked).toEqual([]);
  });

  it('accepts an iat up to 60 s ahead of the clock it is given, not one second more', () => {
    expect(check(token(HEADER, claims({ iat: NOW_S + 60 })))).toBe('OK');
    expect(check(token(HEADER, claims({ iat: NOW_S + 61 })))).toBe('INVALID_CLAIMS');
    expect(check(token(HEADER, claims({ iat: NOW_S + 61 })), new Date(NOW.getTime() + 1_000))).toBe('OK');
  });

  it('reads claims only in canonical JSON, from our issuer, in exactly the schema', () => {
    const read = (json: string) => readPaymentResponseClaims(Buffer.from(json), { issuer: ISSUER, now: NOW });
    const canonical = JSON.stringify(claims());
    expect(read(canonical)).toEqual(claims());
    expect(read(`${canonical.slice(0, -1)},"iss":"${ISSUER}"}`)).toBeUndefined();
    expect(read(canonical.replace('{', '{ '))).toBeUndefined();
    expect(read(JSON.stringify(claims({ iss: `${ISSUER}/` })))).toBeUndefined();
    expect(read(JSON.stringify({ ...claims(), iat: NOW_S - 0.5 }))).toBeUndefined();
  });

  it.each([
    ['an escape JSON.stringify would not write', (json: string) => json.replace('"m_123"', '"m\\u005f123"')],
    ['an escaped slash', (json: string) => json.replace('https://', 'https:\\/\\/')],
    ['a number spelt with a fraction', (json: string) => json.replace('1999', '1999.0')],
    ['a number spelt with an exponent', (json: string) => json.replace('1999', '1.999e3')],
    ['a byte order mark', (json: string) => `\ufeff${json}`],
  ])('refuses claims respelt with %s', (_what, respell) => {
    const read = (json: string) => readPaymentResponseClaims(Buffer.from(json), { issuer: ISSUER, now: NOW });
    const respelt = respell(JSON.stringify(claims()));
    expect(respelt).not.toBe(JSON.stringify(claims()));
    expect(read(respelt)).toBeUndefined();
  });

  it('refuses claims that are not UTF-8, even where a decoder would substitute a character', () => {
    const bytes = Buffer.from(JSON.stringify(claims({ iss: `${ISSUER}?x` })));
    bytes[bytes.indexOf('?')] = 0xff;
    expect(readPaymentResponseClaims(bytes, { issuer: `${ISSUER}\ufffdx`, now: NOW })).toBeUndefined();
  });

  it('hands the key the first two parts exactly as sent, as the signing input', () => {
    const jwt = token();
    const jws = inspectPaymentResponse(jwt);
    expect(jws.ok && jws.signingInput).toBe(jwt.split('.').slice(0, 2).join('.'));
  });
});

describe('what a verified response says about the caller’s payment', () => {
  it('compares merchant, then order, then amount, then status', () => {
    const declined = claims({ status: 'DECLINED' });
    const expected = { merchantId: 'm_123', orderId: 'o_456', amount: { value: 1999, currency: 'USD' } };
    expect(assessPayment(claims(), expected)).toBe('OK');
    expect(assessPayment(declined, { merchantId: 'm_1', orderId: 'o_1', amount: { value: 1, currency: 'EUR' } })).toBe(
      'MISMATCH_MERCHANT',
    );
    expect(assessPayment(declined, { ...expected, orderId: 'o_1', amount: { value: 1, currency: 'EUR' } })).toBe('MISMATCH_ORDER');
    expect(assessPayment(declined, { ...expected, amount: { value: 1999, currency: 'EUR' } })).toBe('MISMATCH_AMOUNT');
    expect(assessPayment(declined, expected)).toBe('NOT_SETTLED');
  });

  it('is confirmed by the ledger only when the record is completed with the same payment, parties, amount, status and mode', () => {
    const record: LedgerRecord = {
      paymentId: claims().jti,
      merchantId: 'm_123',
      orderId: 'o_456',
      amount: { value: 1999, currency: 'USD' },
      status: 'SETTLED',
      requestFingerprint: 'f',
      paymentResponse: 'r',
      createdAt: NOW.toISOString(),
    };
    expect(ledgerConfirms(claims(), record)).toBe(true);
    expect(ledgerConfirms(claims(), undefined)).toBe(false);
    for (const change of [
      { paymentId: 'pay_other' },
      { merchantId: 'm_9' },
      { orderId: 'o_9' },
      { amount: { value: 1999, currency: 'EUR' } },
      { amount: { value: 2000, currency: 'USD' } },
      { status: 'DECLINED' as const },
      { livemode: true },
      { paymentResponse: undefined },
    ]) {
      expect(ledgerConfirms(claims(), { ...record, ...change })).toBe(false);
    }
  });
});

describe('results and verdicts', () => {
  it('lists every reason once, with only KEYS_UNAVAILABLE retryable', () => {
    expect(new Set(REASON_PRECEDENCE).size).toBe(15);
    expect(REASON_PRECEDENCE.filter(isRetryable)).toEqual(['KEYS_UNAVAILABLE']);
  });

  const checked = { expected: { merchantId: 'm_123', orderId: 'o_456', amount: { value: 1999, currency: 'USD' } }, checkLedger: true };

  it('completes a payment only when verified with reason OK, and shows the payment only when verified', () => {
    expect(verifiedResult(claims(), 'OK', checked)).toMatchObject({ verified: true, paymentCompleted: true, livemode: false, ...checked });
    expect(verifiedResult(claims(), 'NOT_SETTLED', checked)).toMatchObject({ verified: true, paymentCompleted: false });
    expect(rejectedResult('BAD_SIGNATURE', checked)).toEqual({
      verified: false,
      paymentCompleted: false,
      reason: 'BAD_SIGNATURE',
      retryable: false,
      ...checked,
    });
  });

  it('binds the nonce, what was checked, the payment, its mode and the time of the verification in the verdict claims', () => {
    const result = verifiedResult(claims({ livemode: true }), 'OK', checked);
    expect(verdictClaimsOf(result, { nonce: 'n'.repeat(16), now: NOW })).toEqual({
      nonce: 'n'.repeat(16),
      iat: NOW_S,
      verified: true,
      paymentCompleted: true,
      reason: 'OK',
      expected: checked.expected,
      checkLedger: true,
      livemode: true,
      paymentId: claims().jti,
      payment: result.payment,
    });
    expect(verdictClaimsOf(rejectedResult('MALFORMED', checked), { nonce: 'n'.repeat(16), now: NOW })).toEqual({
      nonce: 'n'.repeat(16),
      iat: NOW_S,
      verified: false,
      paymentCompleted: false,
      reason: 'MALFORMED',
      ...checked,
    });
  });
});
