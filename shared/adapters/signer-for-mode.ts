import type { DelegationScope, SigningMode } from '../domain/delegation/delegation.js';
import type { DelegationRegistry } from '../domain/delegation/delegation-registry.js';
import type { JwsSigner } from '../domain/jws-signer.js';
import { DelegatedJwsSigner, type RootSigner } from './delegated-jws-signer.js';

/** The environment a signing function reads its mode from (shared/lambda-env/delegation-env.ts). */
export interface SigningModeEnv {
  SIGNING_MODE: SigningMode;
  DELEGATION_LIFETIME_SECONDS: number;
  DELEGATION_RETENTION_HOURS: number;
  DELEGATION_REVOCATION_CHECK_SECONDS: number;
}

/**
 * `kms`: the root signer itself, one KMS Sign per token. `delegated`: tokens signed in this
 * container with an ephemeral key the root key certified (one KMS Sign per delegation).
 */
export function signerForMode(
  env: SigningModeEnv,
  root: RootSigner,
  delegation: { scope: DelegationScope; issuer: string; registry: () => Pick<DelegationRegistry, 'register' | 'revokedKids'>; onRenewalFailure?: (error: unknown) => void },
): JwsSigner {
  if (env.SIGNING_MODE === 'kms') return root;
  return new DelegatedJwsSigner(root, delegation.registry(), {
    scope: delegation.scope,
    issuer: delegation.issuer,
    lifetimeSeconds: env.DELEGATION_LIFETIME_SECONDS,
    retentionHours: env.DELEGATION_RETENTION_HOURS,
    revocationCheckSeconds: env.DELEGATION_REVOCATION_CHECK_SECONDS,
    onRenewalFailure: delegation.onRenewalFailure,
  });
}
