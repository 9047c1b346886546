import { describe, expect, it } from 'vitest';
import { validateLayerDocument } from '../../shared/domain/config/config-document.js';
import { type LayerId, parseLayerName } from '../../shared/domain/config/layers.js';

const DEFAULT = parseLayerName('default')!;
const DE = parseLayerName('country:DE')!;

const complete = {
  currency: 'EUR',
  locale: 'de-DE',
  paymentMethods: ['card', 'sepa_debit'],
  features: { savedCards: true },
  legal: { termsUrl: 'https://example.com/terms', privacyUrl: 'https://example.com/privacy' },
};

function problemsOf(layer: LayerId, document: unknown) {
  const result = validateLayerDocument(layer, document);
  if (result.ok) throw new Error('expected the document to be refused');
  return result.issues;
}

describe('validateLayerDocument', () => {
  it('accepts a complete document for the default layer', () => {
    expect(validateLayerDocument(DEFAULT, complete)).toEqual({ ok: true, document: complete });
  });

  it('requires every field in the default layer', () => {
    expect(problemsOf(DEFAULT, { currency: 'USD' })).toEqual([
      { path: 'locale', message: 'is required' },
      { path: 'paymentMethods', message: 'is required' },
      { path: 'features', message: 'is required' },
      { path: 'legal', message: 'is required' },
    ]);
  });

  it('accepts any subset in a country or group layer, the empty one included', () => {
    expect(validateLayerDocument(DE, { locale: 'de-AT' }).ok).toBe(true);
    expect(validateLayerDocument(DE, { legal: { privacyUrl: 'https://example.com/p' } }).ok).toBe(true);
    expect(validateLayerDocument(parseLayerName('EU')!, {}).ok).toBe(true);
  });

  it('stores locales in canonical BCP 47 form', () => {
    expect(validateLayerDocument(DE, { locale: 'de-de' })).toEqual({ ok: true, document: { locale: 'de-DE' } });
    expect(validateLayerDocument(DE, { locale: 'ZH-hant-tw' })).toEqual({ ok: true, document: { locale: 'zh-Hant-TW' } });
  });

  it('lists every problem of a bad document, not only the first', () => {
    const problems = problemsOf(DE, {
      currency: 'BGN',
      locale: 'en_US',
      paymentMethods: ['card', 'bitcoin', 'card'],
      features: { 'new-checkout': true, savedCards: 'yes' },
      legal: { termsUrl: 'http://example.com/terms', privacyUrl: 'https://user:pw@example.com/p', imprintUrl: 'https://x.example' },
      curency: 'EUR',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'currency', message: expect.stringContaining('is not an ISO 4217 currency in current use') },
        { path: 'locale', message: expect.stringContaining('BCP 47') },
        { path: 'paymentMethods.1', message: expect.stringContaining('is not a known payment method') },
        { path: 'features.new-checkout', message: expect.stringContaining('camelCase') },
        { path: 'features.savedCards', message: 'must be a boolean' },
        { path: 'legal.termsUrl', message: expect.stringContaining('https') },
        { path: 'legal.privacyUrl', message: expect.stringContaining('https') },
        { path: 'legal.imprintUrl', message: 'is not a configuration field' },
        { path: 'curency', message: 'is not a configuration field' },
      ]),
    );
    expect(problems).toHaveLength(9);
  });

  it('refuses repeated and empty payment method lists', () => {
    expect(problemsOf(DE, { paymentMethods: ['card', 'card'] })).toEqual([{ path: 'paymentMethods', message: 'must not list a payment method twice' }]);
    expect(problemsOf(DE, { paymentMethods: [] })).toEqual([{ path: 'paymentMethods', message: 'must list at least one payment method' }]);
  });

  it('refuses currencies that are not ISO 4217 codes in use', () => {
    for (const currency of ['eur', 'EURO', 'XTS', 'HRK', 'ZZZ']) {
      expect(problemsOf(DE, { currency }).map((issue) => issue.path), currency).toEqual(['currency']);
    }
  });

  it('refuses locales without a language', () => {
    for (const locale of ['und', 'und-DE', '', 'x-private', 'de-DE-', 'a'.repeat(36)]) {
      expect(problemsOf(DE, { locale }).map((issue) => issue.path), locale).toEqual(['locale']);
    }
  });

  it('refuses non-https and relative URLs', () => {
    for (const termsUrl of ['ftp://example.com/t', '/legal/terms', 'https://', 'javascript:alert(1)', 'example.com/terms']) {
      expect(problemsOf(DE, { legal: { termsUrl } }).map((issue) => issue.path), termsUrl).toEqual(['legal.termsUrl']);
    }
  });

  it('refuses a document that is not an object', () => {
    expect(problemsOf(DE, null)).toEqual([{ path: '(document)', message: 'must be an object' }]);
    expect(problemsOf(DE, ['card'])).toEqual([{ path: '(document)', message: 'must be an object' }]);
  });
});
