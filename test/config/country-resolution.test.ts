import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveCountry } from '../../shared/domain/config/country-resolution.js';
import { ValidationError } from '../../shared/errors.js';

const everything = { query: 'fr', trustedViewerCountry: 'DE', acceptLanguage: 'ja-JP' };

describe('resolveCountry: where the country comes from, in order', () => {
  it('takes the query parameter first: the user chose it', () => {
    expect(resolveCountry(everything)).toEqual({ country: 'FR', source: 'query' });
  });

  it('then the viewer country CloudFront determined', () => {
    expect(resolveCountry({ ...everything, query: undefined })).toEqual({ country: 'DE', source: 'cloudfront' });
  });

  it('then the region of Accept-Language', () => {
    expect(resolveCountry({ acceptLanguage: 'ja-JP' })).toEqual({ country: 'JP', source: 'accept-language' });
  });

  it('else no country, from the default', () => {
    expect(resolveCountry({})).toEqual({ country: null, source: 'default' });
    expect(resolveCountry({ acceptLanguage: 'en, *' })).toEqual({ country: null, source: 'default' });
  });

  it('passes over a viewer country that is not a country (CloudFront sends XX when it does not know)', () => {
    expect(resolveCountry({ trustedViewerCountry: 'XX', acceptLanguage: 'it-IT' })).toEqual({ country: 'IT', source: 'accept-language' });
    expect(resolveCountry({ trustedViewerCountry: '' })).toEqual({ country: null, source: 'default' });
  });

  it('accepts codes in any case and returns them upper-case, Kosovo included', () => {
    expect(resolveCountry({ query: 'xk' })).toEqual({ country: 'XK', source: 'query' });
    expect(resolveCountry({ query: 'gB' })).toEqual({ country: 'GB', source: 'query' });
  });
});

describe('resolveCountry: bad country codes', () => {
  for (const bad of ['', 'XX', 'UK', 'EU', 'DEU', '276', 'd', 'de ', 'DE,FR']) {
    it(`refuses country=${JSON.stringify(bad)} with a 400 that names the parameter`, () => {
      const error = captureError(() => resolveCountry({ query: bad, trustedViewerCountry: 'DE' }));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ code: 'validation-failed', issues: [{ path: 'country' }] });
      expect((error as ValidationError).detail).toContain("'country'");
    });
  }

  it('either resolves or refuses with a ValidationError, for any input', () => {
    fc.assert(
      fc.property(fc.option(fc.string({ maxLength: 5 })), fc.option(fc.string({ maxLength: 5 })), fc.option(fc.string()), (query, viewer, language) => {
        try {
          const { country } = resolveCountry({ query: query ?? undefined, trustedViewerCountry: viewer ?? undefined, acceptLanguage: language ?? undefined });
          expect(country === null || /^[A-Z]{2}$/.test(country)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
        }
      }),
    );
  });
});

function captureError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
