import type { CountryConfig, LayerDocument } from './config-document.js';
import { type LayerId, layerName } from './layers.js';

/**
 * The configuration compiled into the function. It sits under the stored default layer and
 * is what clients get when no configuration could ever be read: card payments, no optional
 * features. The stored default is complete, so normally nothing of this shows through.
 */
export const BUILT_IN_CONFIG: CountryConfig = {
  currency: 'USD',
  locale: 'en-US',
  paymentMethods: ['card'],
  features: {},
  legal: {
    termsUrl: 'https://signed-pay.example/legal/terms',
    privacyUrl: 'https://signed-pay.example/legal/privacy',
  },
};

export const BUILT_IN = 'built-in';

/** One stored layer at one version, as read from the configuration table. */
export interface LayerSnapshot {
  layer: LayerId;
  version: number;
  document: LayerDocument;
}

export interface MergedConfig {
  config: CountryConfig;
  /** The versions that made it, e.g. `default@3,group:EU@1,group:EUROZONE@2,country:DE@5`. */
  version: string;
  explain: {
    layers: Array<{ layer: string; version: number | null }>;
    /** For each field (`features.x` and `legal.x` one by one), the layer its value came from. */
    fields: Record<string, string>;
  };
}

/**
 * Overlays the layers, lowest first, field by field: a layer's `currency`, `locale` and
 * `paymentMethods` replace those below it; `features` and `legal` are merged key by key, so a
 * country can turn one feature on or change one URL and inherit the rest.
 * Output is deterministic (features sorted by name) so that equal inputs give equal bytes,
 * whichever order DynamoDB returned map keys in: the ETag depends on it.
 */
export function mergeLayers(snapshots: readonly LayerSnapshot[]): MergedConfig {
  const origin = new Map<string, string>();
  const setFrom = (source: string, field: string) => origin.set(field, source);

  const base = BUILT_IN_CONFIG;
  let { currency, locale, paymentMethods } = base;
  const features: Record<string, boolean> = {};
  const legal = { ...base.legal };
  for (const field of ['currency', 'locale', 'paymentMethods', 'legal.termsUrl', 'legal.privacyUrl']) setFrom(BUILT_IN, field);

  for (const { layer, document } of snapshots) {
    const source = layerName(layer);
    if (document.currency !== undefined) {
      currency = document.currency;
      setFrom(source, 'currency');
    }
    if (document.locale !== undefined) {
      locale = document.locale;
      setFrom(source, 'locale');
    }
    if (document.paymentMethods !== undefined) {
      paymentMethods = document.paymentMethods;
      setFrom(source, 'paymentMethods');
    }
    for (const [name, enabled] of Object.entries(document.features ?? {})) {
      features[name] = enabled;
      setFrom(source, `features.${name}`);
    }
    for (const key of ['termsUrl', 'privacyUrl'] as const) {
      const url = document.legal?.[key];
      if (url === undefined) continue;
      legal[key] = url;
      setFrom(source, `legal.${key}`);
    }
  }

  const featureNames = Object.keys(features).sort();
  const fieldOrder = ['currency', 'locale', 'paymentMethods', ...featureNames.map((name) => `features.${name}`), 'legal.termsUrl', 'legal.privacyUrl'];
  const fields = Object.fromEntries(fieldOrder.map((field) => [field, origin.get(field)!]));
  const usesBuiltIn = Object.values(fields).includes(BUILT_IN);

  const layers = [
    ...(usesBuiltIn ? [{ layer: BUILT_IN, version: null }] : []),
    ...snapshots.map(({ layer, version }) => ({ layer: layerName(layer), version })),
  ];
  return {
    config: {
      currency,
      locale,
      paymentMethods: [...paymentMethods],
      features: Object.fromEntries(featureNames.map((name) => [name, features[name]!])),
      legal: { termsUrl: legal.termsUrl, privacyUrl: legal.privacyUrl },
    },
    version: layers.map(({ layer, version }) => (version === null ? layer : `${layer}@${version}`)).join(','),
    explain: { layers, fields },
  };
}
