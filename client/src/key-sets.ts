import { createRemoteJWKSet, customFetch } from 'jose';
import { isRecord, type Transport } from './http.js';

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

/** Which option a key set comes from, and what its keys sign: the words of the TypeErrors it throws. */
export interface KeySetOption {
  name: 'verdictKeys' | 'configKeys';
  /** Plural, as in "verdicts are signed with ES256". */
  signs: string;
}

export type RemoteKeySet = ReturnType<typeof createRemoteJWKSet>;

/**
 * A key set fetched through the client's fetch, cached for a minute; an unknown kid refetches it
 * at most every 5 s. With `keep`, the document's other keys are dropped before jose sees them.
 */
export function remoteKeySet(url: URL, transport: Transport, keep?: (key: Record<string, unknown>) => boolean): RemoteKeySet {
  return createRemoteJWKSet(url, {
    timeoutDuration: transport.timeoutMs,
    cooldownDuration: REFETCH_COOLDOWN_MS,
    cacheMaxAge: CACHE_MAX_AGE_MS,
    [customFetch]: async (input: string, init: RequestInit) => {
      const response = await transport.fetch(input, init);
      return keep ? keysKept(response, keep) : response;
    },
  });
}

/** The same response with only the keys `keep` accepts; anything not a 200 JWK Set is left for jose to refuse. */
async function keysKept(response: Response, keep: (key: Record<string, unknown>) => boolean): Promise<Response> {
  if (response.status !== 200) return response;
  const text = await response.text();
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    document = undefined;
  }
  if (!isRecord(document) || !Array.isArray(document.keys)) return new Response(text, { status: 200 });
  const keys = document.keys.filter((key: unknown) => isRecord(key) && keep(key));
  return new Response(JSON.stringify({ ...document, keys }), { status: 200, headers: { 'content-type': 'application/json' } });
}

/**
 * A key set URL an app trusts apart from `baseUrl`: https (http only on the loopback host), on
 * another origin (the same origin would prove no more than the default).
 */
export function keySetUrlOf(value: string, baseUrl: string, option: KeySetOption): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${option.name} must be a JWK Set or an absolute https URL, got '${value}'`);
  }
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
  if (!secure) throw new TypeError(`${option.name} must be an https URL (http only for localhost and 127.0.0.1), got '${value}'`);
  if (url.origin === new URL(baseUrl).origin) {
    throw new TypeError(`${option.name} must be on another origin than baseUrl: keys from the same origin prove no more than omitting ${option.name}`);
  }
  return url;
}

/** The keys of a JWK Set to pin, each an EC P-256 public key for ES256 signatures; a TypeError says which one is not. */
export function publicKeysOf(value: unknown, option: KeySetOption): Record<string, unknown>[] {
  const keys = isRecord(value) ? value.keys : undefined;
  if (!Array.isArray(keys) || keys.length === 0) throw new TypeError(`${option.name} must be a JWK Set with at least one key ({ keys: [...] }) or a URL`);
  keys.forEach((key: unknown, index) => {
    const at = `${option.name}.keys[${index}]`;
    if (!isRecord(key)) throw new TypeError(`${at} must be a JWK object`);
    if ('d' in key) throw new TypeError(`${at} is a private key (it has "d"): an app holds the public key only`);
    if (key.kty !== 'EC' || key.crv !== 'P-256') throw new TypeError(`${at} must be an EC P-256 key (kty "EC", crv "P-256"): ${option.signs} are signed with ES256`);
    if (typeof key.x !== 'string' || typeof key.y !== 'string' || !COORDINATE.test(key.x) || !COORDINATE.test(key.y)) {
      throw new TypeError(`${at} must have x and y, the P-256 coordinates in base64url`);
    }
    if (key.alg !== undefined && key.alg !== 'ES256') throw new TypeError(`${at} has alg ${String(key.alg)}: ${option.signs} are signed with ES256`);
    if (key.use !== undefined && key.use !== 'sig') throw new TypeError(`${at} has use ${String(key.use)}: ${option.name} are for signatures`);
  });
  return keys as Record<string, unknown>[];
}
