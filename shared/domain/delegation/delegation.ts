import * as z from '../../zod.js';
import { PAYMENT_RESPONSE_TYP } from '../settlement/payment-response.js';
import { VERIFICATION_RESULT_TYP } from '../verification/result.js';

/**
 * Delegated signing: a KMS root key certifies an ephemeral P-256 key, held in one function
 * container's memory only, for one token kind and at most an hour. The certificate is a
 * *delegation*, a compact JWS of its own kind, signed by the root key (header `kid` = the root
 * key's id) over the claims below. Tokens signed by the ephemeral key name it by its RFC 7638
 * thumbprint, and are trusted only through a delegation whose root signature, scope and
 * lifetime were checked.
 */
export const DELEGATION_TYP = 'signing-delegation+jwt';

/** The longest a delegation may live: a stolen ephemeral key signs at most this long. */
export const MAX_DELEGATION_LIFETIME_SECONDS = 3600;
/** The shortest a deployment may choose: shorter costs a KMS Sign per container that often. */
export const MIN_DELEGATION_LIFETIME_SECONDS = 300;

export const SIGNING_MODES = ['kms', 'delegated'] as const;
export type SigningMode = (typeof SIGNING_MODES)[number];

/** What a delegation may sign: exactly one token kind, named by its `typ`. */
export const DELEGATION_SCOPES = [PAYMENT_RESPONSE_TYP, VERIFICATION_RESULT_TYP] as const;
export type DelegationScope = (typeof DELEGATION_SCOPES)[number];

/** An RFC 7638 SHA-256 thumbprint, base64url: 43 characters. */
export const jwkThumbprintSchema = z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/, 'must be an RFC 7638 SHA-256 thumbprint'));

const coordinate = z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/, 'must be a base64url P-256 coordinate'));

/** The ephemeral public key, with exactly the members its thumbprint is computed over. */
export const delegatedJwkSchema = z.strictObject({ crv: z.literal('P-256'), kty: z.literal('EC'), x: coordinate, y: coordinate });
export type DelegatedJwk = z.infer<typeof delegatedJwkSchema>;

const epochSeconds = z.number().check(z.int(), z.nonnegative());

/** The claims of a delegation. `sub` is the thumbprint of `jwk`, the kid its tokens carry. */
export const delegationClaimsSchema = z.strictObject({
  iss: z.string().check(z.minLength(1), z.maxLength(256)),
  sub: jwkThumbprintSchema,
  scope: z.enum(DELEGATION_SCOPES),
  jwk: delegatedJwkSchema,
  iat: epochSeconds,
  nbf: epochSeconds,
  exp: epochSeconds,
});
export type DelegationClaims = z.infer<typeof delegationClaimsSchema>;

/** When a delegated key may have signed: `iat` of its tokens lies within [notBefore, expires] (epoch s). */
export interface DelegationWindow {
  notBefore: number;
  expires: number;
}

/** Clocks of signer and verifier may disagree a little (as MAX_IAT_AHEAD_SECONDS for tokens). */
export const DELEGATION_CLOCK_TOLERANCE_SECONDS = 60;
