import {
  calculateJwkThumbprint,
  compactVerify,
  type createRemoteJWKSet,
  decodeJwt,
  errors,
  type FlattenedJWSInput,
  type JWSHeaderParameters,
  type JWTVerifyGetKey,
} from 'jose';
import { VerdictKeysUnavailableError, VerdictRejectedError } from './errors.js';
import { hasExactly, isRecord } from './http.js';
import { VERDICT_TYP } from './verdict.js';

/** Delegations are their own token kind: nothing else a root key signs passes for one. */
const DELEGATION_TYP = 'signing-delegation+jwt';
/** The service's bound too: a stolen ephemeral key signs for at most an hour. */
const MAX_LIFETIME_SECONDS = 3600;
/** The service's and the device's clocks may disagree a little. */
const CLOCK_TOLERANCE_SECONDS = 60;
const P256_COORDINATE = /^[A-Za-z0-9_-]{43}$/;
const HEADER_MEMBERS = ['alg', 'kid', 'typ'];
const CLAIMS = ['iss', 'sub', 'scope', 'jwk', 'iat', 'nbf', 'exp'];
/** Exactly the members the thumbprint is computed over. */
const JWK_MEMBERS = ['crv', 'kty', 'x', 'y'];

type ListedKeySet = ReturnType<typeof createRemoteJWKSet>;
type CertifiedJwk = { crv: 'P-256'; kty: 'EC'; x: string; y: string };

interface DelegationClaims {
  iss: string;
  /** The thumbprint of `jwk`: the kid its tokens carry. */
  sub: string;
  scope: string;
  jwk: CertifiedJwk;
  iat: number;
  nbf: number;
  exp: number;
}

/**
 * Pinned root keys in delegated signing mode, where verdicts are signed by ephemeral keys. A
 * verdict by a pinned key is checked as ever; one by another key only through its delegation:
 * 1. find the verdict's kid in `listed` (baseUrl's key set; an unknown kid refetches it at most
 *    every 5 s) with a `delegation` beside it;
 * 2. check that delegation: signed by a pinned key, for this key and for verdicts, living at
 *    most an hour, not expired, and the verdict signed within it;
 * 3. accept the key the delegation certifies: never the one listed, nor one a header carries.
 * A kid that is not listed is a VerdictKeysUnavailableError (retryable): a container that began
 * signing moments ago is listed within seconds, and a key dropped (revoked) is no longer trusted.
 * Every other failure is a VerdictRejectedError('signature') that says which check failed.
 */
