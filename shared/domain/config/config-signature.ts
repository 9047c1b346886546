import type { SignedConfigClaims } from './signed-config.js';

/** What a configuration answer signs: its own members, exactly as the body carries them. */
export type SignedConfigAnswer = Pick<SignedConfigClaims, 'country' | 'source' | 'version' | 'config'>;

/** A compact JWS of a configuration answer, and when it stops being valid. */
export interface ConfigSignature {
  token: string;
  /** Its `exp` claim: epoch seconds. */
  expiresAt: number;
}

/**
 * The port through which a configuration answer gets its signature. Configuration changes
 * rarely, so an adapter is expected to sign each answer once and keep the signature: a KMS call
 * per request (or per container per request) would be one too many.
 */
export interface ConfigSignatures {
  signatureOf(answer: SignedConfigAnswer): Promise<ConfigSignature>;
}

/**
 * How long a signature may be used, in seconds. At least five minutes (a container re-signs an
 * answer once half of it has passed: shorter would mean a KMS call every few minutes per answer
 * and container), at most a week (how long an app may keep trusting a configuration we have
 * since changed, a legal text among it).
 */
export const CONFIG_SIGNATURE_LIFETIME_BOUNDS = { minSeconds: 300, maxSeconds: 604_800 } as const;

/** The claims of a signed answer issued at `iat` (epoch seconds): its members, `iss`, `iat` and `exp`. */
export function signedConfigClaims(answer: SignedConfigAnswer, issuer: string, iat: number, lifetimeSeconds: number): SignedConfigClaims {
  return { iss: issuer, country: answer.country, source: answer.source, version: answer.version, config: answer.config, iat, exp: iat + lifetimeSeconds };
}

/**
 * A signature is renewed once less than half of its lifetime is left: every copy a cache or an
 * app holds then stays valid at least that long, and KMS can be down for as long without a client
 * seeing a 503.
 */
export function isDueForRenewal(signature: { expiresAt: number }, lifetimeSeconds: number, nowSeconds: number): boolean {
  return signature.expiresAt - nowSeconds < lifetimeSeconds / 2;
}
