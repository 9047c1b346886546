import { type PaymentResponseClaims, paymentResponseClaimsSchema } from '../settlement/payment-response.js';
import { parseCanonicalJsonObject } from './compact-jws.js';

/** Our clocks and the caller's may disagree a little; a response from further ahead is not ours. */
export const MAX_IAT_AHEAD_SECONDS = 60;

export interface ClaimsRule {
  /** The `iss` our settlement service writes. */
  issuer: string;
  now: Date;
}

/**
 * Reads the claims of a payment response whose signature verified: canonical JSON, exactly the
 * payment response schema, our issuer, and issued no later than a minute from now.
 */
export function readPaymentResponseClaims(payload: Uint8Array, rule: ClaimsRule): PaymentResponseClaims | undefined {
  const json = parseCanonicalJsonObject(payload);
  if (!json) return undefined;
  const parsed = paymentResponseClaimsSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const claims = parsed.data;
  if (claims.iss !== rule.issuer) return undefined;
  if (claims.iat > Math.floor(rule.now.getTime() / 1000) + MAX_IAT_AHEAD_SECONDS) return undefined;
  return claims;
}
