import { isRecord } from './http.js';
import type { CountryConfig } from './types.js';

/**
 * The first member of a configuration an app relies on that is not well formed, and what it
 * should be; undefined when all are. `url`: a legal URL that is not an absolute https URL with a
 * host and no credentials, however it came (signed by our key, or in the app's defaults): apps
 * put them in links.
 */
export function configProblemOf(config: unknown): { member: string; expected: string; url: boolean } | undefined {
  const wrong = (member: string, expected: string, url = false) => ({ member, expected, url });
  if (!isRecord(config)) return wrong('config', 'an object');
  const { currency, locale, paymentMethods, features, legal } = config;
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) return wrong('config.currency', 'an ISO 4217 code in upper case');
  if (typeof locale !== 'string' || locale === '') return wrong('config.locale', 'a BCP 47 language tag');
  if (!Array.isArray(paymentMethods) || !paymentMethods.every((method) => typeof method === 'string')) return wrong('config.paymentMethods', 'an array of strings');
  if (!isRecord(features) || !Object.values(features).every((flag) => typeof flag === 'boolean')) return wrong('config.features', 'an object of booleans');
  if (!isRecord(legal)) return wrong('config.legal', 'an object of termsUrl and privacyUrl');
  for (const member of ['termsUrl', 'privacyUrl'] as const) {
    if (!isLinkable(legal[member])) return wrong(`config.legal.${member}`, 'an absolute https URL with a host and no credentials', true);
  }
  return undefined;
}

/** A copy of the members an app reads; call only on a configuration configProblemOf found nothing wrong with. */
export function countryConfigOf(config: CountryConfig): CountryConfig {
  const { currency, locale, paymentMethods, features, legal } = config;
  return { currency, locale, paymentMethods: [...paymentMethods], features: { ...features }, legal: { termsUrl: legal.termsUrl, privacyUrl: legal.privacyUrl } };
}

/** An absolute https URL with a host and no credentials: never javascript:, data:, http: or a relative path. */
function isLinkable(value: unknown): boolean {
  if (typeof value !== 'string' || !/^https:\/\//i.test(value)) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hostname !== '' && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}