export function pinnedOrDelegatedKeys(pinned: JWTVerifyGetKey, listed: ListedKeySet): JWTVerifyGetKey {
  return async function verdictKeyOf(header, token) {
    try {
      return await pinned(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
    }
    const { kid } = header;
    if (typeof kid !== 'string') throw refused('The verdict names no key (kid), and no pinned key fits it');
    const signedAt = signedAtOf(token);
    const entry = await listedEntryOf(kid, header, token, listed);
    if (typeof entry.delegation !== 'string') throw refused("The verdict's key is not pinned, and is listed without a delegation");
    const claims = await verifiedDelegation(entry.delegation, pinned);
    return certifiedKey(claims, { kid, signedAt, listedX: entry.x, listedY: entry.y });
  };
}

/** Unverified, but only to choose the key: the verdict's signature is then checked with it, over these very claims. */
function signedAtOf(token: FlattenedJWSInput): number {
  const { iat } = decodeJwt(`${token.protected}.${String(token.payload)}.${token.signature}`);
  if (typeof iat !== 'number') throw refused('The verdict says not when it was signed (iat)');
  return iat;
}

async function listedEntryOf(kid: string, header: JWSHeaderParameters, token: FlattenedJWSInput, listed: ListedKeySet): Promise<Record<string, unknown>> {
  let notFound: unknown;
  try {
    // Fetches the key set when needed and finds the kid in it; the key it imports is never used.
    await listed(header, token);
  } catch (error) {
    if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
    notFound = error;
  }
  const entry = listed.jwks()?.keys.find((key) => key.kid === kid);
  if (!entry) throw notListed(notFound);
  // Listed under its kid, yet jose found no ES256 signing key there: the entry is wrong, not late.
  if (notFound !== undefined) throw refused("The verdict's key is listed, but not as an ES256 signing key (kty, crv, alg or use)", notFound);
  return entry as Record<string, unknown>;
}

async function verifiedDelegation(delegation: string, pinned: JWTVerifyGetKey): Promise<DelegationClaims> {
  let verified: Awaited<ReturnType<typeof compactVerify>>;
  try {
    verified = await compactVerify(delegation, pinned, { algorithms: ['ES256'] });
  } catch (error) {
    throw refused("The delegation of the verdict's key is not signed by a pinned key", error);
  }
  // ES256 is the allowlist's, and the kid a pinned key's (the only key the signature was checked with).
  if (!hasExactly(verified.protectedHeader, HEADER_MEMBERS)) throw refused("The delegation's header members are not exactly alg, kid and typ");
  if (verified.protectedHeader.typ !== DELEGATION_TYP) throw refused(`The delegation's typ is not ${DELEGATION_TYP}`);
  const claims = delegationClaimsOf(verified.payload);
  if (!claims) throw refused("The delegation's claims are not exactly iss, sub, scope, jwk (a P-256 public key), iat, nbf and exp");
  return claims;
}

async function certifiedKey(claims: DelegationClaims, verdict: { kid: string; signedAt: number; listedX: unknown; listedY: unknown }): Promise<CertifiedJwk> {
  const { scope, sub, jwk, nbf, exp } = claims;
  if (scope !== VERDICT_TYP) throw refused(`The delegation is for ${scope} tokens, not for verdicts`);
  if (sub !== verdict.kid) throw refused("The delegation certifies another key than the verdict's");
  if (sub !== (await calculateJwkThumbprint(jwk, 'sha256'))) throw refused("The delegation's sub is not the thumbprint of its key");
  if (verdict.listedX !== jwk.x || verdict.listedY !== jwk.y) throw refused("The key set lists another key under the verdict's kid than its delegation certifies");
  if (exp - nbf > MAX_LIFETIME_SECONDS) throw refused('The delegation lives longer than an hour');
  if (verdict.signedAt < nbf || verdict.signedAt > exp) throw refused('The verdict was signed outside its delegation (iat not within nbf and exp)');
  if (Date.now() / 1000 > exp + CLOCK_TOLERANCE_SECONDS) throw refused("The delegation of the verdict's key has expired");
  return jwk;
}

function delegationClaimsOf(payload: Uint8Array): DelegationClaims | undefined {
  let claims: unknown;
  try {
    claims = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    return undefined;
  }
  if (!isRecord(claims) || !hasExactly(claims, CLAIMS) || !isRecord(claims.jwk) || !hasExactly(claims.jwk, JWK_MEMBERS)) return undefined;
  const { iss, sub, scope, jwk, iat, nbf, exp } = claims;
  const wellFormed =
    typeof iss === 'string' && iss !== '' && typeof sub === 'string' && typeof scope === 'string' &&
    jwk.kty === 'EC' && jwk.crv === 'P-256' && isCoordinate(jwk.x) && isCoordinate(jwk.y) &&
    [iat, nbf, exp].every((seconds) => Number.isSafeInteger(seconds) && (seconds as number) >= 0);
  return wellFormed ? (claims as unknown as DelegationClaims) : undefined;
}

function isCoordinate(value: unknown): boolean {
  return typeof value === 'string' && P256_COORDINATE.test(value);
}

/** Not proof of tampering: the key of a container that began signing moments ago is listed within seconds. */
function notListed(cause: unknown): VerdictKeysUnavailableError {
  return new VerdictKeysUnavailableError(cause, "The verdict's key is neither pinned nor listed (yet) in baseUrl's verdict key set: ask again in a few seconds");
}

function refused(detail: string, cause?: unknown): VerdictRejectedError {
  return new VerdictRejectedError('signature', detail, cause === undefined ? undefined : { cause });
}
