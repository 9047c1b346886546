import { createLocalJWKSet, createRemoteJWKSet, customFetch, errors, type JWTVerifyGetKey } from 'jose';
import { pinnedOrDelegatedKeys } from './delegated-verdict-keys.js';
import { VerdictKeysUnavailableError } from './errors.js';
import { isRecord, type Transport } from './http.js';
import type { VerdictKeySet, VerdictPublicKey } from './types.js';

/** A P-256 coordinate: 32 bytes in base64url. */
const COORDINATE = /^[A-Za-z0-9_-]{43}$/;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1']);
/**
 * jose's defaults (30 s cooldown, 10 min cache) would refuse the first verdicts of every new
 * container for up to 30 s, though its key is listed within seconds, and keep trusting a key
 * dropped from the document (revoked) for up to 10 minutes. An unknown kid refetches at most every
 * 5 s, which still bounds the fetches that made-up kids can cause; a dropped key is no longer used
 * after a minute.
 */
const REFETCH_COOLDOWN_MS = 5_000;
const CACHE_MAX_AGE_MS = 60_000;

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
  if (typeof option === 'string') return unlistedIsRetryable(remoteKeySet(keySetUrlOf(option, transport.baseUrl), transport));
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

type RemoteKeySet = ReturnType<typeof createRemoteJWKSet>;

function remoteKeySet(url: URL, transport: Transport): RemoteKeySet {
  return createRemoteJWKSet(url, {
    timeoutDuration: transport.timeoutMs,
    cooldownDuration: REFETCH_COOLDOWN_MS,
    cacheMaxAge: CACHE_MAX_AGE_MS,
    [customFetch]: (input: string, init: RequestInit) => transport.fetch(input, init),
  });
}

function keySetUrlOf(value: string, baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`verdictKeys must be a JWK Set or an absolute https URL, got '${value}'`);
  }
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
  if (!secure) throw new TypeError(`verdictKeys must be an https URL (http only for localhost and 127.0.0.1), got '${value}'`);
  if (url.origin === new URL(baseUrl).origin) {
    throw new TypeError('verdictKeys must be on another origin than baseUrl: keys from the same origin prove no more than omitting verdictKeys');
  }
  return url;
}

function pinnedKeySetOf(value: unknown): VerdictKeySet {
  const keys = isRecord(value) ? value.keys : undefined;
  if (!Array.isArray(keys) || keys.length === 0) throw new TypeError('verdictKeys must be a JWK Set with at least one key ({ keys: [...] }) or a URL');
  keys.forEach((key: unknown, index) => {
    const at = `verdictKeys.keys[${index}]`;
    if (!isRecord(key)) throw new TypeError(`${at} must be a JWK object`);
    if ('d' in key) throw new TypeError(`${at} is a private key (it has "d"): an app holds the public key only`);
    if (key.kty !== 'EC' || key.crv !== 'P-256') throw new TypeError(`${at} must be an EC P-256 key (kty "EC", crv "P-256"): verdicts are signed with ES256`);
    if (typeof key.x !== 'string' || typeof key.y !== 'string' || !COORDINATE.test(key.x) || !COORDINATE.test(key.y)) {
      throw new TypeError(`${at} must have x and y, the P-256 coordinates in base64url`);
    }
    if (key.alg !== undefined && key.alg !== 'ES256') throw new TypeError(`${at} has alg ${String(key.alg)}: verdicts are signed with ES256`);
    if (key.use !== undefined && key.use !== 'sig') throw new TypeError(`${at} has use ${String(key.use)}: verdict keys are for signatures`);
  });
  // A bundled document of delegated mode lists ephemeral keys beside the roots. Pinned, one would
  // be trusted past its delegation's hour: it is checked through its delegation instead.
  const roots = (keys as VerdictPublicKey[]).filter((key) => !('delegation' in key));
  if (roots.length === 0) throw new TypeError('verdictKeys holds delegated keys only (each has "delegation"): pin the root keys');
  return { keys: roots };
}
