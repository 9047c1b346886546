import { createLocalJWKSet, createRemoteJWKSet, customFetch, type JWTVerifyGetKey } from 'jose';
import { pinnedOrDelegatedKeys } from './delegated-verdict-keys.js';
import { isRecord, type Transport } from './http.js';
import type { VerdictKeySet, VerdictPublicKey } from './types.js';

/** A P-256 coordinate: 32 bytes in base64url. */
const COORDINATE = /^[A-Za-z0-9_-]{43}$/;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1']);

/**
 * The keys verdicts are checked against, from the `verdictKeys` option, checked at once:
 * - a JWK Set: pinned public keys, the root of trust. A verdict by a key they do not hold (an
 *   ephemeral key in delegated signing mode) is accepted only through a delegation one of them
 *   signed, listed in `baseUrl`'s key set (delegated-verdict-keys.ts);
 * - a URL: a key set trusted apart from `baseUrl` (https, or http on the loopback host), on
 *   another origin (the same origin would prove no more than the default);
 * - undefined: `baseUrl`'s /.well-known/verdict-jwks.json, the origin the answer comes from.
 * Remote key sets are fetched through the client's fetch and cached; an unknown kid refetches
 * them at most every 30 s.
 */
export function verdictKeysOf(option: VerdictKeySet | string | undefined, transport: Transport): JWTVerifyGetKey {
  const baseUrlKeySet = () => remoteKeySet(new URL(`${transport.baseUrl}/.well-known/verdict-jwks.json`), transport);
  if (option === undefined) return baseUrlKeySet();
  if (typeof option === 'string') return remoteKeySet(keySetUrlOf(option, transport.baseUrl), transport);
  return pinnedOrDelegatedKeys(createLocalJWKSet(pinnedKeySetOf(option)), baseUrlKeySet());
}

function remoteKeySet(url: URL, transport: Transport) {
  return createRemoteJWKSet(url, {
    timeoutDuration: transport.timeoutMs,
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
