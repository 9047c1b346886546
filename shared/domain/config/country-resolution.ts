import { ValidationError } from '../../errors.js';
import { countryFromAcceptLanguage } from './accept-language.js';
import { type CountryCode, parseCountryCode } from './countries.js';

/** Where the country of a configuration request came from, most explicit first. */
export type CountrySource = 'query' | 'cloudfront' | 'accept-language' | 'default';

export interface CountryResolution {
  country: CountryCode | null;
  source: CountrySource;
}

export interface CountryHints {
  /** The `country` query parameter: the user's explicit choice. */
  query?: string | undefined;
  /**
   * CloudFront-Viewer-Country, only when the request provably came through our distribution;
   * the caller drops it otherwise, because any client can send the header.
   */
  trustedViewerCountry?: string | undefined;
  acceptLanguage?: string | undefined;
}

/**
 * Picks the country for a configuration request: the query parameter, else the viewer
 * country CloudFront determined from the IP address, else the region of the best-weighted
 * Accept-Language tag that has one, else none. Only the query is the caller's own input, so
 * only a bad query is an error; a header CloudFront could not fill ('XX', 'T1') is passed over.
 */
export function resolveCountry(hints: CountryHints): CountryResolution {
  if (hints.query !== undefined) {
    const country = parseCountryCode(hints.query);
    if (!country) {
      throw new ValidationError(
        `The query parameter 'country' must be an ISO 3166-1 alpha-2 country code such as DE or us (got '${hints.query.slice(0, 20)}').`,
        [{ path: 'country', message: 'must be an ISO 3166-1 alpha-2 country code' }],
      );
    }
    return { country, source: 'query' };
  }
  const viewerCountry = hints.trustedViewerCountry === undefined ? undefined : parseCountryCode(hints.trustedViewerCountry.trim());
  if (viewerCountry) return { country: viewerCountry, source: 'cloudfront' };
  const languageCountry = countryFromAcceptLanguage(hints.acceptLanguage);
  if (languageCountry) return { country: languageCountry, source: 'accept-language' };
  return { country: null, source: 'default' };
}
