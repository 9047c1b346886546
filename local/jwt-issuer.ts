import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint, errors, exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import * as z from '../shared/zod.js';

/**
 * The identity provider of the local stack: what Cognito or an OIDC provider is on AWS. It signs
 * bearer tokens for callers, and the local API server checks them as API Gateway's JWT
 * authorizer would (configured with this issuer and audience).
 */
export const LOCAL_JWT_ISSUER = 'https://issuer.signed-pay.test';
export const LOCAL_JWT_AUDIENCE = 'signed-pay-local';
export const JWT_ISSUER_KEY_FILE = 'jwt-issuer-key.json';

// HTTP APIs' JWT authorizers verify RSA signatures only (the HTTP API developer guide), so an
// ES256 identity provider that worked here would be refused on AWS: the local one signs RS256.
const ALGORITHM = 'RS256';
const DEFAULT_LIFETIME_SECONDS = 60 * 60;

export interface IssueOptions {
  /** Negative values make an already expired token (for tests). Default one hour. */
  expiresInSeconds?: number;
  /** Another audience than the authorizer's (for tests). */
  audience?: string;
}

export interface LocalJwtIssuer {
  readonly issuer: string;
  readonly audience: string;
  /** The key id tokens carry, as a JWKS would publish it. */
  readonly kid: string;
  issue(subject: string, options?: IssueOptions): Promise<string>;
  /** The claims, if API Gateway's JWT authorizer would accept the token; otherwise throws a jose error with a `code`. */
  verify(token: string): Promise<JWTPayload>;
}

const privateKeySchema = z.looseObject({ kty: z.literal('RSA'), n: z.string(), e: z.string(), d: z.string() });

/** The issuer whose key is `<dataDir>/jwt-issuer-key.json`, created on first use. */
export async function ensureJwtIssuer(dataDir: string): Promise<LocalJwtIssuer> {
  const path = join(dataDir, JWT_ISSUER_KEY_FILE);
  try {
    return await jwtIssuerFromKeyFile(readFileSync(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${path} is not a usable issuer key (${(error as Error).message}). Delete it to make a new one.`);
  }
  const { privateKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  createOnce(dataDir, path, `${JSON.stringify(await exportJWK(privateKey), null, 2)}\n`);
  // Whoever created the file first wins; read what is there, ours or theirs.
  return jwtIssuerFromKeyFile(readFileSync(path, 'utf8'));
}

/** The local issuer from the text of its key file (the operator CLI reads it from the data directory). */
export async function jwtIssuerFromKeyFile(text: string): Promise<LocalJwtIssuer> {
  const key = privateKeySchema.safeParse(JSON.parse(text));
  if (!key.success) throw new Error('not an RSA private JWK');
  return jwtIssuer(key.data, LOCAL_JWT_ISSUER);
}

/** An issuer the authorizer does not trust, with a key of its own: what a token from a foreign identity provider looks like. */
export async function throwawayJwtIssuer(issuer: string): Promise<LocalJwtIssuer> {
  const { privateKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  return jwtIssuer(await exportJWK(privateKey), issuer);
}

async function jwtIssuer(privateJwk: JWK, issuer: string): Promise<LocalJwtIssuer> {
  // The public half: RSA's private members are d and the CRT parameters.
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = privateJwk;
  const kid = await calculateJwkThumbprint(publicJwk);
  const signingKey = await importJWK(privateJwk, ALGORITHM);
  const verificationKey = await importJWK(publicJwk, ALGORITHM);
  const audience = LOCAL_JWT_AUDIENCE;
  return {
    issuer,
    audience,
    kid,
    issue: (subject, options = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({})
        .setProtectedHeader({ alg: ALGORITHM, kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setSubject(subject)
        .setAudience(options.audience ?? audience)
        .setIssuedAt(now)
        .setExpirationTime(now + (options.expiresInSeconds ?? DEFAULT_LIFETIME_SECONDS))
        .sign(signingKey);
    },
    verify: async (token) => {
      // What API Gateway checks (http-api-jwt-authorizer): a key of the issuer's JWKS named by
      // `kid`, the algorithm, the signature, then iss, aud (or client_id when aud is absent),
      // exp, nbf and iat. The algorithm comes from our allowlist, never from the token.
      const { payload } = await jwtVerify(
        token,
        (header) => {
          if (header.kid !== kid) throw new errors.JWKSNoMatchingKey();
          return verificationKey;
        },
        { algorithms: [ALGORITHM], issuer, requiredClaims: ['exp'] },
      );
      checkAudience(payload, audience);
      if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000) {
        throw new errors.JWTClaimValidationFailed('"iat" claim timestamp check failed (in the future)', payload, 'iat', 'check_failed');
      }
      return payload;
    },
  };
}

function checkAudience(payload: JWTPayload, audience: string): void {
  const audiences = payload.aud === undefined ? [payload.client_id] : [payload.aud].flat();
  if (!audiences.includes(audience)) {
    throw new errors.JWTClaimValidationFailed('unexpected "aud" claim value', payload, 'aud', 'check_failed');
  }
}

/** Writes the file only if it does not exist yet, atomically: a hard link to a complete temporary file fails if the name is taken. */
function createOnce(dataDir: string, path: string, content: string): void {
  mkdirSync(dataDir, { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content, { mode: 0o600 });
  try {
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temporary);
  }
}
