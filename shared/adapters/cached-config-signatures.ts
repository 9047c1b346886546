import { createHash } from 'node:crypto';
import { type ConfigSignature, type ConfigSignatures, isDueForRenewal, type SignedConfigAnswer, signedConfigClaims } from '../domain/config/config-signature.js';
import { CLIENT_CONFIG_TYP } from '../domain/config/signed-config.js';
import type { JwsSigner } from '../domain/jws-signer.js';
import { ConfigUnavailableError, SigningUnavailableError } from '../errors.js';

/** After KMS failed to sign (for any reason), it is left alone this long, doubling per failure in a row up to the maximum. */
export const FAILED_SIGNING_BACKOFF = { firstMs: 1_000, maxMs: 30_000 } as const;

/**
 * Signatures a container keeps at most: a few hundred answers are live at a time (a country per
 * source), about 1.3 KiB each; the least recently served go first.
 */
export const DEFAULT_MAX_SIGNATURES = 1_000;

export interface SignatureCacheOptions {
  /** The `iss` claim. */
  issuer: string;
  lifetimeSeconds: number;
  /** @default DEFAULT_MAX_SIGNATURES */
  maxEntries?: number;
  /** Epoch milliseconds. */
  now?: () => number;
  /**
   * Signing failed (the handler logs it). `servedKept`: an unexpired signature of the answer was
   * served instead; otherwise the request fails.
   */
  onSigningFailure?: (error: unknown, servedKept: boolean) => void;
}

/**
 * The container's signatures of configuration answers, keyed by a digest of exactly what they
 * sign (country, source, version, config), so that a new version, another country or another
 * source is a new signature and nothing else is. Each answer costs one signing per half lifetime
 * and container:
 * 1. a kept signature with more than half its lifetime left is served as it is;
 * 2. otherwise the answer is signed (concurrent requests for it share the one call);
 * 3. if signing fails, an unexpired kept signature is still served, past its renewal point;
 *    without one the request fails: 503 config-unavailable for an outage (never an unsigned
 *    answer), our own error (a misconfiguration) as it is;
 * 4. after a failure the signer is left alone for FAILED_SIGNING_BACKOFF, so that a hanging KMS
 *    costs one request its timeout, and a disabled key one KMS call, not every request.
 *    Meanwhile a request without a kept signature fails as the last attempt did.
 */
export class CachedConfigSignatures implements ConfigSignatures {
  readonly #kept = new Map<string, ConfigSignature>();
  readonly #signing = new Map<string, Promise<ConfigSignature>>();
  readonly #maxEntries: number;
  readonly #now: () => number;
  #failuresInARow = 0;
  #signerRestsUntil = 0;
  #lastFailure: unknown;

  constructor(
    private readonly signer: JwsSigner,
    private readonly options: SignatureCacheOptions,
  ) {
    this.#maxEntries = options.maxEntries ?? DEFAULT_MAX_SIGNATURES;
    this.#now = options.now ?? Date.now;
  }

  async signatureOf(answer: SignedConfigAnswer): Promise<ConfigSignature> {
    const key = digestOf(answer);
    const nowMs = this.#now();
    const kept = this.#unexpired(key, Math.floor(nowMs / 1000));
    if (kept && !isDueForRenewal(kept, this.options.lifetimeSeconds, Math.floor(nowMs / 1000))) return kept;
    if (nowMs < this.#signerRestsUntil) {
      if (kept) return kept;
      throw unavailableOrOurs(this.#lastFailure);
    }
    try {
      return await this.#sign(key, answer, Math.floor(nowMs / 1000));
    } catch (error) {
      // A hang may have taken a while: the kept signature must still be valid when it is served.
      const stillValid = kept !== undefined && kept.expiresAt > Math.floor(this.#now() / 1000);
      this.options.onSigningFailure?.(error, stillValid);
      if (stillValid) return kept;
      throw unavailableOrOurs(error);
    }
  }

  /** Signatures kept now, expired ones included until they are next asked for or pushed out. */
  size(): number {
    return this.#kept.size;
  }

  /** The kept signature of `key` if it has not expired, made the most recently used. */
  #unexpired(key: string, nowSeconds: number): ConfigSignature | undefined {
    const kept = this.#kept.get(key);
    if (kept === undefined) return undefined;
    this.#kept.delete(key);
    if (kept.expiresAt <= nowSeconds) return undefined;
    this.#kept.set(key, kept);
    return kept;
  }

  #sign(key: string, answer: SignedConfigAnswer, iat: number): Promise<ConfigSignature> {
    const pending = this.#signing.get(key);
    if (pending) return pending;
    const { issuer, lifetimeSeconds } = this.options;
    const signing = this.signer
      .sign(CLIENT_CONFIG_TYP, signedConfigClaims(answer, issuer, iat, lifetimeSeconds))
      .then(
        (token) => {
          const signature = { token, expiresAt: iat + lifetimeSeconds };
          this.#keep(key, signature);
          this.#failuresInARow = 0;
          return signature;
        },
        (error: unknown) => {
          this.#restAfterFailure(error);
          throw error;
        },
      )
      .finally(() => this.#signing.delete(key));
    this.#signing.set(key, signing);
    return signing;
  }

  #keep(key: string, signature: ConfigSignature): void {
    this.#kept.delete(key);
    this.#kept.set(key, signature);
    // A Map iterates in insertion order: the first key is the least recently used.
    for (const oldest of this.#kept.keys()) {
      if (this.#kept.size <= this.#maxEntries) break;
      this.#kept.delete(oldest);
    }
  }

  /** Any failure, an outage or ours (a disabled key, a broken policy): KMS is not asked again per request either way. */
  #restAfterFailure(error: unknown): void {
    this.#lastFailure = error;
    // From when it failed, not when it started: a hang takes its whole timeout first.
    this.#signerRestsUntil = this.#now() + Math.min(FAILED_SIGNING_BACKOFF.firstMs * 2 ** this.#failuresInARow, FAILED_SIGNING_BACKOFF.maxMs);
    this.#failuresInARow += 1;
  }
}

/** An outage is the caller's 503 (never an unsigned answer); anything else is ours and stays a 500. */
function unavailableOrOurs(error: unknown): unknown {
  return error instanceof SigningUnavailableError ? new ConfigUnavailableError(error, 'unsigned') : error;
}

/** A digest of what a signature signs besides iss, iat and exp (the same for every answer of a container). */
function digestOf(answer: SignedConfigAnswer): string {
  return createHash('sha256').update(JSON.stringify([answer.country, answer.source, answer.version, answer.config])).digest('base64url');
}
