import type { DelegationWindow } from '../delegation/delegation.js';

/** A trusted public key, checking ES256 signatures (64-byte r‖s) over a JWS signing input. */
export interface SignatureKey {
  verifies(signingInput: string, signature: Uint8Array): boolean;
}

export type KeyLookup =
  /** `delegated`: a key certified by a delegation, trusted only for tokens issued within its window. */
  | { status: 'trusted'; key: SignatureKey; delegated?: DelegationWindow }
  /** A delegated key whose delegation has ended: its tokens are proved by the ledger only. */
  | { status: 'expired'; key: SignatureKey; delegated: DelegationWindow }
  /** A delegated key whose delegation was revoked: nothing it signed is trusted. */
  | { status: 'revoked' }
  /** The kid is not in the trust set: no key we hold can have made the token. */
  | { status: 'unknown' }
  /** The kid is trusted but its public key could not be loaded: our failure, worth a retry. */
  | { status: 'unavailable' };

/** The port to the payment keys we trust: the trust set is ours, the token only names a member. */
export interface TrustedKeys {
  keyFor(kid: string): Promise<KeyLookup>;
}
