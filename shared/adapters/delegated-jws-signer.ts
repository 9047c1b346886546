import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { DELEGATION_TYP, type DelegatedJwk, type DelegationScope } from '../domain/delegation/delegation.js';
import type { DelegationRegistry } from '../domain/delegation/delegation-registry.js';
import type { JwsSigner } from '../domain/jws-signer.js';
import { SIGNING_ALGORITHM } from '../domain/settlement/payment-response.js';
import { SigningUnavailableError } from '../errors.js';
import { startOutsideRequestDeadline } from './aws/call-deadline.js';
import { isOutage } from './aws/outage.js';
import { base64url } from './base64url.js';
import { toLowS } from './ecdsa-low-s.js';
import { jwkThumbprint } from './jwk-thumbprint.js';
import { RevocationList } from './revocation-list.js';

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
  /** A new delegated key was registered (the handler logs its kid: operators revoke by it). */
  onDelegated?: (kid: string, window: { notBefore: number; expires: number }) => void;
  /** Something went wrong that the signer rides out (a failed renewal, an unreadable revocation list): the handler logs it. */
  onProblem?: (message: string, error: unknown) => void;
}

/**
 * `nbf` lies this far before the delegation is made: a token's claims (and its `iat`) may be
 * written a moment before the first signature makes the delegation, and must still fall inside.
 */
const NOT_BEFORE_BACKDATE_SECONDS = 60;
/**
 * A delegation hands over once less than this share of its lifetime is left, so every token stays
 * verifiable by its signature for at least that long (a quarter hour with hour-long delegations).
 */
const HAND_OVER_WHEN_LEFT = 0.25;
/**
 * Its successor is registered this long before it signs anything: JOSE clients refetch a JWKS for
 * an unknown kid at most every 30 s (jose's default cooldown), and the JWKS is cached 5 s.
 */
const PUBLISHED_BEFORE_USE_SECONDS = 60;
/** Below this, a delegation is not used even when no successor can be had: its tokens would expire at once. */
const LAST_USE_MARGIN_SECONDS = 30;
/** After a failed renewal, KMS is asked again only after this (doubling per failure in a row): a throttled KMS is not stormed. */
const RENEWAL_BACKOFF = { firstMs: 5_000, maxMs: 60_000 };

interface ActiveDelegation {
  kid: string;
  privateKey: KeyObject;
  /** The base64url header of every token it signs (alg, kid, typ): the same bytes every time. */
  headerPart: string;
  expires: number;
  /** Epoch ms. */
  registeredAt: number;
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
 * 3. Sign locally. A minute before a quarter of the lifetime is left, prepare the successor in
 *    the background (steps 1-2), and hand over to it a minute after it was registered. A failed
 *    renewal backs off and the current delegation signs on while it can.
 * 4. Every few seconds read the revocation list: a revoked delegation is dropped at once. One that
 *    has signed longer than the list's staleness limit without a successful read is dropped too,
 *    and until the list can be read again signing is a 503, not a new key per attempt.
 *
 * Someone who reads this container's memory gets this key, good for tokens of this kind until its
 * delegation ends or is revoked (and, as in kms mode, the role's credentials: see the README).
 */
export class DelegatedJwsSigner implements JwsSigner {
  readonly #options: Required<Omit<DelegatedSigningOptions, 'onDelegated' | 'onProblem'>> & Pick<DelegatedSigningOptions, 'onDelegated' | 'onProblem'>;
  readonly #revocations: RevocationList;
  #current: ActiveDelegation | undefined;
  #next: ActiveDelegation | undefined;
  #renewing: Promise<void> | undefined;
  #failuresInARow = 0;
  #lastFailure: unknown;
  #nextAttemptAt = 0;
  /** A delegation was dropped because the revocation list could not be read: none is made until it can. */
  #droppedUnsure = false;

  constructor(
    private readonly root: RootSigner,
    private readonly registry: Pick<DelegationRegistry, 'register' | 'revokedKids'>,
    options: DelegatedSigningOptions,
  ) {
    this.#options = { now: Date.now, ...options };
    this.#revocations = new RevocationList(registry, {
      scope: options.scope,
      checkSeconds: options.revocationCheckSeconds,
      now: this.#options.now,
      onReadFailure: (error) => this.#options.onProblem?.('could not read the revocation list; signing on with the current delegation', error),
    });
  }

