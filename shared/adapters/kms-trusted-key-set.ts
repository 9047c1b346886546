import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { KeyLookup, SignatureKey, TrustedKeys } from '../domain/verification/trusted-keys.js';
import { logger } from '../observability/logger.js';
import { isLowS } from './ecdsa-low-s.js';
import { kidOfKeyArn } from './kms-key-id.js';
import { fetchPublicJwk } from './kms-public-keys.js';

/** A failed load is retried at most this often per container, so an outage is not a KMS storm. */
export const KEY_RELOAD_INTERVAL_MS = 60_000;

/**
 * ES256 with node:crypto (OpenSSL), synchronously: measured about 2.7 times faster than jose's
 * compactVerify (WebCrypto, asynchronous) on the same key, see bench/verification.ts. The
 * algorithm and curve are fixed by us; the key is imported once.
 */
export class NodeEs256Key implements SignatureKey {
  readonly #verifyKey: { key: KeyObject; dsaEncoding: 'ieee-p1363' };

  constructor(key: KeyObject) {
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new Error('An ES256 key must be an EC P-256 public key');
    }
    this.#verifyKey = { key, dsaEncoding: 'ieee-p1363' };
  }

  verifies(signingInput: string, signature: Uint8Array): boolean {
    // Our signer writes only low-S signatures: the high-S twin of a valid one is refused too.
    if (!isLowS(signature)) return false;
    return verify('sha256', Buffer.from(signingInput, 'latin1'), this.#verifyKey, signature);
  }
}

/**
 * The payment keys the verification service trusts: a fixed list of KMS keys from configuration
 * (kid = key id). Which kids are trusted is known without asking KMS, so a token naming any
 * other kid is UNKNOWN_KEY at once and never causes a KMS call. The public keys are fetched once
 * per container on first use and kept (they never change for a key's life). A key that failed to
 * load is asked for again on a later verification, but at most once per KEY_RELOAD_INTERVAL_MS,
 * and concurrent verifications share one load.
 */
export class KmsTrustedKeySet implements TrustedKeys {
  readonly #arnByKid: ReadonlyMap<string, string>;
  readonly #loaded = new Map<string, SignatureKey>();
  readonly #now: () => number;
  readonly #reloadIntervalMs: number;
  #loading: Promise<void> | undefined;
  #lastLoadStartedAt: number | undefined;

  constructor(
    private readonly kms: KMSClient,
    keyArns: readonly string[],
    options: { now?: () => number; reloadIntervalMs?: number } = {},
  ) {
    this.#arnByKid = new Map(keyArns.map((arn) => [kidOfKeyArn(arn), arn]));
    this.#now = options.now ?? Date.now;
    this.#reloadIntervalMs = options.reloadIntervalMs ?? KEY_RELOAD_INTERVAL_MS;
  }

  get kids(): string[] {
    return [...this.#arnByKid.keys()];
  }

  async keyFor(kid: string): Promise<KeyLookup> {
    if (!this.#arnByKid.has(kid)) return { status: 'unknown' };
    let key = this.#loaded.get(kid);
    if (!key) {
      await this.#loadMissingKeys();
      key = this.#loaded.get(kid);
    }
    return key ? { status: 'trusted', key } : { status: 'unavailable' };
  }

  #loadMissingKeys(): Promise<void> {
    if (this.#loading) return this.#loading;
    const now = this.#now();
    if (this.#lastLoadStartedAt !== undefined && now - this.#lastLoadStartedAt < this.#reloadIntervalMs) {
      return Promise.resolve();
    }
    this.#lastLoadStartedAt = now;
    const missing = [...this.#arnByKid].filter(([kid]) => !this.#loaded.has(kid));
    this.#loading = Promise.all(missing.map(([kid, arn]) => this.#load(kid, arn))).then(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  /** One key at a time: the current key keeps working if only the previous one fails to load. */
  async #load(kid: string, arn: string): Promise<void> {
    try {
      const jwk = await fetchPublicJwk(this.kms, arn);
      this.#loaded.set(kid, new NodeEs256Key(createPublicKey({ key: { ...jwk }, format: 'jwk' })));
    } catch (error) {
      logger.error('could not load a trusted payment key', { kid, error: error as Error });
    }
  }
}
