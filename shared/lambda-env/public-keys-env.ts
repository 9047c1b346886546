import type { PublicJwk } from '../adapters/public-jwk.js';
import * as z from '../zod.js';

const BASE64URL_COORDINATE = /^[A-Za-z0-9_-]{43}$/;

const publicJwkSchema = z.object({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string().check(z.regex(BASE64URL_COORDINATE, 'must be a base64url P-256 coordinate')),
  y: z.string().check(z.regex(BASE64URL_COORDINATE, 'must be a base64url P-256 coordinate')),
  kid: z.string().check(z.minLength(1)),
  alg: z.literal('ES256'),
  use: z.literal('sig'),
}) satisfies z.ZodMiniType<PublicJwk>;

/**
 * A variable holding JSON, checked against `schema` once parsed. Empty means none: a tool that can
 * only override the variables a template declares (`sam local invoke --env-vars`) clears it so.
 */
function jsonVariable<S extends z.ZodMiniType>(schema: S, what: string) {
  return z.pipe(
    z.pipe(
      z.string(),
      z.transform((value: string, context): unknown => {
        if (value === '') return undefined;
        try {
          return JSON.parse(value);
        } catch {
          context.issues.push({ code: 'custom', message: `must be JSON: ${what}`, input: value });
          return z.NEVER;
        }
      }),
    ),
    z.optional(schema),
  );
}

/*
 * Public keys written into a function's configuration by the deployment (infra/constructs/
 * public-key-jwks.ts), as the JWKS publishes them; node:crypto checks at cold start that each is
 * a point of the curve.
 */

/** A JSON array of public JWKs. */
export const publicJwkListSchema = jsonVariable(z.array(publicJwkSchema), 'an array of public JWKs');

/** One public JWK, as JSON. */
export const publicJwkJsonSchema = jsonVariable(publicJwkSchema, 'a public JWK');