  async sign(typ: string, claims: Record<string, unknown>): Promise<string> {
    if (typ !== this.#options.scope) throw new Error(`A ${this.#options.scope} delegation cannot sign ${typ} tokens`);
    const delegation = await this.#usableDelegation();
    const signingInput = `${delegation.headerPart}.${base64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(signingInput, 'ascii'), { key: delegation.privateKey, dsaEncoding: 'ieee-p1363' });
    return `${signingInput}.${base64url(toLowS(signature))}`;
  }

  async #usableDelegation(): Promise<ActiveDelegation> {
    await this.#dropRevoked();
    this.#handOverWhenDue();
    const current = this.#current;
    const left = current ? current.expires - this.#seconds() : 0;
    if (current && left <= this.#options.lifetimeSeconds * HAND_OVER_WHEN_LEFT + PUBLISHED_BEFORE_USE_SECONDS && !this.#next) {
      this.#renew('background')?.catch(() => undefined); // this token is signed by the current one
    }
    if (current && left > LAST_USE_MARGIN_SECONDS) return current;
    // A new key would not help while revocations cannot be read: verifiers refuse delegated keys meanwhile.
    if (this.#droppedUnsure) throw new SigningUnavailableError(this.#revocations.lastReadFailure);

    // None that can sign: wait for one (the first signature of a container, or after a revocation,
    // or a long idle spell). A delegation made before a freeze may be spent by the time it is
    // ready: then one more is made.
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const renewing = this.#renew('waited on');
      if (!renewing) throw this.#unavailable();
      await renewing;
      this.#handOverWhenDue(true);
      const ready = this.#current;
      if (ready && ready.expires - this.#seconds() > LAST_USE_MARGIN_SECONDS) return ready;
      this.#current = undefined;
    }
    throw this.#unavailable();
  }

  /** While backing off: an outage stays a 503 for the caller to retry; anything else (access denied) is ours, a 500. */
  #unavailable(): unknown {
    const failure = this.#lastFailure ?? new Error('No delegation could be made in time to sign');
    return failure instanceof SigningUnavailableError || isOutage(failure) || this.#lastFailure === undefined ? new SigningUnavailableError(failure) : failure;
  }

  /** Step 3's hand-over: when the current delegation is due and the successor has been published long enough (or at once, `urgent`). */
  #handOverWhenDue(urgent = false): void {
    const next = this.#next;
    if (!next) return;
    const left = this.#current ? this.#current.expires - this.#seconds() : 0;
    const published = this.#options.now() - next.registeredAt >= PUBLISHED_BEFORE_USE_SECONDS * 1000;
    const due = left <= this.#options.lifetimeSeconds * HAND_OVER_WHEN_LEFT;
    if (urgent || left <= LAST_USE_MARGIN_SECONDS || (due && published)) {
      this.#current = next;
      this.#next = undefined;
    }
  }

  /**
   * One renewal at a time, none while backing off; it leaves the new delegation in `#next`, unless
   * it was spent by the time it was ready (a container frozen meanwhile). A background renewal's
   * AWS calls do not carry the deadline of the request that started it.
   */
  #renew(how: 'background' | 'waited on'): Promise<void> | undefined {
    if (this.#renewing) return this.#renewing;
    if (this.#options.now() < this.#nextAttemptAt) return undefined;
    const delegating = how === 'background' ? startOutsideRequestDeadline(() => this.#delegate()) : this.#delegate();
    this.#renewing = delegating
      .then((delegation) => {
        this.#failuresInARow = 0;
        if (delegation.expires - this.#seconds() > this.#options.lifetimeSeconds * HAND_OVER_WHEN_LEFT) this.#next = delegation;
      })
      .catch((error: unknown) => {
        this.#lastFailure = error;
        this.#nextAttemptAt = this.#options.now() + Math.min(RENEWAL_BACKOFF.firstMs * 2 ** this.#failuresInARow, RENEWAL_BACKOFF.maxMs);
        this.#failuresInARow += 1;
        this.#options.onProblem?.('could not make a new signing delegation', error);
        throw error;
      })
      .finally(() => {
        this.#renewing = undefined;
      });
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
    this.#options.onDelegated?.(kid, { notBefore, expires });
    const headerPart = base64url(JSON.stringify({ alg: SIGNING_ALGORITHM, kid, typ: scope }));
    return { kid, privateKey, headerPart, expires, registeredAt: this.#options.now() };
  }

  /**
   * Step 4. A delegation that has signed longer than the list's staleness limit without a
   * successful read may have been revoked unseen: it is dropped, and no other is made until the
   * list can be read again (503 meanwhile).
   */
  async #dropRevoked(): Promise<void> {
    if (!this.#current && !this.#next && !this.#droppedUnsure) return;
    await this.#revocations.refresh();
    const fresh = this.#revocations.isFresh();
    if (fresh) this.#droppedUnsure = false;
    const keep = (delegation: ActiveDelegation | undefined) => {
      if (!delegation || this.#revocations.has(delegation.kid)) return undefined;
      if (fresh || this.#revocations.isFreshSince(delegation.registeredAt)) return delegation;
      this.#droppedUnsure = true;
      return undefined;
    };
    this.#next = keep(this.#next);
    this.#current = keep(this.#current);
  }

  #seconds(): number {
    return Math.floor(this.#options.now() / 1000);
  }
}
