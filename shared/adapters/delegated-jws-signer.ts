import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { DELEGATION_TYP, type DelegatedJwk, type DelegationScope } from '../domain/delegation/delegation.js';
import type { DelegationRegistry } from '../domain/delegation/delegation-registry.js';
import type { JwsSigner } from '../domain/jws-signer.js';
import { SIGNING_ALGORITHM } from '../domain/settlement/payment-response.js';
import { SigningUnavailableError } from '../errors.js';
import { isOutage } from './aws/outage.js';
import { base64url } from './base64url.js';
import { toLowS } from './ecdsa-low-s.js';
import { jwkThumbprint } from './jwk-thumbprint.js';

/** The root signer: KMS, with its key's id (the delegation header names it). */
export type RootSigner = JwsSigner & { readonly kid: string };

export interface DelegatedSigningOptions {
  scope: DelegationScope;
  issuer: string;
  lifetimeSeconds: number;
  /** How long the registry keeps a delegation after it ends: as long as its receipts may be examined. */
  retentionHours: number;
  /** How often the revocation list is read while signing. */
  revocationCheckSeconds: number;
  now?: () => number;
  /** A renewal failed while the current delegation could still sign (the handler logs it). */
  onRenewalFailure?: (error: unknown) => void;
}

/**
 * `nbf` lies this far before the delegation is made: a token's claims (and its `iat`) may be
 * written a moment before the first signature makes the delegation, and must still fall inside.
 */
const NOT_BEFORE_BACKDATE_SECONDS = 60;
/**
 * Renewed once less than this share of its lifetime is left, so every token stays verifiable by
 * its signature for at least that long (a quarter hour with hour-long delegations).
 */
const RENEW_WHEN_LEFT = 0.25;
/** Below this, a delegation is not used even when renewing fails: its tokens would expire at once. */
const LAST_USE_MARGIN_SECONDS = 30;

interface ActiveDelegation {
  kid: string;
  privateKey: KeyObject;
  /** The base64url header of every token it signs (alg, kid, typ): the same bytes every time. */
  headerPart: string;
  expires: number;
}

/**
 * Signs compact JWS (ES256) with an ephemeral P-256 key held in this container's memory only,
 * certified by a delegation the KMS root key signs: one KMS Sign per delegation lifetime instead
 * of one per token.
 *
 * 1. At the first signature, make a key pair in memory (never written anywhere) and have the root
 *    key sign a delegation of it: its public JWK, its kid (RFC 7638 thumbprint), the one token
 *    kind it may sign, `nbf` and `exp` (at most an hour apart).
 * 2. Register the delegation before any token it signs leaves: verifiers and the JWKS find it there.
 * 3. Sign locally until a quarter of its lifetime is left, then renew (concurrent signatures share
 *    one renewal; a failed renewal keeps the current delegation while it can still sign).
 * 4. Every few seconds read the revocation list: a revoked delegation is replaced at once.
 *
 * Someone who reads this container's memory can sign tokens of this kind until the delegation
 * expires, or is revoked: no other kind, no longer.
 */
export class DelegatedJwsSigner implements JwsSigner {
  readonly #options: Required<Omit<DelegatedSigningOptions, 'onRenewalFailure'>> & Pick<DelegatedSigningOptions, 'onRenewalFailure'>;
  #current: ActiveDelegation | undefined;
  #renewing: Promise<ActiveDelegation> | undefined;
  #revocationsReadAt = Number.NEGATIVE_INFINITY;
  #readingRevocations: Promise<void> | undefined;

  constructor(
    private readonly root: RootSigner,
    private readonly registry: Pick<DelegationRegistry, 'register' | 'revokedKids'>,
    options: DelegatedSigningOptions,
  ) {
    this.#options = { now: Date.now, ...options };
  }

  async sign(typ: string, claims: Record<string, unknown>): Promise<string> {
    if (typ !== this.#options.scope) throw new Error(`A ${this.#options.scope} delegation cannot sign ${typ} tokens`);
    const delegation = await this.#usableDelegation();
    const signingInput = `${delegation.headerPart}.${base64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(signingInput, 'ascii'), { key: delegation.privateKey, dsaEncoding: 'ieee-p1363' });
    return `${signingInput}.${base64url(toLowS(signature))}`;
  }

  async #usableDelegation(): Promise<ActiveDelegation> {
    await this.#dropIfRevoked();
    const now = this.#seconds();
    const current = this.#current;
    const { lifetimeSeconds } = this.#options;
    if (current && current.expires - now > lifetimeSeconds * RENEW_WHEN_LEFT) return current;
    try {
      return await this.#renew();
    } catch (error) {
      if (current && current.expires - now > LAST_USE_MARGIN_SECONDS) {
        this.#options.onRenewalFailure?.(error);
        return current;
      }
      throw error;
    }
  }

  #renew(): Promise<ActiveDelegation> {
    this.#renewing ??= this.#delegate().then(
      (delegation) => {
        this.#renewing = undefined;
        this.#current = delegation;
        return delegation;
      },
      (error: unknown) => {
        this.#renewing = undefined;
        throw error;
      },
    );
    return this.#renewing;
  }

  /** Steps 1 and 2: a new key, its delegation signed by the root key, registered. */
  async #delegate(): Promise<ActiveDelegation> {
    const { scope, issuer, lifetimeSeconds, retentionHours } = this.#options;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const { x, y } = publicKey.export({ format: 'jwk' });
    const jwk: DelegatedJwk = { crv: 'P-256', kty: 'EC', x: x!, y: y! };
    const kid = jwkThumbprint(jwk);
    const iat = this.#seconds();
    const notBefore = iat - NOT_BEFORE_BACKDATE_SECONDS;
    const expires = notBefore + lifetimeSeconds;
    const delegation = await this.root.sign(DELEGATION_TYP, { iss: issuer, sub: kid, scope, jwk, iat, nbf: notBefore, exp: expires });
    try {
      await this.registry.register(
        { kid, scope, delegation, rootKid: this.root.kid, notBefore, expires, registeredAt: new Date(iat * 1000).toISOString() },
        expires + retentionHours * 3600,
      );
    } catch (error) {
      // Unregistered, its tokens would verify nowhere: nothing is signed with it.
      throw isOutage(error) ? new SigningUnavailableError(error) : error;
    }
    const headerPart = base64url(JSON.stringify({ alg: SIGNING_ALGORITHM, kid, typ: scope }));
    return { kid, privateKey, headerPart, expires };
  }

  /**
   * Step 4. An unreadable list keeps the delegation until the next read (verifiers refuse what
   * it signs if it was revoked); it is not asked again on every signature meanwhile.
   */
  async #dropIfRevoked(): Promise<void> {
    const current = this.#current;
    if (!current || this.#options.now() - this.#revocationsReadAt < this.#options.revocationCheckSeconds * 1000) return;
    this.#readingRevocations ??= this.registry
      .revokedKids(this.#options.scope, this.#seconds())
      .then((revoked) => {
        if (this.#current && revoked.has(this.#current.kid)) this.#current = undefined;
      })
      .catch(() => undefined)
      .finally(() => {
        this.#revocationsReadAt = this.#options.now();
        this.#readingRevocations = undefined;
      });
    await this.#readingRevocations;
  }

  #seconds(): number {
    return Math.floor(this.#options.now() / 1000);
  }
}
