import { type DelegationScope } from '../domain/delegation/delegation.js';
import type { DelegationRegistry } from '../domain/delegation/delegation-registry.js';
import { checkDelegation, inspectDelegation } from '../domain/delegation/delegation-rule.js';
import { SIGNING_ALGORITHM } from '../domain/settlement/payment-response.js';
import type { TrustedKeys } from '../domain/verification/trusted-keys.js';
import { KeysUnavailableError } from '../errors.js';
import { asOutage } from './aws/outage.js';
import { jwkThumbprint } from './jwk-thumbprint.js';
import type { PublishedJwk } from './public-jwk.js';

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

/** A registry that cannot be read: the last list is served this long, then the document is a 503. */
const STALE_LIMIT_SECONDS = 30;

/**
 * The live delegated keys of one scope, for the JWKS: delegations not ended, not revoked, and
 * whose root signature, scope and key check out against the root keys, so that a registry entry
 * nobody certified never reaches a library that trusts the JWKS as it is.
 */
export class PublishedDelegatedKeys {
  readonly #options: Required<Omit<PublishedDelegatedKeysOptions, 'onProblem'>> & Pick<PublishedDelegatedKeysOptions, 'onProblem'>;
  #published: { keys: DelegatedPublicJwk[]; readAt: number } | undefined;
  #reading: Promise<DelegatedPublicJwk[]> | undefined;

  constructor(
    private readonly roots: TrustedKeys,
    private readonly registry: Pick<DelegationRegistry, 'live' | 'revokedKids'>,
    options: PublishedDelegatedKeysOptions,
  ) {
    this.#options = { now: Date.now, ...options };
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
      if (published && this.#options.now() - published.readAt < STALE_LIMIT_SECONDS * 1000) return published.keys;
      return asOutage(error, (cause) => new KeysUnavailableError(cause));
    }
  }

  async #read(): Promise<DelegatedPublicJwk[]> {
    const { scope } = this.#options;
    const now = Math.floor(this.#options.now() / 1000);
    const [live, revoked] = await Promise.all([this.registry.live(scope, now), this.registry.revokedKids(scope, now)]);
    const keys: DelegatedPublicJwk[] = [];
    for (const registered of live) {
      if (revoked.has(registered.kid) || registered.revokedAt) continue;
      const key = await this.#checked(registered.kid, registered.delegation);
      if (key) keys.push(key);
    }
    this.#published = { keys, readAt: this.#options.now() };
    return keys;
  }

  async #checked(kid: string, delegation: string): Promise<DelegatedPublicJwk | undefined> {
    const inspected = inspectDelegation(delegation);
    const root = inspected.ok ? await this.roots.keyFor(inspected.jws.kid) : undefined;
    if (root?.status === 'unavailable') throw new KeysUnavailableError(new Error(`root key of delegation ${kid} unavailable`));
    const checked =
      inspected.ok && root?.status === 'trusted' && !root.delegated
        ? checkDelegation(inspected.jws, root.key, { issuer: this.#options.issuer, scope: this.#options.scope, kid, thumbprintOf: jwkThumbprint })
        : { ok: false as const, problem: inspected.ok ? 'its root key is not one of ours' : inspected.problem };
    if (!checked.ok) {
      this.#options.onProblem?.('the registry lists a delegation that fails its checks', { kid, problem: checked.problem });
      return undefined;
    }
    const { crv, kty, x, y } = checked.delegation.jwk;
    return { kty, crv, x, y, kid, alg: SIGNING_ALGORITHM, use: 'sig', delegation };
  }
}
