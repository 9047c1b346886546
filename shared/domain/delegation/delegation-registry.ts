import type { DelegationScope } from './delegation.js';

/** A delegation as the registry keeps it: the signed delegation itself, and what is needed to find it. */
export interface RegisteredDelegation {
  /** The delegated key's kid: the RFC 7638 thumbprint of its public JWK. */
  kid: string;
  scope: DelegationScope;
  /** The compact JWS signed by the root key: whoever reads the registry can check it again. */
  delegation: string;
  /** The root key that signed it (its KMS key id). */
  rootKid: string;
  /** Epoch seconds, as in the delegation's claims. */
  notBefore: number;
  expires: number;
  registeredAt: string;
  /** Set when revoked: from then on no token it signed is accepted. */
  revokedAt?: string;
  revocationReason?: string;
}

/**
 * The port to the delegation registry (DynamoDB on AWS). Delegations are registered before the
 * first token their key signs is released, and kept as long as the receipts they signed may be
 * examined (`keepUntil`), with their root signatures, for audit.
 */
export interface DelegationRegistry {
  /** Registers a delegation, kept until `keepUntil` (epoch seconds). */
  register(delegation: RegisteredDelegation, keepUntil: number): Promise<void>;
  get(scope: DelegationScope, kid: string): Promise<RegisteredDelegation | undefined>;
  /** Delegations of `scope` whose window has not ended by `now` (epoch s), revoked ones included. */
  live(scope: DelegationScope, now: number): Promise<RegisteredDelegation[]>;
  /** Kids of `scope` ever revoked, as long as their delegations are kept (a short list: containers read it every few seconds). */
  revokedKids(scope: DelegationScope): Promise<Set<string>>;
  /** Revokes one delegation; undefined if the registry holds no delegation of that kid. */
  revoke(scope: DelegationScope, kid: string, reason: string, now: Date): Promise<RegisteredDelegation | undefined>;
}
