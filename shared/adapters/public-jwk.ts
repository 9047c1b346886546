import { createPublicKey } from 'node:crypto';
import { SIGNING_ALGORITHM } from '../domain/settlement/payment-response.js';
import type { SignatureKey } from '../domain/verification/trusted-keys.js';
import { NodeEs256Key } from './node-es256-key.js';

/** The public half of one of our ES256 signing keys, as published in a JWKS. */
export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  alg: typeof SIGNING_ALGORITHM;
  use: 'sig';
}

/** A key as the JWKS documents list it: a delegated key carries the delegation that certifies it. */
export interface PublishedJwk extends PublicJwk {
  delegation?: string;
}

/** The JWK of a DER SubjectPublicKeyInfo (what KMS's GetPublicKey returns); only P-256 is one of ours. */
export function publicJwkOfSpki(spki: Uint8Array, kid: string): PublicJwk {
  const jwk = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({ format: 'jwk' });
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y) throw new Error('KMS returned a public key that is not P-256');
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, kid, alg: SIGNING_ALGORITHM, use: 'sig' };
}

/** A verifying key of a JWK; node:crypto refuses coordinates that are not a point of the curve. */
export function signatureKeyOf(jwk: PublicJwk): SignatureKey {
  return new NodeEs256Key(createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, format: 'jwk' }));
}
