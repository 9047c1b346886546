import type { Ledger } from '../domain/settlement/ledger-record.js';
import { inspectPaymentResponse } from '../domain/verification/compact-jws.js';
import type { DelegationWindow } from '../domain/delegation/delegation.js';
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
 * 2. Find the kid in our trust set: a root key, or a key a root key delegated signing to, while
 *    that delegation is not revoked (keys are cached per container: no KMS call per verification).
 * 3. Check the signature, then the claims (schema, issuer, iat not ahead of our clock).
 * 4. Compare the signed claims with what the caller expects, then the status.
 * 5. With `checkLedger`, and only when all else says completed, confirm against the ledger:
 *    it can only take a completion away, so reading it otherwise would cost a read for nothing.
 *    A token of a delegated key whose delegation has ended passes only this way, and only if the
 *    ledger holds exactly that token. An unreachable ledger is the adapter's
 *    LedgerUnavailableError (503): nothing was decided, and no reason code says so.
 * 6. With a nonce, sign the result as a verdict (one KMS Sign, or a delegated key's signature).
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
  if (lookup.status === 'revoked') return rejectedResult('DELEGATION_REVOKED', checked);

  const signed = checkSignedClaims(jws, lookup.key, { issuer: deps.issuer, now });
  if (!signed.ok) return rejectedResult(signed.reason, checked);
  const { claims } = signed;
  // A delegated key vouches only for what it signed within its delegation's window.
  if (lookup.delegated && !isWithin(claims.iat, lookup.delegated)) return rejectedResult('DELEGATION_EXPIRED', checked);

  const reason = assessPayment(claims, request.expected);
  const delegationEnded = lookup.status === 'expired';
  if (!request.checkLedger) return delegationEnded ? rejectedResult('DELEGATION_EXPIRED', checked) : verifiedResult(claims, reason, checked);
  if (reason !== 'OK' && !delegationEnded) return verifiedResult(claims, reason, checked);

  const record = await deps.ledger.get(claims.jti);
  // Once its delegation has ended, a token is ours only if the ledger holds exactly it: the
  // ephemeral key may have been read out of memory and used since, with any iat.
  if (delegationEnded && record?.paymentResponse !== request.paymentResponse) return rejectedResult('DELEGATION_EXPIRED', checked);
  if (reason !== 'OK') return verifiedResult(claims, reason, checked);
  return verifiedResult(claims, ledgerConfirms(claims, record) ? 'OK' : 'NOT_IN_LEDGER', checked);
}

function isWithin(iat: number, window: DelegationWindow): boolean {
  return iat >= window.notBefore && iat <= window.expires;
}

