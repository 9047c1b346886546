import { errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { VerdictKeysUnavailableError, VerdictRejectedError } from './errors.js';
import { sameExpectation } from './expectation.js';
import type { ExpectedPayment, PaymentSummary, VerificationReason } from './types.js';

/** Verdicts are their own token kind: a payment response (or anything else) never passes for one. */
export const VERDICT_TYP = 'verification-result+jwt';
/** Our allowlist, whatever a token's header says. */
const ALGORITHMS = ['ES256'];
/**
 * JOSE failures that mean "could not fetch the keys", not "the verdict is bad". A kid the keys do
 * not hold (ERR_JWKS_NO_MATCHING_KEY) is not among them: a remote key set says itself when a kid
 * is not listed yet, with a VerdictKeysUnavailableError (verdict-keys.ts); a set that cannot
 * change (keys given in full) not holding it is final.
 */
const KEY_FETCH_FAILURES = new Set(['ERR_JOSE_GENERIC', 'ERR_JWKS_TIMEOUT', 'ERR_JWKS_INVALID']);

export interface AnswerToProve {
  verified: boolean;
  paymentCompleted: boolean;
  reason: VerificationReason;
  payment: PaymentSummary | undefined;
  verdict: string | undefined;
  /** What the service says it checked against (echoed from the request). */
  expected: unknown;
  checkLedger: unknown;
}

export interface VerdictBinding {
  nonce: string;
  checkLedger: boolean;
  expected: ExpectedPayment;
}

/**
 * Checks that a signed verdict proves the answer's body: signed with ES256 by one of `keys` (the
 * verdict keys only: payment keys are never trusted for verdicts), of type
 * verification-result+jwt, for our nonce and our expected payment, and saying exactly what the
 * body says (verified, paymentCompleted, reason, checkLedger, livemode, payment id and facts). The proof is only as good as where
 * `keys` come from (verdict-keys.ts).
 */
export function verdictChecker(keys: JWTVerifyGetKey): (answer: AnswerToProve, binding: VerdictBinding) => Promise<void> {
  return async function checkVerdict(answer, binding) {
    if (answer.verdict === undefined) throw new VerdictRejectedError('missing', 'The answer carries no verdict although a nonce was sent');
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(answer.verdict, verdictsOnly(keys), { algorithms: ALGORITHMS, typ: VERDICT_TYP, requiredClaims: ['nonce', 'iat'] }));
    } catch (error) {
      // Decided by the key lookup itself (a delegation that does not hold, a key not listed yet): it says why.
      if (error instanceof VerdictRejectedError || error instanceof VerdictKeysUnavailableError) throw error;
      if (!(error instanceof errors.JOSEError) || KEY_FETCH_FAILURES.has(error.code)) throw new VerdictKeysUnavailableError(error);
      throw new VerdictRejectedError('signature', `The verdict is not signed by the verification service (${error.code})`, { cause: error });
    }
    if (claims.nonce !== binding.nonce) throw new VerdictRejectedError('nonce', 'The verdict was issued for another request (nonce)');
    if (claims.paymentId !== answer.payment?.paymentId) throw new VerdictRejectedError('payment-id', 'The verdict is about another payment');
    const sameResult =
      claims.verified === answer.verified &&
      claims.paymentCompleted === answer.paymentCompleted &&
      claims.reason === answer.reason &&
      claims.checkLedger === binding.checkLedger &&
      sameExpectation(claims.expected, binding.expected) &&
      claims.livemode === answer.payment?.livemode &&
      samePayment(claims.payment, answer.payment);
    if (!sameResult) throw new VerdictRejectedError('result', 'The answer says something else than its signed verdict');
  };
}

/**
 * jose checks typ only after the signature, so another kind of token (a payment response) would
 * first be looked up by its kid, and an unlisted kid is retryable: it is refused before, and no
 * key set is fetched for it. The comparison is jose's: case-insensitive, "application/" implied.
 */
function verdictsOnly(keys: JWTVerifyGetKey): JWTVerifyGetKey {
  return async function verdictKeyOf(header, token) {
    const typ = typeof header.typ === 'string' ? header.typ.toLowerCase().replace(/^application\//, '') : undefined;
    if (typ !== VERDICT_TYP) throw new VerdictRejectedError('signature', `The token is not a verdict (typ ${String(header.typ)}, not ${VERDICT_TYP})`);
    return keys(header, token);
  };
}

function samePayment(signed: unknown, answered: PaymentSummary | undefined): boolean {
  if (signed === undefined || answered === undefined) return signed === answered;
  return canonicalPayment(signed) === canonicalPayment(answered);
}

function canonicalPayment(payment: unknown): string {
  const p = payment as Partial<PaymentSummary> | null;
  return JSON.stringify([p?.paymentId, p?.merchantId, p?.orderId, p?.amount?.value, p?.amount?.currency, p?.status, p?.livemode, p?.iat]);
}
