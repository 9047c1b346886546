import type { DelegationScope } from '../../shared/domain/delegation/delegation.js';
import type { DelegationRegistry, RegisteredDelegation } from '../../shared/domain/delegation/delegation-registry.js';

/** The registry port in memory, counting reads: for unit tests of what uses it. */
export class InMemoryDelegationRegistry implements DelegationRegistry {
  readonly delegations = new Map<string, RegisteredDelegation>();
  readonly revoked = new Set<string>();
  readonly reads = { get: 0, live: 0, revokedKids: 0 };
  /** Set to make every call fail, as an unreachable table would. */
  failing: Error | undefined;
  /** Set to make reads of the revocation list fail only. */
  failingRevocationReads: Error | undefined;

  async register(delegation: RegisteredDelegation): Promise<void> {
    this.#mayFail();
    this.delegations.set(`${delegation.scope}#${delegation.kid}`, delegation);
  }

  async get(scope: DelegationScope, kid: string): Promise<RegisteredDelegation | undefined> {
    this.reads.get += 1;
    this.#mayFail();
    return this.delegations.get(`${scope}#${kid}`);
  }

  async live(scope: DelegationScope, now: number): Promise<RegisteredDelegation[]> {
    this.reads.live += 1;
    this.#mayFail();
    return [...this.delegations.values()].filter((delegation) => delegation.scope === scope && delegation.expires > now);
  }

  async revokedKids(scope: DelegationScope): Promise<Set<string>> {
    this.reads.revokedKids += 1;
    this.#mayFail();
    if (this.failingRevocationReads) throw this.failingRevocationReads;
    return new Set([...this.revoked].filter((key) => key.startsWith(`${scope}#`)).map((key) => key.slice(scope.length + 1)));
  }

  async revoke(scope: DelegationScope, kid: string, reason: string, now: Date): Promise<RegisteredDelegation | undefined> {
    this.#mayFail();
    const delegation = this.delegations.get(`${scope}#${kid}`);
    if (!delegation) return undefined;
    this.revoked.add(`${scope}#${kid}`);
    const revoked = { ...delegation, revokedAt: delegation.revokedAt ?? now.toISOString(), revocationReason: delegation.revocationReason ?? reason };
    this.delegations.set(`${scope}#${kid}`, revoked);
    return revoked;
  }

  #mayFail(): void {
    if (this.failing) throw this.failing;
  }
}
