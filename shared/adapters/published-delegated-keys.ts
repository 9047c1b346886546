import type { DelegationScope } from '../domain/delegation/delegation.js';
import type { DelegationRegistry, RegisteredDelegation } from '../domain/delegation/delegation-registry.js';
import { SIGNING_ALGORITHM } from '../domain/settlement/payment-response.js';
import type { TrustedKeys } from '../domain/verification/trusted-keys.js';
import { isOutage } from './aws/outage.js';
import type { PublishedJwk } from './public-jwk.js';
import { checkRegisteredDelegation, RootKeyUnavailableError } from './registered-delegation-check.js';

/**
 * A delegated key as the JWKS publishes it: a plain JWK for any JOSE library, plus the delegation
 * (signed by a root key of the same document), for whoever pins the root keys and checks the chain.
 */
export type DelegatedPublicJwk = PublishedJwk & { delegation: string };

export interface PublishedDelegatedKeysOptions {
  scope: DelegationScope;
  issuer: string;
  /** How long one read of the registry is served: new and revoked delegations show within it. */
  refreshSeconds: number;
  now?: () => number;
  onProblem?: (message: string, details: Record<string, unknown>) => void;
}

/**
 * The live delegated keys of one scope, for the JWKS: delegations not ended, not revoked, and
 * whose root signature, scope and key check out against the root keys, so that a registry entry
 * nobody certified never reaches a library that trusts the JWKS as it is.
 *
 * While the registry cannot be read, the last list is served for max(30 s, three refreshes); after
 * that none: the document still lists the root keys, and no key whose revocation we could be
 * missing.
 */
export class PublishedDelegatedKeys {
  readonly #options: Required<Omit<PublishedDelegatedKeysOptions, 'onProblem'>> & Pick<PublishedDelegatedKeysOptions, 'onProblem'>;
  readonly #staleAfterMs: number;
  #published: { keys: DelegatedPublicJwk[]; readAt: number } | undefined;
  #reading: Promise<DelegatedPublicJwk[]> | undefined;

  constructor(
    private readonly roots: TrustedKeys,
    private readonly registry: Pick<DelegationRegistry, 'live' | 'revokedKids'>,
    options: PublishedDelegatedKeysOptions,
  ) {
    this.#options = { now: Date.now, ...options };
    this.#staleAfterMs = Math.max(30, 3 * options.refreshSeconds) * 1000;
  }

  async jwks(): Promise<DelegatedPublicJwk[]> {
    const published = this.#published;
    if (published && this.#options.now() - published.readAt < this.#options.refreshSeconds * 1000) return published.keys;
    this.#reading ??= this.#read().finally(() => {
      this.#reading = undefined;
    });
    try {
      return await this.#reading;
    } catch (error) {
      if (!(error instanceof RootKeyUnavailableError) && !isOutage(error)) throw error;
      this.#options.onProblem?.('could not read the delegated keys; publishing the last list or none', { error });
      return published && this.#options.now() - published.readAt <= this.#staleAfterMs ? published.keys : [];
    }
  }

  async #read(): Promise<DelegatedPublicJwk[]> {
    const { scope, issuer } = this.#options;
    const now = Math.floor(this.#options.now() / 1000);
    const [live, revoked] = await Promise.all([this.registry.live(scope, now), this.registry.revokedKids(scope)]);
    const keys: DelegatedPublicJwk[] = [];
    for (const registered of live) {
      if (revoked.has(registered.kid) || registered.revokedAt) continue;
      const key = await this.#publishable(registered, { issuer, scope });
      if (key) keys.push(key);
    }
    this.#published = { keys, readAt: this.#options.now() };
    return keys;
  }

  async #publishable(registered: RegisteredDelegation, rule: { issuer: string; scope: DelegationScope }): Promise<DelegatedPublicJwk | undefined> {
    const checked = await checkRegisteredDelegation(this.roots, registered, rule);
    if (!checked.ok) {
      this.#options.onProblem?.('the registry lists a delegation that fails its checks', { kid: registered.kid, problem: checked.problem });
      return undefined;
    }
    const { crv, kty, x, y } = checked.delegation.jwk;
    return { kty, crv, x, y, kid: registered.kid, alg: SIGNING_ALGORITHM, use: 'sig', delegation: registered.delegation };
  }
}
