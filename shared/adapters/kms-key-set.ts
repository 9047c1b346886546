import type { KeyLookup, SignatureKey, TrustedKeys } from '../domain/verification/trusted-keys.js';
import { KeysUnavailableError } from '../errors.js';
import { asOutage } from './aws/outage.js';
import { kidOfKeyArn } from './kms-key-id.js';
import { type PublicJwk, signatureKeyOf } from './public-jwk.js';

/** Where a key's public half comes from when the deployment did not hand it in: KMS's GetPublicKey. */
export type PublicKeySource = (keyArn: string) => Promise<PublicJwk>;

/** After a failed load: 1 s, then doubling per failure in a row, at most 30 s. */
export const KEY_RELOAD_BACKOFF = { firstMs: 1_000, maxMs: 30_000 } as const;

export interface KeySetOptions {
  /**
   * Public halves known at deploy time (written into the function's configuration by the
   * deployment): these keys never cost a KMS call, so a container that needs no other key loads
   * no AWS client at all. Each must be a member of the set.
   */
  deployedKeys?: readonly PublicJwk[];
  now?: () => number;
  /** How soon a key that failed to load is asked for again: recovery within seconds, no KMS storm. */
  reloadBackoff?: { firstMs: number; maxMs: number };
  /** A key could not be loaded (the handler logs it): the adapter itself does not log. */
  onLoadFailure?: (kid: string, error: unknown) => void;
}

/**
 * The public halves of a fixed list of KMS keys (kid = key id), for checking signatures
 * (`keyFor`) and for publishing them (`jwks`). Which kids belong is known without asking KMS, so
 * a token naming any other kid is UNKNOWN_KEY at once and never causes a KMS call. Keys the
 * deployment handed in are ready from the start; any other member (one added by a rotation the
 * configuration does not show yet) is fetched once per container on first use and kept (a key's
 * public half never changes); a key that failed to load is asked for again after the reload
 * backoff, and concurrent requests share one load (bounded by the deadline of the request that
 * started it).
 */
export class KmsKeySet implements TrustedKeys {
  readonly #arnByKid: ReadonlyMap<string, string>;
  readonly #loaded = new Map<string, { jwk: PublicJwk; key: SignatureKey }>();
  readonly #options: Required<Omit<KeySetOptions, 'onLoadFailure' | 'deployedKeys'>> & Pick<KeySetOptions, 'onLoadFailure'>;
  #loading: Promise<void> | undefined;
  #failedLoadsInARow = 0;
  #nextLoadAt = 0;
  #lastFailure: unknown;

  constructor(
    private readonly fetchPublicJwk: PublicKeySource,
    keyArns: readonly string[],
    { deployedKeys = [], ...options }: KeySetOptions = {},
  ) {
    this.#arnByKid = new Map(keyArns.map((arn) => [kidOfKeyArn(arn), arn]));
    this.#options = { now: Date.now, reloadBackoff: KEY_RELOAD_BACKOFF, ...options };
    for (const jwk of deployedKeys) {
      // A configuration error, found at cold start: a deployed key outside the set would be trusted by nothing.
      if (!this.#arnByKid.has(jwk.kid)) throw new Error(`The deployed public key ${jwk.kid} is not one of the set's keys`);
      this.#loaded.set(jwk.kid, { jwk, key: signatureKeyOf(jwk) });
    }
  }

  async keyFor(kid: string): Promise<KeyLookup> {
    if (!this.#arnByKid.has(kid)) return { status: 'unknown' };
    if (!this.#loaded.has(kid)) await this.#loadMissingKeys();
    const loaded = this.#loaded.get(kid);
    return loaded ? { status: 'trusted', key: loaded.key } : { status: 'unavailable' };
  }

  /**
   * Every key of the set as a JWK, in the configured order. While one cannot be loaded: KMS
   * unreachable is KeysUnavailableError (503); anything else (no such key, access denied) is ours.
   */
  async jwks(): Promise<PublicJwk[]> {
    if (this.#loaded.size < this.#arnByKid.size) await this.#loadMissingKeys();
    if (this.#loaded.size < this.#arnByKid.size) asOutage(this.#lastFailure, (cause) => new KeysUnavailableError(cause));
    return [...this.#arnByKid.keys()].map((kid) => this.#loaded.get(kid)!.jwk);
  }

  #loadMissingKeys(): Promise<void> {
    if (this.#loading) return this.#loading;
    if (this.#options.now() < this.#nextLoadAt) return Promise.resolve();
    const missing = [...this.#arnByKid].filter(([kid]) => !this.#loaded.has(kid));
    this.#loading = Promise.all(missing.map(([kid, arn]) => this.#load(kid, arn))).then(() => {
      this.#loading = undefined;
      if (missing.every(([kid]) => this.#loaded.has(kid))) {
        this.#failedLoadsInARow = 0;
        return;
      }
      const { firstMs, maxMs } = this.#options.reloadBackoff;
      this.#nextLoadAt = this.#options.now() + Math.min(firstMs * 2 ** this.#failedLoadsInARow, maxMs);
      this.#failedLoadsInARow += 1;
    });
    return this.#loading;
  }

  /** One key at a time: the current key keeps working if only the previous one fails to load. */
  async #load(kid: string, arn: string): Promise<void> {
    try {
      const jwk = await this.fetchPublicJwk(arn);
      this.#loaded.set(kid, { jwk, key: signatureKeyOf(jwk) });
    } catch (error) {
      this.#lastFailure = error;
      this.#options.onLoadFailure?.(kid, error);
    }
  }
}
