// Wrote payment-responses.json and verdicts.json; run by hand (`npx tsx test/vectors/generate.ts`),
// never by tests. ECDSA signatures are randomized and the keys are new on each run, so running it
// again changes every key and token: the committed files are the vectors, this shows how they were made.
//
// Tokens are signed by our own KmsJwsSigner, with KMS played by a local test key answering Sign
// (RAW, DER) as KMS does: the header, claims and low-S signature are exactly what settlement and
// the verification service issue. The broken vectors are made from the good ones by hand.
import { createPublicKey, generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { KMSClient, SignCommand } from '@aws-sdk/client-kms';
import type { JWK } from 'jose';
import { base64url } from '../../shared/adapters/base64url.js';
import { KmsJwsSigner } from '../../shared/adapters/kms-jws-signer.js';
import { NodeEs256Key } from '../../shared/adapters/node-es256-key.js';
import { PAYMENT_RESPONSE_TYP, type PaymentResponseClaims } from '../../shared/domain/settlement/payment-response.js';
import { VERIFICATION_RESULT_TYP } from '../../shared/domain/verification/result.js';
import { paymentIdFor } from '../../shared/use-cases/settle-payment.js';
import { verifyPayment, type VerifyPaymentDeps } from '../../shared/use-cases/verify-payment.js';
import {
  PAYMENT_RESPONSE_VECTORS,
  type PaymentResponseVector,
  type PaymentResponseVectors,
  TEST_KEYS_NOTICE,
  type TestKey,
  VERDICT_VECTORS,
  type VerdictVector,
  type VerdictVectors,
} from './vectors.js';

const ISSUER = 'https://pay.example.test';
const ISSUED_AT = new Date('2026-11-30T12:00:00Z');
/** The verifier's clock: 30 s after issue, as a payment confirmed right after settling. */
const CLOCK = new Date('2026-11-30T12:00:30Z');
const NONCE = 'vector-nonce-0123456789abcdef';
const EXPECTED = { merchantId: 'm_123', orderId: 'o_456', amount: { value: 1999, currency: 'USD' } };
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

interface SigningKey extends TestKey {
  privateKey: KeyObject;
}

function newKey(): SigningKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = randomUUID(); // the shape of a KMS key id, as kidOfKeyArn gives it
  const publicJwk = { ...createPublicKey(privateKey).export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' } as JWK;
  return { kid, publicJwk, privateJwk: { ...privateKey.export({ format: 'jwk' }), kid } as JWK, privateKey };
}

const publicOnly = ({ kid, publicJwk }: TestKey): TestKey => ({ kid, publicJwk });

/** KMS Sign (RAW, ECDSA_SHA_256) as KmsJwsSigner calls it, answered with a local key: a DER signature. */
function signerOf(key: KeyObject, kid: string): KmsJwsSigner {
  const kms = { send: async (command: SignCommand) => ({ Signature: sign('sha256', command.input.Message!, key) }) };
  return new KmsJwsSigner(kms as unknown as KMSClient, `arn:aws:kms:us-east-1:000000000000:key/${kid}`);
}

function claims(overrides: Partial<PaymentResponseClaims>): PaymentResponseClaims {
  return {
    iss: ISSUER,
    jti: paymentIdFor(EXPECTED.merchantId, 'vector-settled'),
    iat: Math.floor(ISSUED_AT.getTime() / 1000),
    merchantId: EXPECTED.merchantId,
    orderId: EXPECTED.orderId,
    amount: EXPECTED.amount,
    status: 'SETTLED',
    livemode: false,
    ...overrides,
  };
}

const partsOf = (token: string) => token.split('.') as [string, string, string];
const decoded = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, any>;

/** The same token with its payload changed after signing; header and signature kept. */
function withPayload(token: string, change: (payload: Record<string, any>) => Record<string, unknown>): string {
  const [header, payload, signature] = partsOf(token);
  return `${header}.${base64url(JSON.stringify(change(decoded(payload))))}.${signature}`;
}

/** The other valid spelling of an ECDSA signature, (r, n - s): high-S when ours is low-S. */
function highSTwin(token: string): string {
  const [header, payload, signature] = partsOf(token);
  const rs = Buffer.from(signature, 'base64url');
  const s = BigInt(`0x${rs.subarray(32).toString('hex')}`);
  const twin = Buffer.concat([rs.subarray(0, 32), Buffer.from((P256_ORDER - s).toString(16).padStart(64, '0'), 'hex')]);
  return `${header}.${payload}.${twin.toString('base64url')}`;
}

const payment = newKey();
const other = newKey();
const verdictKey = newKey();
const paymentSigner = signerOf(payment.privateKey, payment.kid);

const settledClaims = claims({});
const declinedClaims = claims({ jti: paymentIdFor(EXPECTED.merchantId, 'vector-declined'), status: 'DECLINED' });
const settled = await paymentSigner.sign(PAYMENT_RESPONSE_TYP, settledClaims);
const declined = await paymentSigner.sign(PAYMENT_RESPONSE_TYP, declinedClaims);
const algNoneHeader = base64url(JSON.stringify({ alg: 'none', kid: payment.kid, typ: PAYMENT_RESPONSE_TYP }));

const rejected = { verified: false, paymentCompleted: false };
const paymentVectors: PaymentResponseVector[] = [
  {
    name: 'settled',
    description: 'A settled sandbox payment, signed by the trusted key, checked against its own payment.',
    token: settled,
    expected: EXPECTED,
    verified: true,
    paymentCompleted: true,
    reason: 'OK',
    signedClaims: settledClaims,
  },
  {
    name: 'declined',
    description: 'A declined payment, signed by the trusted key: genuine, and not completed.',
    token: declined,
    expected: EXPECTED,
    verified: true,
    paymentCompleted: false,
    reason: 'NOT_SETTLED',
    signedClaims: declinedClaims,
  },
  {
    name: 'high-s-twin',
    description: 'The settled token with s replaced by n - s: a valid ECDSA signature, but not the low-S spelling we issue.',
    token: highSTwin(settled),
    expected: EXPECTED,
    ...rejected,
    reason: 'BAD_SIGNATURE',
  },
  {
    name: 'declined-altered-to-settled',
    description: 'The declined token with its status changed to SETTLED after signing.',
    token: withPayload(declined, (payload) => ({ ...payload, status: 'SETTLED' })),
    expected: EXPECTED,
    ...rejected,
    reason: 'BAD_SIGNATURE',
  },
  {
    name: 'wrong-typ',
    description: 'The settled claims signed by the trusted key as a verification-result+jwt: another token kind.',
    token: await paymentSigner.sign(VERIFICATION_RESULT_TYP, settledClaims),
    expected: EXPECTED,
    ...rejected,
    reason: 'WRONG_TYPE',
  },
  {
    name: 'alg-none-unsigned',
    description: 'alg "none" with the empty signature part such tokens carry: not three non-empty parts.',
    token: `${algNoneHeader}.${partsOf(settled)[1]}.`,
    expected: EXPECTED,
    ...rejected,
    reason: 'MALFORMED',
  },
  {
    name: 'alg-none-with-signature',
    description: 'alg "none" with the settled token\'s payload and signature: well-formed, an algorithm outside our allowlist.',
    token: `${algNoneHeader}.${partsOf(settled)[1]}.${partsOf(settled)[2]}`,
    expected: EXPECTED,
    ...rejected,
    reason: 'UNSUPPORTED_ALGORITHM',
  },
  {
    name: 'other-key-our-kid',
    description: 'The settled claims signed by an untrusted key whose header names the trusted kid.',
    token: await signerOf(other.privateKey, payment.kid).sign(PAYMENT_RESPONSE_TYP, settledClaims),
    expected: EXPECTED,
    ...rejected,
    reason: 'BAD_SIGNATURE',
  },
  {
    name: 'unknown-kid',
    description: 'The settled claims signed by an untrusted key under its own kid, which is not in the trust set.',
    token: await signerOf(other.privateKey, other.kid).sign(PAYMENT_RESPONSE_TYP, settledClaims),
    expected: EXPECTED,
    ...rejected,
    reason: 'UNKNOWN_KEY',
  },
];

// Verdicts as the service makes them: the use case itself, with the payment test key trusted
// and the verdict test key signing.
const deps: VerifyPaymentDeps = {
  keys: {
    keyFor: async (kid) => (kid === payment.kid ? { status: 'trusted', key: new NodeEs256Key(createPublicKey(payment.privateKey)) } : { status: 'unknown' }),
  },
  ledger: { get: async () => Promise.reject(new Error('the vectors never check the ledger')) },
  verdictSigner: signerOf(verdictKey.privateKey, verdictKey.kid),
  issuer: ISSUER,
  now: () => CLOCK,
};
const binding = { nonce: NONCE, checkLedger: false, expected: EXPECTED };
const answerFor = async (paymentResponse: string) =>
  (await verifyPayment(deps, { paymentResponse, ...binding })) as VerdictVector['answer'];

const completed = await answerFor(settled);
const notSettled = await answerFor(declined);
const completedClaims = decoded(partsOf(completed.verdict)[1]);
const forged = { ...notSettled, paymentCompleted: true, reason: 'OK' as const, payment: { ...notSettled.payment!, status: 'SETTLED' as const } };
forged.verdict = withPayload(notSettled.verdict, (verdict) => ({ ...verdict, paymentCompleted: true, reason: 'OK', payment: forged.payment }));
const verdictVectors: VerdictVector[] = [
  {
    name: 'completed',
    description: 'The service\'s answer for the settled payment vector, with its verdict signed by the verdict key.',
    answer: completed,
    binding,
    accepted: true,
  },
  {
    name: 'altered-after-signing',
    description: 'The answer for the declined payment vector, changed to completed in both the body and the verdict\'s claims.',
    answer: forged,
    binding,
    accepted: false,
    check: 'signature',
  },
  {
    name: 'signed-by-payment-key',
    description: 'The completed verdict\'s claims signed by the payment key under its own kid: not a verdict key.',
    answer: { ...completed, verdict: await paymentSigner.sign(VERIFICATION_RESULT_TYP, completedClaims) },
    binding,
    accepted: false,
    check: 'signature',
  },
  {
    name: 'signed-by-payment-key-as-verdict-kid',
    description: 'The completed verdict\'s claims signed by the payment key, its header naming the verdict key\'s kid.',
    answer: { ...completed, verdict: await signerOf(payment.privateKey, verdictKey.kid).sign(VERIFICATION_RESULT_TYP, completedClaims) },
    binding,
    accepted: false,
    check: 'signature',
  },
  {
    name: 'replayed-for-another-request',
    description: 'The genuine completed answer, replayed to a request that sent another nonce.',
    answer: completed,
    binding: { ...binding, nonce: 'another-nonce-0123456789abcdef' },
    accepted: false,
    check: 'nonce',
  },
];

const header = { notice: TEST_KEYS_NOTICE, generatedBy: 'npx tsx test/vectors/generate.ts', clock: CLOCK.toISOString(), issuer: ISSUER };
const { privateKey: _payment, ...paymentKey } = payment;
const { privateKey: _verdict, ...verdictTestKey } = verdictKey;
const paymentFile: PaymentResponseVectors = { ...header, keys: { payment: paymentKey, other: publicOnly(other) }, vectors: paymentVectors };
const verdictFile: VerdictVectors = {
  ...header,
  keys: { verdict: verdictTestKey, payment: publicOnly(payment) },
  pinnedVerdictKeys: { keys: [verdictKey.publicJwk as VerdictVectors['pinnedVerdictKeys']['keys'][number]] },
  vectors: verdictVectors,
};
writeFileSync(PAYMENT_RESPONSE_VECTORS, `${JSON.stringify(paymentFile, null, 2)}\n`);
writeFileSync(VERDICT_VECTORS, `${JSON.stringify(verdictFile, null, 2)}\n`);
console.log(`wrote ${paymentVectors.length} payment response and ${verdictVectors.length} verdict vectors`);
