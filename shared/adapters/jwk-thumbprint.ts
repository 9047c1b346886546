import { createHash } from 'node:crypto';
import type { DelegatedJwk } from '../domain/delegation/delegation.js';

/**
 * The RFC 7638 thumbprint of an EC public key: SHA-256 over its required members in
 * lexicographic order, without whitespace, base64url. The same value jose's
 * calculateJwkThumbprint gives (a test checks), so any JOSE library finds the key by it.
 */
export function jwkThumbprint(jwk: DelegatedJwk): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}
