import * as z from '../../zod.js';
import { configResponseSchema } from './config-response-schema.js';

/**
 * A configuration answer is signed, so that an app can tell the configuration it starts with is
 * ours, for its country, and recent: the answer of GET /v1/config carries `signature`, a compact
 * JWS (ES256) of its own kind by the config signing key (neither the payment nor the verdict
 * key), published at CONFIG_JWKS_PATH. Its claims are the answer's own members (country, source,
 * version, config) with `iss`, `iat` and `exp`: clients use the claims, never the unsigned body.
 */
export const CLIENT_CONFIG_TYP = 'client-config+jwt';

/** How long a signed answer may be used: one signature per configuration version lasts this long. @default a day */
export const DEFAULT_CONFIG_SIGNATURE_LIFETIME_SECONDS = 86_400;

const epochSeconds = z.number().check(z.int(), z.nonnegative());

/** The claims of a signed configuration answer. */
export const signedConfigClaimsSchema = z.strictObject({
  iss: z.string().check(z.minLength(1)),
  country: configResponseSchema.shape.country,
  source: configResponseSchema.shape.source,
  version: configResponseSchema.shape.version,
  config: configResponseSchema.shape.config,
  iat: epochSeconds,
  exp: epochSeconds,
});

export type SignedConfigClaims = z.infer<typeof signedConfigClaimsSchema>;
