import { createLocalJWKSet, errors, type JWTVerifyGetKey } from 'jose';
import { pinnedOrDelegatedKeys } from './delegated-verdict-keys.js';
import { VerdictKeysUnavailableError } from './errors.js';
import type { Transport } from './http.js';
import { type KeySetOption, keySetUrlOf, publicKeysOf, type RemoteKeySet, remoteKeySet } from './key-sets.js';
import type { VerdictKeySet, VerdictPublicKey } from './types.js';

const OPTION: KeySetOption = { name: 'verdictKeys', signs: 'verdicts' };

/**
 * The keys verdicts are checked against, from the `verdictKeys` option, checked at once:
 * - a JWK Set: pinned public keys, the root of trust. A verdict by a key they do not hold (an
 *   ephemeral key in delegated signing mode) is accepted only through a delegation one of them
 *   signed, listed in `baseUrl`'s key set (delegated-verdict-keys.ts);
 * - a URL: a key set trusted apart from `baseUrl` (https, or http on the loopback host), on
 *   another origin (the same origin would prove no more than the default);
 * - undefined: `baseUrl`'s /.well-known/verdict-jwks.json, the origin the answer comes from.
 * Remote key sets are fetched through the client's fetch and cached for a minute; an unknown kid
 * refetches them at most every 5 s.
 */
export function verdictKeysOf(option: VerdictKeySet | string | undefined, transport: Transport): JWTVerifyGetKey {
  const baseUrlKeySet = () => remoteKeySet(new URL(`${transport.baseUrl}/.well-known/verdict-jwks.json`), transport);
  if (option === undefined) return unlistedIsRetryable(baseUrlKeySet());
  if (typeof option === 'string') return unlistedIsRetryable(remoteKeySet(keySetUrlOf(option, transport.baseUrl, OPTION), transport));
  return pinnedOrDelegatedKeys(createLocalJWKSet(pinnedKeySetOf(option)), baseUrlKeySet());
}

/**
 * A kid the document does not list, even refetched (as the cooldown permits), proves no
 * tampering: a container that began signing moments ago is listed within seconds. It is a
 * VerdictKeysUnavailableError, retryable; a forger can name any kid too, so it never completes a
 * payment. A kid listed, but not as an ES256 signing key, stays jose's error: the entry is wrong, not late.
 */
function unlistedIsRetryable(keySet: RemoteKeySet): JWTVerifyGetKey {
  return async function listedKeyOf(header, token) {
    try {
      return await keySet(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || keySet.jwks()?.keys.some((key) => key.kid === header.kid)) throw error;
      throw new VerdictKeysUnavailableError(error, "The verdict's key is not listed (yet) in the verdict key set: ask again in a few seconds");
    }
  };
}

function pinnedKeySetOf(value: unknown): VerdictKeySet {
  const keys = publicKeysOf(value, OPTION);
  // A bundled document of delegated mode lists ephemeral keys beside the roots. Pinned, one would
  // be trusted past its delegation's hour: it is checked through its delegation instead.
  const roots = (keys as unknown as VerdictPublicKey[]).filter((key) => !('delegation' in key));
  if (roots.length === 0) throw new TypeError('verdictKeys holds delegated keys only (each has "delegation"): pin the root keys');
  return { keys: roots };
}
