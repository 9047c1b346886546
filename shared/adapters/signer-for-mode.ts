import type { SigningModeEnv } from '../lambda-env/delegation-env.js';
import type { DelegationRegistry } from '../domain/delegation/delegation-registry.js';
import type { JwsSigner } from '../domain/jws-signer.js';
import { DelegatedJwsSigner, type DelegatedSigningOptions, type RootSigner } from './delegated-jws-signer.js';

/**
 * `kms`: the root signer itself, one KMS Sign per token. `delegated`: tokens signed in this
 * container with an ephemeral key the root key certified (one KMS Sign per delegation).
 */
export function signerForMode(
  env: SigningModeEnv,
  root: RootSigner,
  delegation: Pick<DelegatedSigningOptions, 'scope' | 'issuer' | 'onDelegated' | 'onProblem'> & {
    registry: () => Pick<DelegationRegistry, 'register' | 'revokedKids'>;
  },
): JwsSigner {
  if (env.SIGNING_MODE === 'kms') return root;
  return new DelegatedJwsSigner(root, delegation.registry(), {
    scope: delegation.scope,
    issuer: delegation.issuer,
    lifetimeSeconds: env.DELEGATION_LIFETIME_SECONDS,
    retentionHours: env.DELEGATION_RETENTION_HOURS,
    revocationCheckSeconds: env.DELEGATION_REVOCATION_CHECK_SECONDS,
    onDelegated: delegation.onDelegated,
    onProblem: delegation.onProblem,
  });
}
