import type { Ledger } from '../domain/settlement/ledger-record.js';
import type { PaymentResponseClaims } from '../domain/settlement/payment-response.js';
import { inspectPaymentResponse } from '../domain/verification/compact-jws.js';
import { assessPayment, ledgerConfirms } from '../domain/verification/expectations.js';
import type { VerificationRequest } from '../domain/verification/request.js';
import {
  rejectedResult,
  VERIFICATION_RESULT_TYP,
  type VerificationResult,
  verdictClaimsOf,
  verifiedResult,
} from '../domain/verification/result.js';
import { checkSignedClaims } from '../domain/verification/signed-claims.js';
import type { TrustedKeys } from '../domain/verification/trusted-keys.js';
import { SigningUnavailableError, VerdictUnavailableError } from '../errors.js';
import type { JwsSigner } from '../domain/jws-signer.js';

export interface VerificationResponse extends VerificationResult {
  /** Present exactly when the request carried a nonce. */
  verdict?: string;
}

export interface VerifyPaymentDeps {
  keys: TrustedKeys;
  ledger: Pick<Ledger, 'get'>;
  verdictSigner: JwsSigner;
  issuer: string;
  now: () => Date;
}

/**
 * Verifies payment response data against the predefined rule and says whether the payment completed.
 *
 * 1. Inspect the compact JWS without any key: structure, header members, alg, typ, kid.
 * 2. Find the kid in our trust set (keys are cached per container: no KMS call per verification).
 * 3. Check the signature, then the claims (schema, issuer, iat not ahead of our clock).
 * 4. Compare the signed claims with what the caller expects, then the status.
 * 5. With `checkLedger`, and only when all else says completed, confirm against the ledger:
 *    it can only take a completion away, so reading it otherwise would cost a read for nothing.
 * 6. With a nonce, sign the result as a verdict (one KMS Sign).
 */
export async function verifyPayment(deps: VerifyPaymentDeps, request: VerificationRequest): Promise<VerificationResponse> {
  const now = deps.now();
  const result = await verifyToken(deps, request, now);
  if (request.nonce === undefined) return result;

  const claims = verdictClaimsOf(result, { nonce: request.nonce, now });
  try {
    return { ...result, verdict: await deps.verdictSigner.sign(VERIFICATION_RESULT_TYP, { ...claims }) };
  } catch (error) {
    // KMS could not be reached: the caller retries. Anything else (a disabled key, access denied) is ours: 500.
    throw error instanceof SigningUnavailableError ? new VerdictUnavailableError(error) : error;
  }
}

async function verifyToken(deps: VerifyPaymentDeps, request: VerificationRequest, now: Date): Promise<VerificationResult> {
  const checked = { expected: request.expected, checkLedger: request.checkLedger };
  const jws = inspectPaymentResponse(request.paymentResponse);
  if (!jws.ok) return rejectedResult(jws.reason, checked);

  const lookup = await deps.keys.keyFor(jws.kid);
  if (lookup.status === 'unknown') return rejectedResult('UNKNOWN_KEY', checked);
  if (lookup.status === 'unavailable') return rejectedResult('KEYS_UNAVAILABLE', checked);

  const signed = checkSignedClaims(jws, lookup.key, { issuer: deps.issuer, now });
  if (!signed.ok) return rejectedResult(signed.reason, checked);

  const reason = assessPayment(signed.claims, request.expected);
  if (reason !== 'OK' || !request.checkLedger) return verifiedResult(signed.claims, reason, checked);
  return verifiedResult(signed.claims, (await ledgerConfirmsPayment(deps, signed.claims)) ? 'OK' : 'NOT_IN_LEDGER', checked);
}

/** An unreachable ledger is the adapter's LedgerUnavailableError (503): nothing was decided, and no reason code says so. */
async function ledgerConfirmsPayment(deps: VerifyPaymentDeps, claims: PaymentResponseClaims): Promise<boolean> {
  return ledgerConfirms(claims, await deps.ledger.get(claims.jti));
}
