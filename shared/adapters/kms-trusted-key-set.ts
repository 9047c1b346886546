import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { KeyLookup, SignatureKey, TrustedKeys } from '../domain/verification/trusted-keys.js';
import { logger } from '../observability/logger.js';
import { isLowS } from './ecdsa-low-s.js';
import { kidOfKeyArn } from './kms-key-id.js';
import { fetchPublicJwk } from './kms-public-keys.js';

/**
 * After a failed load, keys are asked for again no sooner than this, doubling per failure up to
 * the maximum: recovery within a second or two of KMS coming back, and no KMS storm in an outage.
 */
export const KEY_RELOAD_BACKOFF = { firstMs: 1_000, maxMs: 30_000 } as const;

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
 * load is asked for again on a later verification, after KEY_RELOAD_BACKOFF, and concurrent
 * verifications share one load (bounded by the deadline of the request that started it).
 */
export class KmsTrustedKeySet implements TrustedKeys {
  readonly #arnByKid: ReadonlyMap<string, string>;
  readonly #loaded = new Map<string, SignatureKey>();
  readonly #now: () => number;
  #loading: Promise<void> | undefined;
  #failedLoadsInARow = 0;
  #nextLoadAt = 0;

  constructor(
    private readonly kms: KMSClient,
    keyArns: readonly string[],
    options: { now?: () => number } = {},
  ) {
    this.#arnByKid = new Map(keyArns.map((arn) => [kidOfKeyArn(arn), arn]));
    this.#now = options.now ?? Date.now;
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
    if (this.#now() < this.#nextLoadAt) return Promise.resolve();
    const missing = [...this.#arnByKid].filter(([kid]) => !this.#loaded.has(kid));
    this.#loading = Promise.all(missing.map(([kid, arn]) => this.#load(kid, arn))).then(() => {
      this.#loading = undefined;
      if (missing.every(([kid]) => this.#loaded.has(kid))) {
        this.#failedLoadsInARow = 0;
        return;
      }
      const backoff = Math.min(KEY_RELOAD_BACKOFF.firstMs * 2 ** this.#failedLoadsInARow, KEY_RELOAD_BACKOFF.maxMs);
      this.#failedLoadsInARow += 1;
      this.#nextLoadAt = this.#now() + backoff;
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
