import { createHash } from 'node:crypto';
import type { ConfigSignature } from '../../domain/config/config-signature.js';
import type { HttpResult } from '../types.js';
import type { SignedConfigLookup } from '../../use-cases/look-up-config.js';

/** The response differs by these request headers (and by the query string, which caches key on anyway). */
export const VARY = 'CloudFront-Viewer-Country, Accept-Language';
const STALE_HEADER = 'x-config-stale';

export interface CachePolicy {
  maxAge: number;
  staleWhileRevalidate: number;
  staleIfError: number;
}

/**
 * A degraded answer (last known or built-in configuration) is never fresh in a cache
 * (max-age=0): CloudFront and browsers may still use it while they revalidate, and pick up
 * the real configuration as soon as DynamoDB answers again.
 *
 * No cache may hold an answer past its signature's `exp` (`secondsLeft` from now): the SDK
 * would refuse it. A stale-* window begins when max-age ends, so max-age plus each window is
 * kept within the signature's time left.
 */
export function cacheControlOf(policy: CachePolicy, stale: boolean, secondsLeft: number): string {
  const left = Math.max(0, secondsLeft);
  const maxAge = Math.min(stale ? 0 : policy.maxAge, left);
  const afterFresh = left - maxAge;
  const staleWhileRevalidate = Math.min(policy.staleWhileRevalidate, afterFresh);
  const staleIfError = Math.min(policy.staleIfError, afterFresh);
  return `public, max-age=${maxAge}, stale-while-revalidate=${staleWhileRevalidate}, stale-if-error=${staleIfError}`;
}

/**
 * A strong validator: a digest of the exact body, signature included, so a 304 never renews a
 * copy whose signature is not the one this container serves (equal bytes give equal tags).
 */
export function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
}

/**
 * RFC 9110 §13.1.2: If-None-Match uses the weak comparison (W/ is ignored), takes a list,
 * and `*` matches any current representation.
 */
export function ifNoneMatchMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  return (header.match(/(?:W\/)?"[^"]*"/g) ?? []).some((tag) => tag.replace(/^W\//, '') === opaque);
}

interface RenderedAnswer {
  body: string;
  etag: string;
}

/**
 * Bodies of answers without `explain`, with their ETags, by the signature they carry: a
 * signature is of one answer's members, so the body that carries it never changes, and a cached
 * lookup is not serialized and hashed again. Kept as long as the container keeps the signature.
 */
const renderedBySignature = new WeakMap<ConfigSignature, RenderedAnswer>();

function render(lookup: SignedConfigLookup, explain: boolean): RenderedAnswer {
  const { resolution, merged, signature } = lookup;
  const kept = explain ? undefined : renderedBySignature.get(signature);
  if (kept) return kept;
  const body = JSON.stringify({
    country: resolution.country,
    source: resolution.source,
    version: merged.version,
    config: merged.config,
    ...(explain ? { explain: merged.explain } : {}),
    signature: signature.token,
  });
  const rendered = { body, etag: etagOf(body) };
  if (!explain) renderedBySignature.set(signature, rendered);
  return rendered;
}

/**
 * 200 with the configuration and its signature, or 304 with no body when the client's copy is
 * current. `nowSeconds` (epoch seconds) bounds the caching by the signature's time left.
 */
export function configResponse(
  lookup: SignedConfigLookup,
  options: { explain: boolean; policy: CachePolicy; ifNoneMatch: string | undefined; nowSeconds: number },
): HttpResult {
  const { stale, signature } = lookup;
  const { body, etag } = render(lookup, options.explain);
  const headers: Record<string, string> = {
    etag,
    'cache-control': cacheControlOf(options.policy, stale, signature.expiresAt - options.nowSeconds),
    vary: VARY,
    ...(stale ? { [STALE_HEADER]: 'true' } : {}),
  };
  // A 304 carries the validator and caching headers a 200 would have (RFC 9110 §15.4.5).
  if (ifNoneMatchMatches(options.ifNoneMatch, etag)) return { statusCode: 304, headers };
  return { statusCode: 200, headers: { 'content-type': 'application/json', ...headers }, body };
}
