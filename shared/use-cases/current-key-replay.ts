import { PAYMENT_RESPONSE_TYP } from '../domain/settlement/payment-response.js';
import { decodeCanonicalBase64url, parseCanonicalJsonObject } from '../domain/verification/compact-jws.js';
import type { JwsSigner } from '../domain/jws-signer.js';

/** A signer that says which key it signs with: a replay is compared with it. */
export type CurrentKeySigner = JwsSigner & { readonly kid: string };

/**
 * The stored payment response as a replay should carry it: as first signed while its key is still
 * the one settlement signs with, else the same claims signed anew by the current key. The ledger
 * replays a payment for as long as it keeps it (forever); without this, every replay of a payment
 * signed before a rotation would verify UNKNOWN_KEY once that key is retired, so no retirement
 * could ever be safe. Costs one KMS Sign per replay of such a payment, and none otherwise.
 */
export async function inCurrentKey(signer: CurrentKeySigner, paymentResponse: string): Promise<string> {
  const [headerPart, payloadPart] = paymentResponse.split('.');
  const header = parsePart(headerPart);
  // Every stored response is one we signed; one that does not parse is left as it is, never re-signed blind.
  if (!header || header.kid === signer.kid) return paymentResponse;
  const claims = parsePart(payloadPart);
  if (!claims || header.typ !== PAYMENT_RESPONSE_TYP) return paymentResponse;
  return signer.sign(PAYMENT_RESPONSE_TYP, claims);
}

function parsePart(part: string | undefined): Record<string, unknown> | undefined {
  const bytes = part === undefined ? undefined : decodeCanonicalBase64url(part);
  return bytes && parseCanonicalJsonObject(bytes);
}
