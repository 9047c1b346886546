import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countryFromAcceptLanguage, parseAcceptLanguage } from '../../shared/domain/config/accept-language.js';

describe('parseAcceptLanguage (RFC 9110 §12.5.4)', () => {
  it('orders ranges by q-value, highest first', () => {
    expect(parseAcceptLanguage('fr;q=0.5, de-DE, en;q=0.8')).toEqual([
      { tag: 'de-DE', weight: 1000 },
      { tag: 'en', weight: 800 },
      { tag: 'fr', weight: 500 },
    ]);
  });

  it('keeps the sender\'s order among equal weights', () => {
    expect(parseAcceptLanguage('en-GB;q=0.7, fr-FR;q=0.7, de;q=0.7').map((range) => range.tag)).toEqual(['en-GB', 'fr-FR', 'de']);
  });

  it('drops q=0 (not acceptable) and elements with a malformed q, keeping the rest', () => {
    expect(parseAcceptLanguage('de-DE;q=0, fr-FR;q=1.5, it-IT;q=abc, es-ES;q=0.1234, pt-PT;q=, nl-NL;q=0.3').map((range) => range.tag)).toEqual([
      'nl-NL',
    ]);
  });

  it('accepts the limits of the qvalue grammar and optional whitespace', () => {
    // 'fr;q=0.' is a well-formed zero: dropped as not acceptable.
    expect(parseAcceptLanguage(' de ; q=1.000 ,en;Q=0.001,fr;q=0.')).toEqual([
      { tag: 'de', weight: 1000 },
      { tag: 'en', weight: 1 },
    ]);
  });

  it('drops ranges that are not language ranges', () => {
    expect(parseAcceptLanguage('en_US, de-DE;level=1;q=1, "fr", , ;q=1, ja-JP').map((range) => range.tag)).toEqual(['ja-JP']);
  });

  it('returns nothing for a missing or empty header', () => {
    expect(parseAcceptLanguage(undefined)).toEqual([]);
    expect(parseAcceptLanguage('')).toEqual([]);
  });
});

describe('countryFromAcceptLanguage', () => {
  it('takes the region of the best-weighted tag that has one', () => {
    expect(countryFromAcceptLanguage('de, fr-CH;q=0.9, en-US;q=0.8')).toBe('CH');
    expect(countryFromAcceptLanguage('en-US;q=0.5, pt-BR')).toBe('BR');
  });

  it('finds the region after a script subtag', () => {
    expect(countryFromAcceptLanguage('zh-Hant-TW')).toBe('TW');
    expect(countryFromAcceptLanguage('sr-Latn-XK')).toBe('XK');
  });

  it('passes over regions that are not countries, such as es-419 (Latin America)', () => {
    expect(countryFromAcceptLanguage('es-419, es-MX;q=0.9')).toBe('MX');
    expect(countryFromAcceptLanguage('es-419, en-001;q=0.9')).toBeUndefined();
  });

  it('passes over *, bare languages and tags Intl cannot read', () => {
    expect(countryFromAcceptLanguage('*, de, i-klingon, x-private, ja-JP;q=0.1')).toBe('JP');
  });

  it('reads lower-case regions and maps deprecated ones', () => {
    expect(countryFromAcceptLanguage('en-us')).toBe('US');
    expect(countryFromAcceptLanguage('en-UK')).toBe('GB');
  });

  it('ignores a region from a tag the client marked unacceptable', () => {
    expect(countryFromAcceptLanguage('fr-FR;q=0, de')).toBeUndefined();
  });

  it('never throws, whatever the header', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (header) => {
        const country = countryFromAcceptLanguage(header);
        expect(country === undefined || /^[A-Z]{2}$/.test(country)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
