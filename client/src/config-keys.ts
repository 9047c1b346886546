import { createLocalJWKSet, type JWTVerifyGetKey } from 'jose';
import { isRecord, type Transport } from './http.js';
import { type KeySetOption, keySetUrlOf, publicKeysOf, remoteKeySet } from './key-sets.js';
import type { ConfigKeySet, VerdictKeySet } from './types.js';

const OPTION: KeySetOption = { name: 'configKeys', signs: 'configuration answers' };

/**
 * The keys configuration answers are checked against, from the `configKeys` option, checked at once:
 * - a JWK Set: pinned public keys of the config key, the root of trust;
 * - a URL: a key set trusted apart from `baseUrl` (https, or http on the loopback host), on
 *   another origin;
 * - undefined: `baseUrl`'s /.well-known/config-jwks.json, the origin the answer comes from.
 * Remote key sets are fetched through the client's fetch as verdict key sets are (key-sets.ts),
 * and their delegated keys dropped, as pinned ones are refused.
 * Unlike a verdict's, an answer by a key the set does not hold (after a refetch) is refused, not
 * retried: the config key is one long-lived key, not a container's new one.
 */
export function configKeysOf(option: ConfigKeySet | string | undefined, transport: Transport, verdictKeys: VerdictKeySet | string | undefined): JWTVerifyGetKey {
  if (option === undefined) return remoteKeySet(new URL(`${transport.baseUrl}/.well-known/config-jwks.json`), transport, isNotDelegated);
  if (typeof option !== 'string') return createLocalJWKSet(pinnedKeySetOf(option, verdictKeys));
  const url = keySetUrlOf(option, transport.baseUrl, OPTION);
  if (typeof verdictKeys === 'string' && URL.canParse(verdictKeys) && new URL(verdictKeys).href === url.href) {
    throw new TypeError('configKeys and verdictKeys are the same URL: configuration answers are signed by the config key, never the verdict key');
  }
  return remoteKeySet(url, transport, isNotDelegated);
}

/**
 * A key with a delegation is an ephemeral verdict signer (delegated signing mode): it never
 * signs configuration, whatever key set lists it.
 */
function isNotDelegated(key: Record<string, unknown>): boolean {
  return !('delegation' in key);
}

function pinnedKeySetOf(value: unknown, verdictKeys: unknown): ConfigKeySet {
  const keys = publicKeysOf(value, OPTION);
  keys.forEach((key, index) => {
    if ('delegation' in key) throw new TypeError(`configKeys.keys[${index}] is a delegated key (it has "delegation"): configuration answers are signed by the config key itself`);
  });
  // Each token kind has its own key: a verdict key pinned as a config key would let one stand for the other.
  const verdictCoordinates = new Set(isRecord(verdictKeys) && Array.isArray(verdictKeys.keys) ? verdictKeys.keys.map(coordinatesOf) : []);
  if (keys.some((key) => verdictCoordinates.has(coordinatesOf(key)))) {
    throw new TypeError('configKeys and verdictKeys share a key: pin the config key (/.well-known/config-jwks.json), never the verdict key');
  }
  return { keys } as unknown as ConfigKeySet;
}

function coordinatesOf(key: unknown): string {
  return isRecord(key) ? `${String(key.x)}.${String(key.y)}` : '';
}
