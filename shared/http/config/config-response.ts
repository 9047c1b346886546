import { createHash } from 'node:crypto';
import { jsonResponse } from '../http-handler.js';
import type { HttpResult } from '../types.js';
import type { ConfigLookup } from '../../use-cases/look-up-config.js';

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
 */
export function cacheControlOf(policy: CachePolicy, stale: boolean): string {
  const maxAge = stale ? 0 : policy.maxAge;
  return `public, max-age=${maxAge}, stale-while-revalidate=${policy.staleWhileRevalidate}, stale-if-error=${policy.staleIfError}`;
}

/** A strong validator: a digest of the exact body, so equal bytes (same country, source, versions) give equal tags in every container. */
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

/** 200 with the configuration, or 304 with no body when the client's copy is current. */
export function configResponse(lookup: ConfigLookup, options: { explain: boolean; policy: CachePolicy; ifNoneMatch: string | undefined }): HttpResult {
  const { resolution, merged, stale } = lookup;
  const body = {
    country: resolution.country,
    source: resolution.source,
    version: merged.version,
    config: merged.config,
    ...(options.explain ? { explain: merged.explain } : {}),
  };
  const response = jsonResponse(200, body);
  const etag = etagOf(response.body ?? '');
  const headers: Record<string, string> = {
    etag,
    'cache-control': cacheControlOf(options.policy, stale),
    vary: VARY,
    ...(stale ? { [STALE_HEADER]: 'true' } : {}),
  };
  // A 304 carries the validator and caching headers a 200 would have (RFC 9110 §15.4.5).
  if (ifNoneMatchMatches(options.ifNoneMatch, etag)) return { statusCode: 304, headers };
  return { ...response, headers: { ...response.headers, ...headers } };
}
