import { compactVerify, errors, type JWTVerifyGetKey } from 'jose';
import { ConfigKeysUnavailableError, ConfigRejectedError } from './errors.js';
import type { ConfigVerifier, SignedAnswer } from './config.js';
import { configProblemOf, countryConfigOf } from './country-config.js';
import { hasExactly, isRecord } from './http.js';
import type { CountryConfig, CountrySource } from './types.js';

/** Configuration answers are their own token kind: a verdict or payment response never passes for one. */
export const CONFIG_TYP = 'client-config+jwt';
/** Our allowlist, whatever a token's header says. */
const ALGORITHMS = ['ES256'];
const HEADER_MEMBERS = ['alg', 'kid', 'typ'];
/** Exactly the claims the service signs (shared/domain/config/signed-config.ts, restated: the SDK imports nothing of the server). */
const CLAIMS = ['iss', 'country', 'source', 'version', 'config', 'iat', 'exp'];
/** The answer's members its claims restate: the body must say exactly what they say. */
const ANSWER_MEMBERS = ['country', 'source', 'version', 'config'] as const;
const SOURCES: readonly CountrySource[] = ['query', 'cloudfront', 'accept-language', 'default'];
/** JOSE failures that mean "could not fetch the keys", not "the answer is bad" (as for verdicts, verdict.ts). */
const KEY_FETCH_FAILURES = new Set(['ERR_JOSE_GENERIC', 'ERR_JWKS_TIMEOUT', 'ERR_JWKS_INVALID']);

/**
 * Verifies a signed configuration for the request it answers (`country` as asked, or undefined
 * when the service was left to find it), and, for an answer just received, that its `body` says
 * what the claims say. Checks, each a ConfigRejectedError with its `check`:
 * 1. there is a signature (unsigned);
 * 2. it is ES256 by one of `keys`, with a header of exactly alg, kid and typ client-config+jwt (signature);
 * 3. the claims are exactly iss, country, source, version, config, iat and exp, well formed (claims),
 *    and the legal URLs absolute https URLs with a host and no credentials (url);
 * 4. it answers this request: the country asked for, or one the service found (country);
 * 5. the body's country, source, version and config are the claims' (mismatch).
 * Whether it has expired is the caller's to judge: a stored copy may serve past exp.
 */
export function configVerifier(keys: JWTVerifyGetKey): ConfigVerifier {
  return async function verifiedConfig(signature, country, body) {
    if (typeof signature !== 'string' || signature === '') throw new ConfigRejectedError('unsigned', 'The configuration answer carries no signature');
    let verified: Awaited<ReturnType<typeof compactVerify>>;
    try {
      verified = await compactVerify(signature, configAnswersOnly(keys), { algorithms: ALGORITHMS });
    } catch (error) {
      if (error instanceof ConfigRejectedError) throw error;
      if (!(error instanceof errors.JOSEError) || KEY_FETCH_FAILURES.has(error.code)) throw new ConfigKeysUnavailableError(error);
      throw new ConfigRejectedError('signature', `The configuration answer is not signed by the config key (${error.code})`, { cause: error });
    }
    if (!hasExactly(verified.protectedHeader, HEADER_MEMBERS)) throw new ConfigRejectedError('signature', "The signature's header members are not exactly alg, kid and typ");
    const claims = claimsOf(verified.payload);
    const answer = answerOf(claims);
    const askedFor = country === undefined ? answer.source !== 'query' : answer.source === 'query' && answer.country === country;
    if (!askedFor) {
      throw new ConfigRejectedError('country', `The configuration was signed for another request (${answer.country ?? 'no country'}, from ${answer.source}), not ${country ?? 'the country the service finds'}`);
    }
    if (body && !ANSWER_MEMBERS.every((member) => canonical(body[member]) === canonical(claims[member]))) {
      throw new ConfigRejectedError('mismatch', 'The configuration answer says something else than its signed claims');
    }
    return { signature, answer, issuedAt: (claims.iat as number) * 1000, expiresAt: (claims.exp as number) * 1000 };
  };
}

/**
 * jose's compactVerify checks no typ, and looks the key up first: another kind of token (a
 * verdict, a payment response) is refused before, and no key set is fetched for its kid. The
 * comparison is jose's: case-insensitive, "application/" implied.
 */
function configAnswersOnly(keys: JWTVerifyGetKey): JWTVerifyGetKey {
  return async function configKeyOf(header, token) {
    const typ = typeof header.typ === 'string' ? header.typ.toLowerCase().replace(/^application\//, '') : undefined;
    if (typ !== CONFIG_TYP) throw new ConfigRejectedError('signature', `The signed token is not a configuration answer (typ ${String(header.typ)}, not ${CONFIG_TYP})`);
    return keys(header, token);
  };
}

function claimsOf(payload: Uint8Array): Record<string, unknown> {
  let claims: unknown;
  try {
    claims = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    claims = undefined;
  }
  const invalid = (what: string) => new ConfigRejectedError('claims', `The signed configuration is invalid: ${what}`);
  if (!isRecord(claims) || !hasExactly(claims, CLAIMS)) throw invalid(`its claims are not exactly ${CLAIMS.join(', ')}`);
  const { iss, country, source, version, iat, exp } = claims;
  if (typeof iss !== 'string' || iss === '') throw invalid('iss');
  if (!isEpochSeconds(iat) || !isEpochSeconds(exp) || iat > exp) throw invalid('iat and exp');
  if (country !== null && (typeof country !== 'string' || !/^[A-Z]{2}$/.test(country))) throw invalid('country');
  if (!SOURCES.includes(source as CountrySource)) throw invalid('source');
  if (typeof version !== 'string' || version === '') throw invalid('version');
  const problem = configProblemOf(claims.config);
  if (problem) throw new ConfigRejectedError(problem.url ? 'url' : 'claims', `The signed configuration is invalid: ${problem.member} is not ${problem.expected}`);
  return claims;
}

function answerOf(claims: Record<string, unknown>): SignedAnswer {
  return {
    country: claims.country as string | null,
    source: claims.source as CountrySource,
    version: claims.version as string,
    config: countryConfigOf(claims.config as CountryConfig),
  };
}

function isEpochSeconds(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** JSON with object members in one order, so that two documents compare by content. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isRecord(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}
