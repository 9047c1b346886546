import type { ConfigSignature, ConfigSignatures } from '../domain/config/config-signature.js';
import type { ConfigLayerReader } from '../domain/config/config-store.js';
import { type CountryHints, type CountryResolution, resolveCountry } from '../domain/config/country-resolution.js';
import { layerChainFor } from '../domain/config/layers.js';
import { type MergedConfig, mergeLayers } from '../domain/config/merge.js';
import { versionSeenBy } from '../domain/config/rollout.js';
import { ConfigUnavailableError } from '../errors.js';

export interface ConfigLookup {
  resolution: CountryResolution;
  merged: MergedConfig;
  /** Some layers could not be read fresh: served from the container's last known values. */
  stale: boolean;
}

/** A lookup as GET /v1/config answers it: with the signature of its members. */
export interface SignedConfigLookup extends ConfigLookup {
  signature: ConfigSignature;
}

/**
 * The configuration for one request:
 * 1. pick the country (query, trusted CloudFront header, Accept-Language, or none);
 * 2. read the layers it inherits from (default, its groups, itself) through the container cache;
 * 3. refuse (503) when a layer of the chain is not known at all: the source fails and this
 *    container never read it;
 * 4. for a layer under a staged rollout, take the version the country sees (new if its stage started),
 *    unless the lookup is stale: a cached rollout may have been rolled back since, and the
 *    current version is the one a rollback returns to;
 * 5. overlay them field by field on the built-in default.
 */
export async function lookUpConfig(
  deps: { layers: ConfigLayerReader },
  hints: CountryHints,
): Promise<ConfigLookup> {
  const resolution = resolveCountry(hints);
  const { layers, stale, unknown } = await deps.layers.read(layerChainFor(resolution.country));
  // Without one of its layers the answer could be another country's currency or legal texts.
  if (unknown.length > 0) throw new ConfigUnavailableError();
  const seen = layers.map((layer) => (stale ? layer : versionSeenBy(resolution.country, layer, layer.rollout)));
  return { resolution, merged: mergeLayers(seen), stale };
}

/**
 * The configuration for one request, signed: the lookup above, then the signature of exactly
 * the members the answer carries (country, source, version, config), from the container's kept
 * signatures or freshly made. A configuration that cannot be signed is not answered (503): an
 * app must be able to tell that what it starts with is ours.
 */
export async function lookUpSignedConfig(
  deps: { layers: ConfigLayerReader; signatures: ConfigSignatures },
  hints: CountryHints,
): Promise<SignedConfigLookup> {
  const lookup = await lookUpConfig(deps, hints);
  const { resolution, merged } = lookup;
  const signature = await deps.signatures.signatureOf({ country: resolution.country, source: resolution.source, version: merged.version, config: merged.config });
  return { ...lookup, signature };
}
