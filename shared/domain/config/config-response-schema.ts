import * as z from '../../zod.js';
import { currencyCodeSchema } from '../money.js';
import { compactJwsSchema } from '../settlement/settlement-result-schema.js';
import type { Assert, Equal } from '../type-equality.js';
import { type CountryConfig, httpsUrlSchema, PAYMENT_METHODS } from './config-document.js';
import type { CountrySource } from './country-resolution.js';
import type { MergedConfig } from './merge.js';

// What GET /v1/config answers, as a schema for the API contract (openapi.json) and for the
// claims of its signature (signed-config.ts). The layer schemas in config-document.ts check what
// operators store (and transform locales), this one what clients receive. The config function
// never parses its own answer; it loads these few schemas only with the signed-config contract
// (about 4 KiB of its cold start, measured with bench/cold-start.ts).

/**
 * An absolute https URL with a host and no credentials: stored layers are refused without one
 * (config-document.ts), so no answer may carry another, and the contract says so with the same schema.
 */
export { httpsUrlSchema };

export const servedConfigSchema = z.strictObject({
  currency: currencyCodeSchema,
  /** A canonical BCP 47 language tag. */
  locale: z.string().check(z.minLength(2)),
  paymentMethods: z.array(z.enum(PAYMENT_METHODS)),
  features: z.record(z.string(), z.boolean()),
  legal: z.strictObject({ termsUrl: httpsUrlSchema, privacyUrl: httpsUrlSchema }),
});

export const countrySourceSchema = z.enum(['query', 'cloudfront', 'accept-language', 'default']);

export const configExplanationSchema = z.strictObject({
  layers: z.array(z.strictObject({ layer: z.string(), version: z.nullable(z.number().check(z.int(), z.positive())) })),
  fields: z.record(z.string(), z.string()),
});

export const configResponseSchema = z.strictObject({
  /** ISO 3166-1 alpha-2, upper case; null when nothing said where the client is. */
  country: z.nullable(z.string().check(z.regex(/^[A-Z]{2}$/))),
  source: countrySourceSchema,
  version: z.string(),
  config: servedConfigSchema,
  /** Only with `explain`: the layers the answer was built from and which one set each field. */
  explain: z.optional(configExplanationSchema),
  /**
   * The compact JWS (typ client-config+jwt, signed-config.ts) over country, source, version and
   * config: what a client may trust, where the members beside it are only a copy.
   */
  signature: compactJwsSchema,
});

type _Config = Assert<Equal<z.output<typeof servedConfigSchema>, CountryConfig>>;
type _Source = Assert<Equal<z.output<typeof countrySourceSchema>, CountrySource>>;
type _Explanation = Assert<Equal<z.output<typeof configExplanationSchema>, MergedConfig['explain']>>;
