import type { PaymentResponseClaims } from '../settlement/payment-response.js';
import { type ClaimsRule, readPaymentResponseClaims } from './claims.js';
import type { InspectedJws } from './compact-jws.js';
import type { SignatureKey } from './trusted-keys.js';

/** ES256 signatures are r‖s, 32 bytes each (RFC 7518 §3.4). */
const ES256_SIGNATURE_BYTES = 64;

export type SignedClaimsCheck =
  | { ok: true; claims: PaymentResponseClaims }
  | { ok: false; reason: 'BAD_SIGNATURE' | 'INVALID_CLAIMS' };

/**
 * The second half of the predefined rule, once the kid named a trusted key: the signature over
 * the signing input, then (and only then) the claims.
 */
export function checkSignedClaims(jws: InspectedJws, key: SignatureKey, rule: ClaimsRule): SignedClaimsCheck {
  if (jws.signature.length !== ES256_SIGNATURE_BYTES || !key.verifies(jws.signingInput, jws.signature)) {
    return { ok: false, reason: 'BAD_SIGNATURE' };
  }
  const claims = readPaymentResponseClaims(jws.payload, rule);
  return claims ? { ok: true, claims } : { ok: false, reason: 'INVALID_CLAIMS' };
}
