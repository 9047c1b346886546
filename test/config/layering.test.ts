import { describe, expect, it } from 'vitest';
import { parseCountryCode } from '../../shared/domain/config/countries.js';
import { layerChainFor, layerName, parseLayerName } from '../../shared/domain/config/layers.js';
import { BUILT_IN_CONFIG, type LayerSnapshot, mergeLayers } from '../../shared/domain/config/merge.js';

const layer = (name: string) => parseLayerName(name)!;

const DEFAULT: LayerSnapshot = {
  layer: layer('default'),
  version: 3,
  document: {
    currency: 'USD',
    locale: 'en-US',
    paymentMethods: ['card'],
    features: { savedCards: true, strongCustomerAuthentication: false },
    legal: { termsUrl: 'https://example.com/terms', privacyUrl: 'https://example.com/privacy' },
  },
};
const EU: LayerSnapshot = { layer: layer('EU'), version: 1, document: { features: { strongCustomerAuthentication: true }, legal: { privacyUrl: 'https://example.com/eu/privacy' } } };
const EUROZONE: LayerSnapshot = { layer: layer('EUROZONE'), version: 2, document: { currency: 'EUR', paymentMethods: ['card', 'sepa_debit'] } };
const DE: LayerSnapshot = { layer: layer('DE'), version: 5, document: { locale: 'de-DE', features: { newCheckout: true } } };

describe('layer names', () => {
  it('reads full and short names in any case', () => {
    expect(layerName(layer('default'))).toBe('default');
    expect(layerName(layer('group:eu'))).toBe('group:EU');
    expect(layerName(layer('eurozone'))).toBe('group:EUROZONE');
    expect(layerName(layer('country:de'))).toBe('country:DE');
    expect(layerName(layer('xk'))).toBe('country:XK');
  });

  it('refuses names that are no layer', () => {
    for (const name of ['', 'country:EU', 'group:DE', 'country:ZZ', 'planet:EARTH', 'DEU']) expect(parseLayerName(name), name).toBeUndefined();
  });

  it('chains default, groups broad to narrow, then the country', () => {
    expect(layerChainFor(parseCountryCode('DE')!).map(layerName)).toEqual(['default', 'group:EU', 'group:EUROZONE', 'country:DE']);
    expect(layerChainFor(parseCountryCode('PL')!).map(layerName)).toEqual(['default', 'group:EU', 'country:PL']);
    expect(layerChainFor(parseCountryCode('JP')!).map(layerName)).toEqual(['default', 'country:JP']);
    expect(layerChainFor(null).map(layerName)).toEqual(['default']);
  });
});

describe('mergeLayers', () => {
  it('overlays default, groups and country field by field', () => {
    expect(mergeLayers([DEFAULT, EU, EUROZONE, DE]).config).toEqual({
      currency: 'EUR',
      locale: 'de-DE',
      paymentMethods: ['card', 'sepa_debit'],
      features: { newCheckout: true, savedCards: true, strongCustomerAuthentication: true },
      legal: { termsUrl: 'https://example.com/terms', privacyUrl: 'https://example.com/eu/privacy' },
    });
  });

  it('gives a country without an entry its groups\' and the default\'s values', () => {
    const config = mergeLayers([DEFAULT, EU, EUROZONE]).config;
    expect(config).toMatchObject({ currency: 'EUR', locale: 'en-US', paymentMethods: ['card', 'sepa_debit'] });
  });

  it('explains, for each field, the layer it came from', () => {
    expect(mergeLayers([DEFAULT, EU, EUROZONE, DE]).explain).toEqual({
      layers: [
        { layer: 'default', version: 3 },
        { layer: 'group:EU', version: 1 },
        { layer: 'group:EUROZONE', version: 2 },
        { layer: 'country:DE', version: 5 },
      ],
      fields: {
        currency: 'group:EUROZONE',
        locale: 'country:DE',
        paymentMethods: 'group:EUROZONE',
        'features.newCheckout': 'country:DE',
        'features.savedCards': 'default',
        'features.strongCustomerAuthentication': 'group:EU',
        'legal.termsUrl': 'default',
        'legal.privacyUrl': 'group:EU',
      },
    });
  });

  it('names the versions it was built from', () => {
    expect(mergeLayers([DEFAULT, EU, EUROZONE, DE]).version).toBe('default@3,group:EU@1,group:EUROZONE@2,country:DE@5');
  });

  it('falls back to the built-in configuration where no layer says anything', () => {
    const merged = mergeLayers([]);
    expect(merged.config).toEqual(BUILT_IN_CONFIG);
    expect(merged.version).toBe('built-in');
    expect(new Set(Object.values(merged.explain.fields))).toEqual(new Set(['built-in']));

    const countryOnly = mergeLayers([DE]);
    expect(countryOnly.version).toBe('built-in,country:DE@5');
    expect(countryOnly.explain.fields.currency).toBe('built-in');
  });

  it('gives the same bytes whatever order the stored feature keys came in', () => {
    const reordered: LayerSnapshot = { ...DEFAULT, document: { ...DEFAULT.document, features: { strongCustomerAuthentication: false, savedCards: true } } };
    expect(JSON.stringify(mergeLayers([reordered, DE]))).toBe(JSON.stringify(mergeLayers([DEFAULT, DE])));
  });

  it('does not share arrays with its input', () => {
    const merged = mergeLayers([DEFAULT]);
    merged.config.paymentMethods.push('paypal');
    expect(DEFAULT.document.paymentMethods).toEqual(['card']);
  });
});
