import { createHash, timingSafeEqual } from 'node:crypto';
import type { CountryHints } from '../../domain/config/country-resolution.js';
import * as z from '../../zod.js';
import { parseInput } from '../parse.js';
import type { HttpEvent } from '../types.js';

export interface ConfigRequest {
  hints: CountryHints;
  explain: boolean;
}

export const querySchema = z.object({
  // Checked by resolveCountry, which knows the country codes and names the parameter.
  country: z.optional(z.string()),
  // A bare `?explain` arrives as ''.
  explain: z.optional(z.enum(['', '1', 'true', '0', 'false'], { error: 'must be 1 or true to explain, 0 or false (or absent) not to' })),
});

/**
 * Returns a check for the `x-origin-verify` header CloudFront adds. Both sides are hashed
 * first so the comparison takes the same time whatever the length or content of the guess.
 */
export function originVerifier(secret: string): (headerValue: string | undefined) => boolean {
  const expected = createHash('sha256').update(secret).digest();
  return function cameThroughCloudFront(headerValue) {
    if (headerValue === undefined) return false;
    return timingSafeEqual(createHash('sha256').update(headerValue).digest(), expected);
  };
}

/** Reads what a GET /v1/config request says about its country. Headers are lower-case (middy's normalizer). */
export function parseConfigRequest(event: HttpEvent, cameThroughCloudFront: (headerValue: string | undefined) => boolean): ConfigRequest {
  const query = parseInput(querySchema, event.queryStringParameters ?? {}, 'query string');
  const headers = event.headers ?? {};
  return {
    hints: {
      query: query.country,
      trustedViewerCountry: cameThroughCloudFront(headers['x-origin-verify']) ? headers['cloudfront-viewer-country'] : undefined,
      acceptLanguage: headers['accept-language'],
    },
    explain: query.explain === '' || query.explain === '1' || query.explain === 'true',
  };
}
