// The shapes of the committed known-answer vectors, and where they live. Free of vitest: the
// generator writes these files and the tests (service and SDK) read them.
import { readFileSync } from 'node:fs';
import type { JWK } from 'jose';
import type { VerdictCheck, VerdictKeySet } from '../../client/src/index.js';
import type { ExpectedPayment } from '../../shared/domain/verification/expectations.js';
import type { VerificationReason } from '../../shared/domain/verification/reasons.js';
import type { VerificationResponse } from '../../shared/use-cases/verify-payment.js';

export const PAYMENT_RESPONSE_VECTORS = new URL('./payment-responses.json', import.meta.url);
export const VERDICT_VECTORS = new URL('./verdicts.json', import.meta.url);

/** Said at the top of both files: the private keys in them are for these vectors only. */
export const TEST_KEYS_NOTICE =
  'TEST KEYS ONLY. Every private key in this file is a P-256 key generated once, by test/vectors/generate.ts, for these vectors and used nowhere else. It signs nothing real, so committing it is fine; never configure it, or trust its public half, anywhere.';

export interface TestKey {
  kid: string;
  /** The public half, as /.well-known/jwks.json serves a key. */
  publicJwk: JWK;
  /** Present only for the keys the vectors were signed with. */
  privateJwk?: JWK;
}

interface VectorFile {
  notice: string;
  generatedBy: string;
  /** ISO time the verifier's clock is fixed at: iat may be at most 60 s after it. */
  clock: string;
  issuer: string;
}

export interface PaymentResponseVector {
  name: string;
  description: string;
  token: string;
  /** The payment the caller sends as `expected`. */
  expected: ExpectedPayment;
  verified: boolean;
  paymentCompleted: boolean;
  reason: VerificationReason;
  /** The claims as signed, for the tokens whose signature is ours and intact. */
  signedClaims?: Record<string, unknown>;
}

export interface PaymentResponseVectors extends VectorFile {
  keys: {
    /** The one trusted payment key: the trust set of these vectors. */
    payment: TestKey;
    /** Not trusted: it signed the vectors that must fail however they name their key. */
    other: TestKey;
  };
  vectors: PaymentResponseVector[];
}

export interface VerdictVector {
  name: string;
  description: string;
  /** POST /v1/verifications's 200 body, verdict included, as the SDK receives it. */
  answer: VerificationResponse & { verdict: string };
  /** What the SDK sent and so binds the verdict to. */
  binding: { nonce: string; checkLedger: boolean; expected: ExpectedPayment };
  accepted: boolean;
  /** The VerdictRejectedError check the SDK must fail, when not accepted. */
  check?: VerdictCheck;
}

export interface VerdictVectors extends VectorFile {
  keys: { verdict: TestKey; payment: TestKey };
  /** The verdict key set an app pins (`verdictKeys`): the verdict key's public half only. */
  pinnedVerdictKeys: VerdictKeySet;
  vectors: VerdictVector[];
}

export function readPaymentResponseVectors(): PaymentResponseVectors {
  return JSON.parse(readFileSync(PAYMENT_RESPONSE_VECTORS, 'utf8')) as PaymentResponseVectors;
}

export function readVerdictVectors(): VerdictVectors {
  return JSON.parse(readFileSync(VERDICT_VECTORS, 'utf8')) as VerdictVectors;
}
